"""Migrations build the whole schema on an empty database and agree with the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from kefu.db import migrate
from kefu.db.models import metadata
from kefu.db.session import make_engine


def test_upgrade_empty_database_creates_every_table(db_url: str) -> None:
    assert migrate.current_revision(db_url) is None

    migrate.upgrade(db_url)

    assert migrate.current_revision(db_url) == migrate.head_revision()
    migrate.check_up_to_date(db_url)  # does not raise
    engine = make_engine(db_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(metadata.tables) <= tables
    assert "alembic_version" in tables


def test_upgrade_twice_is_a_no_op(db_url: str) -> None:
    migrate.upgrade(db_url)
    migrate.upgrade(db_url)
    assert migrate.current_revision(db_url) == migrate.head_revision()


def test_models_and_migrations_agree(migrated_url: str) -> None:
    engine = make_engine(migrated_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_every_table_but_shops_is_scoped_by_shop() -> None:
    for table in metadata.sorted_tables:
        if table.name == "shops":
            continue
        assert "shop_id" in table.c, table.name
        (fk,) = table.c.shop_id.foreign_keys
        assert fk.target_fullname == "shops.id"


def test_check_up_to_date_on_an_unmigrated_database(sqlite_url: str) -> None:
    with pytest.raises(migrate.DatabaseError, match="run `kefu migrate`"):
        migrate.check_up_to_date(sqlite_url)


def test_check_up_to_date_on_an_older_migration(migrated_url: str) -> None:
    # Given a database stamped at a revision before the newest one
    engine = make_engine(migrated_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'base0'"))
    engine.dispose()
    # Then the check names the problem on one line; an unknown revision reads differently
    with pytest.raises(migrate.DatabaseError) as info:
        migrate.check_up_to_date(migrated_url)
    assert "\n" not in str(info.value)
    assert "base0" in str(info.value)


def test_check_up_to_date_names_an_older_known_revision(
    migrated_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pretend a newer migration exists: the database's real head is then "older".
    monkeypatch.setattr(migrate, "head_revision", lambda: "9999")
    with pytest.raises(migrate.DatabaseError, match=r"older migration .* run `kefu migrate`"):
        migrate.check_up_to_date(migrated_url)


def test_unreachable_database_is_one_clear_line() -> None:
    url = "postgresql+psycopg://postgres:secret@127.0.0.1:1/nowhere"
    for call in (migrate.check_up_to_date, migrate.current_revision, migrate.upgrade):
        with pytest.raises(migrate.DatabaseError) as info:
            call(url)
        message = str(info.value)
        assert message.startswith("cannot reach the database postgresql+psycopg://postgres:***@")
        assert "secret" not in message
        assert "\n" not in message


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        engine.dispose()


def test_a_database_at_a_real_older_revision(db_url: str) -> None:
    revisions = migrate.revisions()
    if len(revisions) < 2:
        pytest.skip("only one migration so far")
    oldest = revisions[-1]  # walk_revisions goes from head down to the first
    migrate.upgrade(db_url, oldest)

    with pytest.raises(migrate.DatabaseError) as info:
        migrate.check_up_to_date(db_url)
    assert f"older migration ({oldest}, newest {migrate.head_revision()})" in str(info.value)

    migrate.upgrade(db_url)  # and `kefu migrate` brings it forward
    migrate.check_up_to_date(db_url)
