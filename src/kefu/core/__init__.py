"""The pure domain core: shop rules as plain functions over records and the shop config.

Nothing in this package does I/O (no database, network, clock or files); callers pass
"now" and the shop config in. The HTTP API, web UI, workers and batch CLI all call it.
"""
