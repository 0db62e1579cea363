"""Shared fixtures: databases (SQLite and real PostgreSQL), Redis, Chromium.

A test that asks for `pg_url`, `redis_url` or `chromium_path` is marked `postgres`, `redis`
or `browser` automatically. When the service is missing the test is skipped with a loud
notice — or fails when `KEFU_REQUIRE_SERVICES=1` (CI), so a green CI run has really used
them. The summary at the end tells how many tests of each kind passed.

Databases: `sqlite_url` and `pg_url` are EMPTY throwaway databases (`kefu_test_<random>` on
PostgreSQL, dropped afterwards); `db_url` is either, parametrized; `migrated_url` is `db_url`
at the newest migration (cloned from a template migrated once per run); `session` is an
SQLAlchemy session on it.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from kefu.db.session import dispose_engines, make_engine
from kefu.services import shops
from kefu.settings import get_settings

# The ports can be moved (KEFU_TEST_PG_PORT, KEFU_TEST_REDIS_PORT) for a developer's own setup.
PG_HOST, PG_PORT = "127.0.0.1", int(os.environ.get("KEFU_TEST_PG_PORT", "5432"))
PG_ADMIN_URL = f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/postgres"
REDIS_HOST, REDIS_PORT = "127.0.0.1", int(os.environ.get("KEFU_TEST_REDIS_PORT", "6379"))
CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_SERVICES = os.environ.get("KEFU_REQUIRE_SERVICES") == "1"

_missing: dict[str, str] = {}  # service -> why, for the summary's notice


def _unavailable(request: pytest.FixtureRequest, service: str, why: str) -> None:
    """Fail under KEFU_REQUIRE_SERVICES=1, else skip loudly (and say so in the summary)."""
    message = f"{service} unavailable ({why})"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message} and KEFU_REQUIRE_SERVICES=1", pytrace=False)
    _missing[service] = why
    pytest.skip(f"!!! {message}: test SKIPPED")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


# --- settings isolation -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory):
    """No test reads the developer's KEFU_* variables or writes into ./data."""
    for name in list(os.environ):
        if name.startswith("KEFU_") and not name.startswith(("KEFU_REQUIRE_", "KEFU_TEST_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("KEFU_ENV", "test")
    get_settings.cache_clear()
    shops.CONFIGS.forget()
    yield
    get_settings.cache_clear()
    dispose_engines()


# --- PostgreSQL -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _pg_server() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    if not _port_open(PG_HOST, PG_PORT):
        return f"nothing listens on {PG_HOST}:{PG_PORT}"
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure to log in means "unavailable"
        return str(exc).splitlines()[0]
    return None


class _PgDatabases:
    """Creates and drops throwaway databases through one admin connection."""

    def __init__(self) -> None:
        self.engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        self.run = uuid.uuid4().hex[:8]
        self.template: str | None = None

    def create(self, template: str | None = None) -> str:
        name = f"kefu_test_{self.run}_{uuid.uuid4().hex[:8]}"
        clause = f" TEMPLATE {template}" if template else ""
        with self.engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        return name

    def drop(self, name: str) -> None:
        with self.engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    @staticmethod
    def url(name: str) -> str:
        return f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{name}"


@pytest.fixture(scope="session")
def _pg(_pg_server: str | None) -> Iterator[_PgDatabases | None]:
    if _pg_server is not None:
        yield None
        return
    databases = _PgDatabases()
    yield databases
    if databases.template:
        databases.drop(databases.template)
    databases.engine.dispose()


def _pg_database(request: pytest.FixtureRequest, *, migrated: bool) -> Iterator[str]:
    request.node.add_marker(pytest.mark.postgres)
    databases: _PgDatabases | None = request.getfixturevalue("_pg")
    if databases is None:
        _unavailable(request, "PostgreSQL", request.getfixturevalue("_pg_server"))
        return
    template = None
    if migrated:
        if databases.template is None:
            from kefu.db.migrate import upgrade

            name = databases.create()
            upgrade(databases.url(name))
            databases.template = name
        template = databases.template
    name = databases.create(template)
    try:
        yield databases.url(name)
    finally:
        dispose_engines()
        databases.drop(name)


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty throwaway PostgreSQL database (marks the test `postgres`)."""
    yield from _pg_database(request, migrated=False)


# --- SQLite ---------------------------------------------------------------------------------


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """An empty SQLite database file."""
    return f"sqlite:///{tmp_path / 'kefu.sqlite3'}"


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kefu.db.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"
    upgrade(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:  # fold the WAL into the file so a copy is complete
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


# --- either database ------------------------------------------------------------------------

_DB_PARAMS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=_DB_PARAMS)
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty database: SQLite, then PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture(params=_DB_PARAMS)
def migrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database at the newest migration: SQLite, then PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "kefu.sqlite3"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    yield from _pg_database(request, migrated=True)


@pytest.fixture
def engine(migrated_url: str):
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    """A session on a migrated database; the test commits what it wants to keep."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


# --- Redis and Chromium ---------------------------------------------------------------------


@pytest.fixture
def redis_url(request: pytest.FixtureRequest) -> str:
    """Redis database 15 on 127.0.0.1:6379, emptied first (marks the test `redis`)."""
    request.node.add_marker(pytest.mark.redis)
    url = f"redis://{REDIS_HOST}:{REDIS_PORT}/15"
    if not _port_open(REDIS_HOST, REDIS_PORT):
        _unavailable(request, "Redis", f"nothing listens on {REDIS_HOST}:{REDIS_PORT}")
    try:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=2)
        client.flushdb()
        client.close()
    except Exception as exc:
        _unavailable(request, "Redis", str(exc).splitlines()[0])
    return url


@pytest.fixture
def chromium_path(request: pytest.FixtureRequest) -> str:
    """Debian's chromium (marks the test `browser`)."""
    request.node.add_marker(pytest.mark.browser)
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(request, "Chromium", f"{CHROMIUM} not installed")
    return str(CHROMIUM)


# --- summary --------------------------------------------------------------------------------

_SERVICE_MARKERS = {"postgres": "PostgreSQL", "redis": "Redis", "browser": "browser"}


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    """How many tests that need a real service ran and passed, per service."""
    passed = [r for r in terminalreporter.stats.get("passed", []) if r.when == "call"]
    counts = {
        marker: sum(1 for report in passed if marker in report.keywords)
        for marker in _SERVICE_MARKERS
    }
    line = ", ".join(f"{_SERVICE_MARKERS[m]} {n}" for m, n in counts.items())
    terminalreporter.write_sep("-", "tests on real services")
    terminalreporter.write_line(f"passed: {line}")
    for service, why in sorted(_missing.items()):
        terminalreporter.write_line(
            f"!!! {service} was unavailable ({why}): its tests were SKIPPED", red=True, bold=True
        )
