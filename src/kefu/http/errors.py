"""One translation of errors into HTTP answers, for the API and the pages alike.

- `DomainError` → its status and `{"detail": message, "code": code}` (the `ErrorOut`
  schema), the message in the caller's language when the catalogue has `error.<code>`.
- A request that does not match the schema → 422 with the field paths, never the input
  echoed back (a 10 MB body is not returned to its sender).
- The database unreachable → 503 `unavailable`: nothing was changed, try again.
- Anything else → 500 `internal` with no trace in the body (the log has it).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from kefu.core.errors import DomainError, Unavailable
from kefu.core.i18n import MESSAGES, translate
from kefu.http.deps import get_lang

log = logging.getLogger("kefu.http")


def error_message(lang: str, error: DomainError) -> str:
    """The error's message in `lang` when the catalogue has its key, else as raised."""
    key = error.message_key
    if key in MESSAGES.get(lang, {}) and not error.params:
        return translate(lang, key)
    return error.message


def error_body(lang: str, error: DomainError) -> dict[str, Any]:
    return {"detail": error_message(lang, error), "code": error.code}


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Where the request went wrong and why; the offending input is left out."""
    return [
        {"loc": list(error.get("loc", ())), "msg": str(error.get("msg", ""))[:200]}
        for error in exc.errors()[:20]
    ]


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(error_body(get_lang(request), exc), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            {"detail": _validation_errors(exc), "code": "bad_request"}, status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
            exc.status_code, "http_error"
        )
        detail = exc.detail if isinstance(exc.detail, str) else "请求无效"
        return JSONResponse(
            {"detail": detail, "code": code},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    async def database_down(request: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable: %s", str(exc).splitlines()[0] if str(exc) else exc)
        return JSONResponse(
            error_body(get_lang(request), Unavailable()),
            status_code=Unavailable.status,
            headers={"Retry-After": "5"},
        )

    app.add_exception_handler(OperationalError, database_down)
    app.add_exception_handler(PoolTimeout, database_down)

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            return await database_down(request, exc)
        log.exception("database error", exc_info=exc)
        return JSONResponse({"detail": "服务器内部错误", "code": "internal"}, status_code=500)
