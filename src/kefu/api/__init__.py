"""The HTTP API (`/api/v1/...`) and the app factory that also serves the web pages."""
