"""Server-rendered pages (Jinja2 + htmx): sign-in, the agent workspace and its partials.

The pages call the same actions as the JSON API (`kefu.services.*`); htmx partials under
`/ui/` return HTML fragments, and the status switch talks to the JSON API directly.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from kefu.core.i18n import LANGS, normalize_lang, translate, translator
from kefu.db.models.accounts import User
from kefu.db.models.shops import Shop
from kefu.http.deps import (
    LANG_COOKIE,
    AppSettings,
    Db,
    Lang,
    Now,
    OptionalUser,
    same_origin,
    shop_tz,
)
from kefu.http.guard import clean_text
from kefu.http.identity import (
    clear_session_cookie,
    client_ip,
    raw_session_id,
    set_session_cookie,
)
from kefu.services import accounts, shops, workspace
from kefu.web import demo_logins

WEB_DIR = Path(__file__).parent
templates = Jinja2Templates(directory=WEB_DIR / "templates")
router = APIRouter(include_in_schema=False)


def fmt_wait(lang: str, seconds: int) -> str:
    """A waiting time as people say it: 45秒, 3分钟, 2小时, 1天."""
    if seconds < 60:
        return translate(lang, "time.seconds", n=seconds)
    if seconds < 3600:
        return translate(lang, "time.minutes", n=seconds // 60)
    if seconds < 86400:
        return translate(lang, "time.hours", n=seconds // 3600)
    return translate(lang, "time.days", n=seconds // 86400)


def render(
    request: Request,
    name: str,
    lang: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    tz: tzinfo | None = None,
) -> HTMLResponse:
    def fmt_time(value: datetime) -> str:
        local = value.astimezone(tz) if tz else value
        return local.strftime("%m-%d %H:%M")

    def path_for(route: str, **params: Any) -> str:
        # Relative paths: right behind any proxy, whatever Host it forwards.
        return str(request.app.url_path_for(route, **params))

    base = {
        "path_for": path_for,
        "lang": lang,
        "t": translator(lang),
        "fmt_wait": lambda s: fmt_wait(lang, s),
        "fmt_time": fmt_time,
    }
    response = templates.TemplateResponse(
        request, name, {**base, **context}, status_code=status_code
    )
    chosen = normalize_lang(request.query_params.get("lang"))
    if chosen in LANGS:  # `?lang=` is remembered as the user's preference
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, samesite="lax")
    return response


def safe_next(value: str | None) -> str:
    """Only a local path may follow sign-in (no open redirect to another site)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    return "/" if parts.scheme or parts.netloc else value


def shop_name(db: Session, shop_id: str | None) -> str:
    shop = db.get(Shop, shop_id) if shop_id else None
    return shop.name if shop else ""


def login_page(
    request: Request,
    db: Db,
    settings: AppSettings,
    lang: str,
    *,
    error: str | None = None,
    username: str = "",
    next_url: str = "/",
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "login.html",
        lang,
        {
            "error": error,
            "username": username,
            "next_url": next_url if next_url != "/" else "",
            "demo_logins": demo_logins.for_login_page(db, settings),
            "shop_name": demo_logins.single_shop_name(db),
        },
        status_code=status_code,
    )


@router.get("/login", response_class=HTMLResponse, name="login_form")
def login_form(
    request: Request, db: Db, settings: AppSettings, lang: Lang, user: OptionalUser
) -> Response:
    if user is not None:
        return RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    return login_page(
        request, db, settings, lang, next_url=safe_next(request.query_params.get("next"))
    )


