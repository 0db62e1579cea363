"""The FastAPI application: JSON API under `/api/v1`, web pages, static files, `/healthz`.

`create_app(settings)` builds a fresh app (tests make one per database); `uvicorn` serves
`kefu.app:create_app` with `--factory`, or the CLI's `kefu run` / `kefu serve`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from kefu import __version__
from kefu.api import ws
from kefu.api.routes import agents, auth, chat, conversations, tokens
from kefu.api.routes import floor as floor_routes
from kefu.api.routes import orders_problems as problem_routes
from kefu.api.routes import qa as qa_routes
from kefu.api.schemas import HealthOut
from kefu.db.session import make_engine, session_factory
from kefu.http import errors
from kefu.http.deps import utc_now
from kefu.http.guard import InputGuard
from kefu.realtime.hub import ChatHub
from kefu.services import domains
from kefu.settings import Settings, get_settings
from kefu.web import chat_pages, floor_pages, orders_pages, pages, qa_pages

STATIC_DIR = pages.WEB_DIR / "static"

# The pages load only our own files (htmx is vendored from the npm lock, never a CDN).
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
}


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """Build the app. `engine` (else one made from the settings' database URL) and `clock`
    (else the wall clock, UTC) are injectable for tests."""
    settings = settings or get_settings()
    owns_engine = engine is None
    bound = engine if engine is not None else make_engine(settings.effective_database_url)

    domains.load()  # every domain's listeners and job kinds

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await hub.start()  # the live chat's broker (in-process or Redis)
        yield
        await hub.stop()
        if owns_engine:
            bound.dispose()

    app = FastAPI(
        title="kefu 客服工作台 API",
        version=__version__,
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI would load from a CDN; the schema is enough
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = bound
    app.state.sessionmaker = session_factory(bound)
    app.state.clock = clock or utc_now
    hub = ChatHub(
        app.state.sessionmaker,
        lambda: app.state.clock(),  # tests replace the clock after the app is built
        redis_url=settings.redis_url,
        engine=bound,
    )
    app.state.chat_hub = hub
    app.state.publisher = hub.publisher  # HTTP writes publish their events through it
    errors.install(app)
    app.add_middleware(InputGuard)  # the outermost check: unreadable paths never route

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith(("/api/", "/ui/")) or request.url.path in ("/", "/login"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.get("/healthz", response_model=HealthOut, tags=["health"])
    def healthz() -> JSONResponse:
        """Liveness and database reachability (for load balancers and `make run`)."""
        database = "ok"
        try:
            with bound.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            database = "error"
        body = HealthOut(
            status="ok" if database == "ok" else "degraded",
            database=database,  # type: ignore[arg-type]
            version=__version__,
        )
        return JSONResponse(body.model_dump(), status_code=200 if database == "ok" else 503)

    for router in (auth.router, agents.router, conversations.router, tokens.router):
        app.include_router(router)
    app.include_router(chat.router)  # quick replies, 智能推荐
    app.include_router(pages.router)
    app.include_router(qa_routes.router)  # 质检: guard, results, appeals
    app.include_router(qa_pages.router)
    app.include_router(ws.router)
    app.include_router(chat_pages.router)
    app.include_router(problem_routes.router)  # 问题订单: board, resolve, digest
    app.include_router(orders_pages.router)
    app.include_router(floor_routes.router)  # 现场监控: the live floor view
    app.include_router(floor_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
