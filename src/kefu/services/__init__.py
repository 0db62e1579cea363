"""Services: the actions that read and write the database (imports, exports, demo, accounts)."""
