"""The HTTP layer shared by the JSON API and the pages: the unit of work per request, who
is calling, permissions, errors."""
