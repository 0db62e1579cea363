"""Alembic environment: the URL comes from `kefu.db.migrate` (or the settings), never a file.

`render_as_batch=True` lets later migrations alter tables on SQLite (which cannot ALTER most
things) by copying the table; on PostgreSQL it is a no-op.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from kefu.db.models import metadata
from kefu.db.session import make_engine
from kefu.db.types_render import render_item

config = context.config


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
    )


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from kefu.settings import get_settings

        url = get_settings().effective_database_url
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
