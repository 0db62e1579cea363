"""The web UI: Jinja2 templates, static files, the message catalogue and the page routes."""
