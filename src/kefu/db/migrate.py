"""Run and check migrations programmatically (no alembic.ini needed).

`upgrade(url)` brings a database to the newest schema; `check_up_to_date(url)` is called at
start by the server and the data commands so that an old database fails with one line
telling to run `kefu migrate`, and an unreachable one with one line naming the address.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from kefu.db.session import make_engine

# Alembic is imported inside the functions: this module is imported by every entry point
# that checks the schema at start, and most `kefu` commands never migrate anything.
if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class DatabaseError(Exception):
    """The database is unreachable or not at the expected schema; the message is one line."""


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Alembic's config is an INI parser: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None, "no migration found"
    return head


def revisions() -> list[str]:
    """Every migration's revision, newest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [rev.revision for rev in script.walk_revisions()]


def safe_url(url: str) -> str:
    """The URL with its password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def _unreachable(url: str, exc: Exception) -> DatabaseError:
    reason = str(getattr(exc, "orig", exc) or exc).strip().splitlines()
    detail = reason[0] if reason else type(exc).__name__
    return DatabaseError(f"cannot reach the database {safe_url(url)}: {detail}")


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at `url` to `revision` (default: the newest)."""
    from alembic import command

    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except OperationalError as exc:
        raise _unreachable(url, exc) from exc
    finally:
        engine.dispose()


def _current(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def current_revision(url: str) -> str | None:
    """The database's revision (None: never migrated)."""
    engine = make_engine(url)
    try:
        return _current(engine)
    except OperationalError as exc:
        raise _unreachable(url, exc) from exc
    finally:
        engine.dispose()


def check_up_to_date(url: str) -> None:
    """Raise `DatabaseError` (one line) unless the database is at the newest migration."""
    try:
        current = current_revision(url)
    except SQLAlchemyError as exc:
        raise _unreachable(url, exc) from exc
    head = head_revision()
    if current == head:
        return
    where = safe_url(url)
    if current is None:
        raise DatabaseError(f"the database {where} has no kefu tables yet: run `kefu migrate`")
    known = set(revisions())
    if current not in known:
        raise DatabaseError(
            f"the database {where} is at migration {current}, unknown to this kefu "
            f"(newer version?); expected {head}"
        )
    raise DatabaseError(
        f"the database {where} is at an older migration ({current}, newest {head}): "
        "run `kefu migrate`"
    )
