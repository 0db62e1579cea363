"""Data commands: `kefu migrate`, `kefu demo`, `kefu import`, `kefu export`, `kefu users`.

They work on the configured database (KEFU_DATABASE_URL, default the embedded SQLite file).
A bad setting, an unreachable database or one at an older migration is one line on stderr
and exit 2; an import with bad lines prints them to stderr as `{"line": N, "error": ...}`,
goes on with the rest, prints its one-line summary and exits 1.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kefu.cli.batch import UsageError, load_shop
from kefu.cli.options import NowOption, ShopOption

# The database stack (SQLAlchemy, Alembic) is imported inside the commands: every `kefu`
# batch command loads this module, and most never touch a database.
if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from kefu.core.shopconfig import ShopConfig
    from kefu.db.models import User

import_app = typer.Typer(no_args_is_help=True)
export_app = typer.Typer(no_args_is_help=True)
users_app = typer.Typer(no_args_is_help=True)

ROLES = ("presale", "insale", "aftersale", "review", "supervisor", "manager", "admin")
ShopIdOption = Annotated[
    str | None, typer.Option("--shop-id", help="Shop to work on (default: the shop config's).")
]
FileArgument = Annotated[str, typer.Argument(help="JSON Lines file, or - for stdin.")]


def _database_url() -> str:
    from kefu.settings import SettingsError, get_settings

    try:
        return get_settings().effective_database_url
    except SettingsError as exc:
        raise UsageError(str(exc)) from None


@contextmanager
def _engine(*, check: bool = True) -> Iterator[Engine]:
    """The configured database, checked to be reachable and fully migrated."""
    from sqlalchemy.exc import OperationalError

    from kefu.db import migrate as db_migrate
    from kefu.db.session import make_engine

    url = _database_url()
    if check:
        try:
            db_migrate.check_up_to_date(url)
        except db_migrate.DatabaseError as exc:
            raise UsageError(str(exc)) from None
    engine = make_engine(url)
    try:
        yield engine
    except OperationalError as exc:
        raise UsageError(str(db_migrate._unreachable(url, exc))) from None
    finally:
        engine.dispose()


def _shop_config(engine: Engine, shop_file: str | None, shop_id: str | None) -> ShopConfig:
    """`--shop FILE` if given, else the stored config of `--shop-id`, else the demo shop."""
    from kefu.db.session import session_scope
    from kefu.services import shops

    if shop_file is not None:
        return load_shop(shop_file)
    with session_scope(engine) as session:
        return shops.load(session, shop_id or "demo")


# --- migrate / demo --------------------------------------------------------------------------


def migrate_command() -> int:
    """Create or upgrade the database schema to the newest migration."""
    from kefu.db import migrate as db_migrate

    url = _database_url()
    try:
        before = db_migrate.current_revision(url)
        db_migrate.upgrade(url)
    except db_migrate.DatabaseError as exc:
        raise UsageError(str(exc)) from None
    head = db_migrate.head_revision()
    where = db_migrate.safe_url(url)
    if before == head:
        print(f"database {where} is up to date (migration {head})")
    else:
        print(f"database {where} migrated from {before or 'empty'} to {head}")
    return 0


def demo_command() -> int:
    """Migrate, then load the demo shop 小鹿生活旗舰店 (idempotent)."""
    from kefu.db.session import session_scope
    from kefu.demo import DEMO_PASSWORD, generate_demo_shop
    from kefu.services.demo import load_demo_shop

    migrate_command()
    with _engine() as engine, session_scope(engine) as session:
        summary = load_demo_shop(session, generate_demo_shop())
    print(f"demo shop loaded: {summary.one_line()} (agents' password: {DEMO_PASSWORD})")
    return 0


# --- import ----------------------------------------------------------------------------------


def _count_lines(path: str) -> int | None:
    if path == "-" or not Path(path).is_file():
        return None
    with open(path, "rb") as stream:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b""))


def _run_import(kind: str, path: str, shop_file: str | None, shop_id: str | None) -> int:
    from kefu.services import imports

    if path != "-" and not Path(path).is_file():
        raise UsageError(f"no such file: {path}")
    with _engine() as engine:
        shop = _shop_config(engine, shop_file, shop_id)
        large = path != "-" and Path(path).stat().st_size > 1_000_000
        if large and sys.stderr.isatty():
            from rich.progress import Progress

            with Progress(transient=True) as bar:
                task = bar.add_task(f"importing {kind}", total=_count_lines(path))
                summary = imports.import_file(
                    engine,
                    kind,
                    path,
                    shop,
                    shop_id=shop_id,
                    progress=lambda n: bar.advance(task, n),
                )
        else:
            summary = imports.import_file(engine, kind, path, shop, shop_id=shop_id)
    for error in summary.errors:
        print(json.dumps(error.as_json(), ensure_ascii=False), file=sys.stderr)
    print(summary.one_line())
    return 1 if summary.errors else 0


@import_app.command("orders")
def import_orders(
    path: FileArgument,
    shop_id: ShopIdOption = None,
    shop: ShopOption = None,
    now: NowOption = None,
) -> int:
    """Import order records (upsert by order_id)."""
    return _run_import("orders", path, shop, shop_id)


@import_app.command("conversations")
def import_conversations(
    path: FileArgument,
    shop_id: ShopIdOption = None,
    shop: ShopOption = None,
    now: NowOption = None,
) -> int:
    """Import conversation records (upsert by conversation_id; messages are merged)."""
    return _run_import("conversations", path, shop, shop_id)


@import_app.command("tracking")
def import_tracking(
    path: FileArgument,
    shop_id: ShopIdOption = None,
    shop: ShopOption = None,
    now: NowOption = None,
) -> int:
    """Import tracking events (upsert by tracking_no, ts, status)."""
    return _run_import("tracking", path, shop, shop_id)


# --- export ----------------------------------------------------------------------------------

OutOption = Annotated[str | None, typer.Option("--out", help="Write here (default: stdout).")]
UnmaskedOption = Annotated[
    bool, typer.Option("--unmasked", help="Full phone/address; needs --by a manager.")
]
ByOption = Annotated[
    str | None, typer.Option("--by", help="Username of the manager making the export.")
]


def _run_export(
    kind: str,
    out: str | None,
    unmasked: bool,
    by: str | None,
    shop_file: str | None,
    shop_id: str | None,
) -> int:
    from kefu.db.base import utcnow
    from kefu.db.models import AuditEntry, Shop
    from kefu.db.session import session_scope
    from kefu.services.exports import EXPORTERS

    with _engine() as engine:
        shop = _shop_config(engine, shop_file, shop_id)
        shop_id = shop_id or shop.shop_id
        with session_scope(engine) as session:
            if session.get(Shop, shop_id) is None:
                raise UsageError(f"no shop {shop_id!r} in the database")
            if unmasked:
                manager = _manager(session, shop_id, by)
                # policies.md §5: every unmasked view is written to the audit log.
                session.add(
                    AuditEntry(
                        shop_id=shop_id,
                        actor_id=manager.id,
                        actor=manager.username,
                        action="export.unmasked",
                        target_type=kind,
                        target_id=out or "-",
                        at=utcnow(),
                    )
                )
                session.flush()
            stream = open(out, "w", encoding="utf-8") if out else sys.stdout  # noqa: SIM115
            try:
                for record in EXPORTERS[kind](session, shop_id, shop, unmasked=unmasked):
                    stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            finally:
                if out:
                    stream.close()
    sys.stdout.flush()
    return 0


def _manager(session: Session, shop_id: str, username: str | None) -> User:
    from sqlalchemy import select

    from kefu.db.models import User

    if not username:
        raise UsageError("--unmasked needs --by USERNAME, a manager of the shop")
    user = session.scalar(select(User).where(User.shop_id == shop_id, User.username == username))
    if user is None or not user.is_active or user.role != "manager":
        raise UsageError(f"--by {username}: not an active manager of shop {shop_id}")
    return user


@export_app.command("orders")
def export_orders(
    out: OutOption = None,
    unmasked: UnmaskedOption = False,
    by: ByOption = None,
    shop_id: ShopIdOption = None,
    shop: ShopOption = None,
    now: NowOption = None,
) -> int:
    """Export the shop's orders as formats.md JSON Lines (masked unless --unmasked)."""
    return _run_export("orders", out, unmasked, by, shop, shop_id)


