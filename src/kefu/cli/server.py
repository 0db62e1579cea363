"""`kefu run` (try it out: demo shop, local address) and `kefu serve` (production).

`run` is what `make run` calls: it makes the data folder, migrates, loads the demo shop
into an empty database, prints the address and the demo logins, then serves. `serve` never
loads demo data and refuses a database that is not at the newest migration or a missing
or well-known secret key: in production those are mistakes to stop at, not to paper over.
"""

from __future__ import annotations

import gc
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer
from sqlalchemy import func, select

from kefu.db.migrate import DatabaseError, check_up_to_date, upgrade
from kefu.db.models.shops import Shop
from kefu.db.session import make_engine, session_scope
from kefu.settings import KNOWN_DEFAULT_SECRETS, Settings, SettingsError, load_settings

BindOption = Annotated[
    str | None, typer.Option("--bind", help="HOST:PORT to listen on (default KEFU_BIND)")
]


def _fail(message: str, code: int = 1) -> typer.Exit:
    print(f"kefu: error: {message}", file=sys.stderr)
    return typer.Exit(code)


def _settings(**overrides: object) -> Settings:
    try:
        return load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except SettingsError as exc:
        raise _fail(str(exc), 2) from None


def _database_is_empty(url: str) -> bool:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            return not session.scalar(select(func.count()).select_from(Shop))
    finally:
        engine.dispose()


def _load_demo(settings: Settings) -> None:
    """The demo shop, generated around the wall clock so its chats look current."""
    from kefu.demo import generate_demo_shop
    from kefu.services.demo import load_demo_shop

    engine = make_engine(settings.effective_database_url)
    try:
        with session_scope(engine) as session:
            summary = load_demo_shop(session, generate_demo_shop(now=datetime.now(UTC)))
    finally:
        engine.dispose()
    print(f"demo shop loaded: {summary.one_line()}")


def _print_demo_logins(settings: Settings) -> None:
    from kefu.web.demo_logins import for_login_page

    engine = make_engine(settings.effective_database_url)
    try:
        with session_scope(engine) as session:
            logins = for_login_page(session, settings)
    finally:
        engine.dispose()
    if not logins:
        return
    print(f"演示账号 demo logins (password / 密码 for all: {logins[0].password}):")
    for login in logins:
        number = f"  {login.agent_no}" if login.agent_no else ""
        print(f"  {login.username:<10} {login.role:<11}{number}")


def _serve(settings: Settings, *, with_scheduler: bool = False) -> None:
    """Serve the app; `kefu run` also runs the durable scheduler in-process (one-process
    install), while a production deployment runs `kefu worker` processes beside `serve`."""
    import uvicorn

    from kefu.app import create_app

    stop = None
    app = create_app(settings)
    if with_scheduler:  # its writes reach the live clients through the app's publisher
        from kefu.workers import start_in_thread

        publish = app.state.publisher.publish_threadsafe
        _, stop = start_in_thread(settings.effective_database_url, publish=publish)
    # The assistant's intent model routes every new conversation and answers buyers: load
    # it now (the first start after an install also fits it, 15-30 s, then it is cached),
    # so no buyer waits for it, and so it is part of what the GC is told to leave alone.
    print("loading the assistant's model …", flush=True)
    from kefu.core.assistant.answer import default_understand

    default_understand("你好")
    # What is loaded by now (modules, the app) lives as long as the process: out of the
    # collector's sight, each full collection under load walks only what came later.
    gc.collect()
    gc.freeze()
    try:
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            proxy_headers=True,
            log_level="info",
            # Chat frames are short: per-message deflate costs more CPU than it saves.
            ws_per_message_deflate=False,
        )
    finally:
        if stop is not None:
            stop.set()


def run(
    bind: BindOption = None,
    demo: Annotated[
        bool, typer.Option("--demo/--no-demo", help="Load the demo shop into an empty database")
    ] = True,
) -> None:
    """Start kefu locally: migrate, load the demo shop when the database is empty, serve."""
    settings = _settings(bind=bind, demo=demo)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.effective_database_url
    try:
        upgrade(url)
        if settings.demo and _database_is_empty(url):
            print("loading the demo shop 小鹿生活旗舰店 …")
            _load_demo(settings)
    except DatabaseError as exc:
        raise _fail(str(exc)) from None
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    print(f"kefu 客服工作台: http://{host}:{settings.port}")
    if settings.demo:
        _print_demo_logins(settings)
    _serve(settings, with_scheduler=True)


def serve(bind: BindOption = None) -> None:
    """Serve in production: no demo data; the database must already be migrated."""
    settings = _settings(bind=bind, demo=False)
    key = (settings.secret_key or "").strip()
    if key.lower() in KNOWN_DEFAULT_SECRETS or len(key) < 16:
        raise _fail("KEFU_SECRET_KEY must be set to a random secret of 16+ characters", 2)
    try:
        check_up_to_date(settings.effective_database_url)
    except DatabaseError as exc:
        raise _fail(str(exc)) from None
    _serve(settings)
