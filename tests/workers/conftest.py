"""Fixtures of the order-operations tests: `engine` on SQLite and PostgreSQL, a clock, a
scheduler.

`engine` shadows the shared one for speed: the PostgreSQL side is ONE migrated database
for the whole run, emptied (DELETE) after each test, instead of a database created and
dropped per test. Missing PostgreSQL skips loudly, or fails under KEFU_REQUIRE_SERVICES=1,
like the shared fixtures.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from opsfactory import Clock, at
from sqlalchemy import Engine

from kefu.db.models import metadata
from kefu.db.session import make_engine
from kefu.workers.scheduler import Scheduler, WorkerConfig


@pytest.fixture(scope="session")
def _ops_pg_url(_pg: Any) -> Iterator[str | None]:
    """One migrated PostgreSQL database for the run (None when PostgreSQL is missing)."""
    if _pg is None:
        yield None
        return
    from kefu.db.migrate import upgrade

    name = _pg.create()
    url = _pg.url(name)
    upgrade(url)
    yield url
    _pg.drop(name)


def _empty(engine: Engine) -> None:
    # DELETE, children first: on a few small tables it is much faster than TRUNCATE,
    # which rewrites every table's files.
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def pg_engine(request: pytest.FixtureRequest, _ops_pg_url: str | None) -> Iterator[Engine]:
    """The run's migrated PostgreSQL database, emptied after the test."""
    request.node.add_marker(pytest.mark.postgres)
    if _ops_pg_url is None:
        why = request.getfixturevalue("_pg_server")
        if os.environ.get("KEFU_REQUIRE_SERVICES") == "1":
            pytest.fail(f"PostgreSQL unavailable ({why}) and KEFU_REQUIRE_SERVICES=1")
        pytest.skip(f"!!! PostgreSQL unavailable ({why}): test SKIPPED")
    engine = make_engine(_ops_pg_url)
    try:
        yield engine
    finally:
        _empty(engine)
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database: SQLite (a copy of the run's template), then PostgreSQL."""
    if request.param == "postgres":
        yield request.getfixturevalue("pg_engine")
        return
    path = tmp_path / "kefu.sqlite3"
    shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock(at("2026-11-20 10:15"))


@pytest.fixture
def scheduler(engine: Engine, clock: Clock) -> Scheduler:
    return Scheduler(
        engine, WorkerConfig(batch=50, stale_after=timedelta(minutes=2)), clock=clock, worker_id="t"
    )