@export_app.command("conversations")
def export_conversations(
    out: OutOption = None,
    unmasked: UnmaskedOption = False,
    by: ByOption = None,
    shop_id: ShopIdOption = None,
    shop: ShopOption = None,
    now: NowOption = None,
) -> int:
    """Export the shop's conversations as formats.md JSON Lines (masked unless --unmasked)."""
    return _run_export("conversations", out, unmasked, by, shop, shop_id)


# --- users -----------------------------------------------------------------------------------

PasswordOption = Annotated[
    str | None,
    typer.Option("--password", help="The password (default: asked for, without echo)."),
]


def _password(value: str | None) -> str:
    """The password given, else asked for twice without echo (its strength is checked by
    the action that sets it)."""
    if value is None:
        value = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@users_app.command("list")
def users_list(shop_id: Annotated[str, typer.Option("--shop-id")] = "demo") -> int:
    """List the shop's users: username, agent number, role, status, active."""
    from sqlalchemy import select

    from kefu.db.models import User
    from kefu.db.session import session_scope

    with _engine() as engine, session_scope(engine) as session:
        for user in session.scalars(
            select(User).where(User.shop_id == shop_id).order_by(User.username)
        ):
            active = "active" if user.is_active else "disabled"
            print(
                f"{user.username}\t{user.agent_no or '-'}\t{user.display_name or '-'}\t"
                f"{user.role}\t{user.status}\t{active}"
            )
    return 0


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument()],
    role: Annotated[str, typer.Option("--role", help=" | ".join(ROLES))] = "presale",
    name: Annotated[str, typer.Option("--name", help="Display name.")] = "",
    agent_no: Annotated[str | None, typer.Option("--agent-no", help="e.g. 客服8号")] = None,
    password: PasswordOption = None,
    shop_id: Annotated[str, typer.Option("--shop-id")] = "demo",
) -> int:
    """Add a user (agent, supervisor, manager or admin)."""
    from kefu.db.base import utcnow
    from kefu.db.session import session_scope
    from kefu.services import accounts

    if role not in ROLES:
        raise UsageError(f"--role {role!r}: expected one of {', '.join(ROLES)}")
    secret = _password(password)
    with _engine() as engine, session_scope(engine) as session:
        accounts.do_add_user(
            session,
            shop_id=shop_id,
            username=username,
            role=role,
            now=utcnow(),
            display_name=name,
            agent_no=agent_no,
            password=secret,
        )
    print(f"user {username} added ({role})")
    return 0


@users_app.command("set-password")
def users_set_password(
    username: Annotated[str, typer.Argument()],
    password: PasswordOption = None,
    shop_id: Annotated[str, typer.Option("--shop-id")] = "demo",
) -> int:
    """Set a user's password (asked for without echo unless --password); their sessions end."""
    from kefu.db.base import utcnow
    from kefu.db.session import session_scope
    from kefu.services import accounts

    secret = _password(password)
    with _engine() as engine, session_scope(engine) as session:
        user = accounts.access_user(session, shop_id, username)
        accounts.do_set_password(session, user, secret, now=utcnow())
    print(f"password of {username} set")
    return 0


@users_app.command("disable")
def users_disable(
    username: Annotated[str, typer.Argument()],
    shop_id: Annotated[str, typer.Option("--shop-id")] = "demo",
) -> int:
    """Disable a user (sign-in refused, sessions ended; the account and its history stay)."""
    from kefu.db.base import utcnow
    from kefu.db.session import session_scope
    from kefu.services import accounts

    with _engine() as engine, session_scope(engine) as session:
        user = accounts.access_user(session, shop_id, username)
        accounts.do_disable_user(session, user, now=utcnow())
    print(f"user {username} disabled")
    return 0
