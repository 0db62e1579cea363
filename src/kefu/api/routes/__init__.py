"""API routes, one module per area: each route parses, authorizes, calls one action,
serializes."""
