"""The `kefu` command line (Typer): thin commands that parse, call the core, print."""
