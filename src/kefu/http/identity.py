"""Who is calling: signed session cookies for agents, signed buyer tokens for buyers, the
client's address. Shared by the JSON API, the WebSocket endpoints and the pages.

- An agent's browser session: cookie `kefu_session` holding a random session id signed
  with KEFU_SECRET_KEY (itsdangerous); the id's SHA-256 is a `web_sessions` row, so signing
  out or revoking it kills the cookie even if someone kept a copy.
- A buyer: a token naming (shop, buyer) signed with the same key under another salt; the web
  chat page keeps it in the `kefu_buyer` cookie, a marketplace connector mints its own.
"""

from __future__ import annotations

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import HTTPConnection

from kefu.services import accounts
from kefu.settings import Settings

SESSION_COOKIE = "kefu_session"
BUYER_COOKIE = "kefu_buyer"
BUYER_TOKEN_MAX_AGE = 30 * 86400
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def _session_serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.effective_secret_key, salt="kefu.session")


def sign_session(settings: Settings, raw: str) -> str:
    return _session_serializer(settings).dumps(raw)


def unsign_session(settings: Settings, value: str) -> str | None:
    max_age = int(accounts.SESSION_LIFETIME.total_seconds())
    try:
        raw = _session_serializer(settings).loads(value, max_age=max_age)
    except BadSignature:  # also covers SignatureExpired
        return None
    return raw if isinstance(raw, str) else None


def cookie_is_secure(request: HTTPConnection) -> bool:
    """Secure everywhere but plain-http development on the loopback address."""
    return request.url.scheme in ("https", "wss") or (request.url.hostname or "") not in LOCAL_HOSTS


def set_session_cookie(request: Request, response: Response, settings: Settings, raw: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        sign_session(settings, raw),
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=cookie_is_secure(request),
        path="/",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="lax", secure=cookie_is_secure(request), path="/"
    )


def raw_session_id(connection: HTTPConnection, settings: Settings) -> str | None:
    """The session id from the signed cookie of a request or a WebSocket, if valid."""
    value = connection.cookies.get(SESSION_COOKIE)
    return unsign_session(settings, value) if value else None


def _buyer_serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.effective_secret_key, salt="kefu.buyer")


def sign_buyer_token(settings: Settings, shop_id: str, buyer_id: str) -> str:
    """A buyer's signed identity for one shop (the web chat page or a connector mints it)."""
    return _buyer_serializer(settings).dumps({"shop": shop_id, "buyer": buyer_id})


def read_buyer_token(settings: Settings, token: str) -> tuple[str, str] | None:
    try:
        data = _buyer_serializer(settings).loads(token, max_age=BUYER_TOKEN_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    shop, buyer = data.get("shop"), data.get("buyer")
    if isinstance(shop, str) and isinstance(buyer, str) and shop and buyer:
        return shop, buyer
    return None


def client_ip(connection: HTTPConnection) -> str:
    return connection.client.host if connection.client else ""
