"""Request dependencies: database session, clock, the signed-in user and role checks.

Two ways to be signed in:
- a browser session: cookie `kefu_session` holding a random session id signed with
  KEFU_SECRET_KEY (itsdangerous); the id's SHA-256 is a `web_sessions` row, so signing out
  or revoking it kills the cookie even if someone kept a copy;
- an API token for integrations: `Authorization: Bearer kefu_...`.

CSRF: the cookie is SameSite=Lax, and a state-changing API call made with the cookie must
also carry a header no cross-site form can set (`HX-Request`, `X-Requested-With`, or a JSON
content type, all of which force a CORS preflight that this server never grants).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Response, status
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from kefu.db.models.accounts import User
from kefu.db.session import transaction
from kefu.services import accounts
from kefu.settings import Settings
from kefu.web.i18n import pick_lang, translate

SESSION_COOKIE = "kefu_session"
LANG_COOKIE = "kefu_lang"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ApiError(HTTPException):
    """An API error with a stable `code` and a message for people (zh-CN by default)."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(status_code=status_code, detail=message)
        self.code = code


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on error."""
    with transaction(request.app.state.sessionmaker()) as session:
        yield session


def get_now(request: Request) -> datetime:
    """The request's "now" (aware, UTC); tests replace `app.state.clock`."""
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


def utc_now() -> datetime:
    return datetime.now(UTC)


def get_lang(request: Request) -> str:
    """UI language: `?lang=`, then the saved preference cookie, then Accept-Language."""
    return pick_lang(
        request.query_params.get("lang") or request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


Db = Annotated[Session, Depends(get_db)]
Now = Annotated[datetime, Depends(get_now)]
Lang = Annotated[str, Depends(get_lang)]
AppSettings = Annotated[Settings, Depends(get_settings_dep)]


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.effective_secret_key, salt="kefu.session")


def sign_session(settings: Settings, raw: str) -> str:
    return _serializer(settings).dumps(raw)


def unsign_session(settings: Settings, value: str) -> str | None:
    max_age = int(accounts.SESSION_LIFETIME.total_seconds())
    try:
        raw = _serializer(settings).loads(value, max_age=max_age)
    except BadSignature:  # also covers SignatureExpired
        return None
    return raw if isinstance(raw, str) else None


def cookie_is_secure(request: Request) -> bool:
    """Secure everywhere but plain-http development on the loopback address."""
    return request.url.scheme == "https" or (request.url.hostname or "") not in LOCAL_HOSTS


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


def raw_session_id(request: Request, settings: Settings) -> str | None:
    value = request.cookies.get(SESSION_COOKIE)
    return unsign_session(settings, value) if value else None


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def optional_user(request: Request, db: Db, now: Now, settings: AppSettings) -> User | None:
    """The caller, from a bearer token or the session cookie; None when anonymous.

    A bearer header that does not resolve is an error (401), never a silent fallback to
    the cookie: an integration with a revoked token must notice.
    """
    token = _bearer(request)
    if token is not None:
        user = accounts.access_token_user(db, token, now)
        if user is None:
            raise ApiError(status.HTTP_401_UNAUTHORIZED, "bad_token", "API 令牌无效或已吊销")
        request.state.auth = "token"
        return user
    raw = raw_session_id(request, settings)
    if raw is None:
        return None
    user = accounts.access_session_user(db, raw, now)
    if user is not None:
        request.state.auth = "session"
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]


def _check_csrf(request: Request) -> None:
    if request.method in SAFE_METHODS or getattr(request.state, "auth", None) != "session":
        return
    headers = request.headers
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if headers.get("hx-request") or headers.get("x-requested-with"):
        return
    if content_type == "application/json":
        return
    raise ApiError(
        status.HTTP_403_FORBIDDEN, "csrf", "请求缺少防跨站校验头（HX-Request 或 JSON 请求）"
    )


def current_user(request: Request, user: OptionalUser) -> User:
    """The signed-in user, or 401."""
    if user is None:
        raise ApiError(status.HTTP_401_UNAUTHORIZED, "not_authenticated", "请先登录")
    _check_csrf(request)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require_role(*allowed: str) -> Any:
    """A dependency letting in only the named roles (a ladder role is a minimum, see
    `accounts.role_allows`); 403 otherwise. Use as `Depends(require_role("supervisor"))`."""
    for role in allowed:
        if role not in accounts.ALL_ROLES:
            raise ValueError(f"unknown role {role!r}")

    def check(user: CurrentUser, lang: Lang) -> User:
        if not accounts.role_allows(user.role, allowed):
            raise ApiError(
                status.HTTP_403_FORBIDDEN, "forbidden", translate(lang, "error.forbidden")
            )
        return user

    return Depends(check)
