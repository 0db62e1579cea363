"""Input that no part of kefu can hold is refused at the door, before any route runs.

A path or query with a NUL byte, an invalid UTF-8 sequence or a lone surrogate would reach
the database (PostgreSQL refuses NUL in text) or a template; it gets a 400 instead. JSON
bodies are checked the same way by the API's input models (`kefu.api.schemas.Input`).
"""

from __future__ import annotations

import json
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send

BAD_INPUT = {"detail": "请求含有不允许的字符", "code": "bad_request"}


def clean_text(value: str) -> bool:
    """No NUL and no lone surrogate (neither can be stored or sent on as UTF-8)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _clean_bytes(raw: bytes) -> bool:
    decoded = unquote_to_bytes(raw)
    if b"\x00" in decoded:
        return False
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class InputGuard:
    """ASGI middleware: a request whose path or query is not clean text gets a 400."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and not (
            clean_text(scope.get("path", "")) and _clean_bytes(scope.get("query_string", b""))
        ):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 4400})
                return
            body = json.dumps(BAD_INPUT, ensure_ascii=False).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
