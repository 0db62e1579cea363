"""Engine and session factory from the settings, and `session_scope()`: a unit of work for
scripts and the CLI.

SQLite (the embedded default): WAL journal so readers never block the writer, foreign keys
enforced (SQLite ignores them unless asked), a busy timeout instead of instant "database is
locked". PostgreSQL: a connection pool with pre-ping so a restarted server is survived.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from kefu.db.uow import Publish, unit_of_work
from kefu.settings import get_settings


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster commits
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; creates the SQLite file's folder when needed."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    options: dict[str, Any] = {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20}
    options.update(kwargs)
    return create_engine(url, **options)


_ENGINES: dict[str, Engine] = {}
_LOCK = threading.Lock()


def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for `url` (default: the configured database)."""
    url = url or get_settings().effective_database_url
    with _LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = _ENGINES[url] = make_engine(url)
    return engine


def dispose_engines() -> None:
    """Close every cached engine's connections (tests, and before a process forks)."""
    with _LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    # expire_on_commit=False: objects stay readable after the commit (handy in views/CLI).
    return sessionmaker(bind=engine or get_engine(), expire_on_commit=False)


@contextmanager
def session_scope(
    engine: Engine | str | None = None, *, publish: Publish | None = None
) -> Iterator[Session]:
    """One unit of work on a new session of `engine` (`kefu.db.uow.unit_of_work`): commits
    when the block ends, then runs the listeners of its events and publishes them."""
    if isinstance(engine, str):
        engine = get_engine(engine)
    with unit_of_work(session_factory(engine), now=datetime.now(UTC), publish=publish) as session:
        yield session
