"""Request dependencies shared by the JSON API and the pages: the unit of work, the clock,
the language, the caller and the permission check.

`Db` is the request's unit of work (ADR 0006). It ends when the route function returns and
BEFORE the response is sent (`scope="function"`): a client never gets a success for a
write that was not committed. After the commit, the events go to their listeners and then
to the realtime broker.

Two ways to be signed in (see `kefu.http.identity`): a browser session cookie, or an API
token for integrations (`Authorization: Bearer kefu_...`).

CSRF: the cookie is SameSite=Lax, and a state-changing call made with the cookie must also
carry a header no cross-site form can set (`HX-Request`, `X-Requested-With`, or a JSON
content type, all of which force a CORS preflight that this server never grants). Form
posts of the pages check their Origin instead (`same_origin`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, tzinfo
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from kefu.core.errors import PermissionDenied, Unauthenticated
from kefu.core.i18n import pick_lang, translate
from kefu.core.permissions import Permission, has_permission
from kefu.db.models.accounts import User
from kefu.db.models.shops import Shop
from kefu.db.uow import unit_of_work
from kefu.http.identity import raw_session_id
from kefu.services import accounts
from kefu.settings import Settings

LANG_COOKIE = "kefu_lang"
MAX_ROW_ID = 2**63 - 1  # the databases' BIGINT: a larger id can name no row
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def utc_now() -> datetime:
    return datetime.now(UTC)


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_now(request: Request) -> datetime:
    """The request's "now" (aware, UTC); tests replace `app.state.clock`."""
    if not hasattr(request.state, "now"):
        clock: Callable[[], datetime] = request.app.state.clock
        request.state.now = clock()
    now: datetime = request.state.now
    return now


def get_db(request: Request) -> Iterator[Session]:
    """The request's unit of work: committed when the route returns, before the answer."""
    publisher = getattr(request.app.state, "publisher", None)
    with unit_of_work(
        request.app.state.sessionmaker,
        now=get_now(request),
        publish=publisher.publish_threadsafe if publisher is not None else None,
    ) as session:
        yield session


def get_lang(request: Request) -> str:
    """UI language: `?lang=`, then the saved preference cookie, then Accept-Language."""
    return pick_lang(
        request.query_params.get("lang") or request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


Db = Annotated[Session, Depends(get_db, scope="function")]
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="A row id")]
Now = Annotated[datetime, Depends(get_now)]
Lang = Annotated[str, Depends(get_lang)]
AppSettings = Annotated[Settings, Depends(get_settings_dep)]


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
            raise Unauthenticated("bad_token", "API 令牌无效或已吊销")
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


def check_csrf(request: Request) -> None:
    """A cookie-authenticated write must carry a header no cross-site form can set."""
    if request.method in SAFE_METHODS or getattr(request.state, "auth", None) != "session":
        return
    headers = request.headers
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if headers.get("hx-request") or headers.get("x-requested-with"):
        return
    if content_type == "application/json":
        return
    raise PermissionDenied("csrf", "请求缺少防跨站校验头（HX-Request 或 JSON 请求）")


def same_origin(request: Request) -> bool:
    """A form POST must come from our own pages when the browser says where it came from."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.url.netloc


def current_user(request: Request, user: OptionalUser) -> User:
    """The signed-in user, or 401."""
    if user is None:
        raise Unauthenticated()
    check_csrf(request)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require(permission: Permission) -> Any:
    """A dependency letting in only roles holding `permission` (core.permissions); 403
    otherwise. Use as `Annotated[User, require(Permission.X)]` or in `dependencies=[...]`."""

    def check(user: CurrentUser, lang: Lang) -> User:
        if not has_permission(user.role, permission):
            raise PermissionDenied("forbidden", translate(lang, "error.forbidden"))
        return user

    check.__name__ = f"require_{permission.name.lower()}"
    check.permission = permission  # type: ignore[attr-defined]  # read by the permission tests
    return Depends(check)


def shop_tz(db: Session, shop_id: str) -> tzinfo:
    """The shop's timezone: API times are written with the shop's offset (formats.md)."""
    shop = db.get(Shop, shop_id)
    try:
        return ZoneInfo(shop.timezone if shop else "Asia/Shanghai")
    except (KeyError, ValueError):
        return ZoneInfo("Asia/Shanghai")