@router.post("/login", response_class=HTMLResponse, name="login_submit")
def login_submit(
    request: Request,
    db: Db,
    now: Now,
    settings: AppSettings,
    lang: Lang,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next_url: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    if not same_origin(request):
        return Response("cross-site form refused", status_code=status.HTTP_403_FORBIDDEN)
    if not (clean_text(username) and clean_text(password)):
        username, password = "", ""  # unreadable input is no sign-in attempt
    if not username.strip() or not password:
        return login_page(
            request,
            db,
            settings,
            lang,
            error=translate(lang, "login.error.missing"),
            username=username,
            next_url=safe_next(next_url),
            status_code=status.HTTP_400_BAD_REQUEST,
        )
    try:
        _user, raw = accounts.do_login(
            db,
            username=username,
            password=password,
            now=now,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
        )
    except accounts.AuthError as exc:  # the page answers: the attempt's audit row is kept
        key = "login.error.disabled" if exc.code == "disabled" else "login.error.bad_credentials"
        return login_page(
            request,
            db,
            settings,
            lang,
            error=translate(lang, key),
            username=username,
            next_url=safe_next(next_url),
            status_code=status.HTTP_401_UNAUTHORIZED,
        )
    response = RedirectResponse(safe_next(next_url), status_code=status.HTTP_303_SEE_OTHER)
    set_session_cookie(request, response, settings, raw)
    return response


@router.post("/logout", name="logout_submit")
def logout_submit(request: Request, db: Db, now: Now, settings: AppSettings) -> Response:
    if not same_origin(request):
        return Response("cross-site form refused", status_code=status.HTTP_403_FORBIDDEN)
    raw = raw_session_id(request, settings)
    if raw is not None:
        accounts.do_logout(db, raw, now)
    response = RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
    clear_session_cookie(request, response)
    return response


def _signin_redirect(request: Request) -> Response:
    if request.headers.get("hx-request"):  # htmx follows this header with a full page load
        return Response(status_code=status.HTTP_401_UNAUTHORIZED, headers={"HX-Redirect": "/login"})
    target = request.url.path
    query = f"?next={target}" if target != "/" else ""
    return RedirectResponse(f"/login{query}", status_code=status.HTTP_303_SEE_OTHER)


def _list_context(db: Session, user: User, now: datetime) -> dict[str, Any]:
    if user.role == accounts.ADMIN:
        return {"groups": [], "finished": [], "admin_note": True}
    items = workspace.list_conversations(db, user, now=now, status="recent")
    groups, finished = workspace.group_by_queue(items, workspace.viewer_queues(user))
    qa = shops.config(db, user.shop_id).qa  # a wait turns red past these (§6)
    return {
        "groups": groups,
        "finished": finished,
        "admin_note": False,
        "sla_first_seconds": int(qa.first_response_seconds),
        "sla_reply_seconds": int(qa.response_seconds),
    }


@router.get("/", response_class=HTMLResponse, name="home")
def home(request: Request, db: Db, now: Now, lang: Lang, user: OptionalUser) -> Response:
    if user is None:
        return _signin_redirect(request)
    return render(
        request,
        "home.html",
        lang,
        {
            "me": accounts.user_public(user),
            "shop_name": shop_name(db, user.shop_id),
            **_list_context(db, user, now),
        },
    )


@router.get("/ui/conversations", response_class=HTMLResponse, name="ui_conversation_list")
def ui_conversation_list(
    request: Request, db: Db, now: Now, lang: Lang, user: OptionalUser
) -> Response:
    if user is None:
        return _signin_redirect(request)
    return render(request, "partials/conversation_list.html", lang, _list_context(db, user, now))


@router.get(
    "/ui/conversations/{conversation_id}", response_class=HTMLResponse, name="ui_conversation"
)
def ui_conversation(
    conversation_id: str, request: Request, db: Db, now: Now, lang: Lang, user: OptionalUser
) -> Response:
    if user is None:
        return _signin_redirect(request)
    try:
        detail = workspace.access_conversation(db, user, conversation_id, now=now)
    except (accounts.NotFound, accounts.PermissionDenied):
        return HTMLResponse(
            f'<div class="placeholder">{translate(lang, "error.not_found")}</div>',
            status_code=status.HTTP_404_NOT_FOUND,
        )
    summary = detail.summary
    conv = {
        "id": summary.id,
        "buyer_id": summary.buyer_id,
        "buyer_nickname": summary.buyer_nickname,
        "queue": summary.queue,
        "agent_no": summary.agent_no,
        "messages": detail.messages,
    }
    return render(
        request,
        "partials/conversation.html",
        lang,
        {"conv": conv, "buyer": detail.buyer},
        tz=shop_tz(db, user.shop_id),
    )
