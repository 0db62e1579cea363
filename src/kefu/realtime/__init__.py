"""Real-time fan-out of domain events to connected clients (WebSocket sessions).

The database is the source of truth: an event is published only after its transaction
commits, and a client that missed events (reconnect, process killed) resumes from its last
seen sequence number by reading the database. The broker therefore only has to be fast,
not durable: in one process it is in-memory; across processes it is Redis pub/sub.
"""
