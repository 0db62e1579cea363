"""Chat pages: the buyer's web chat `/chat/{shop_id}` (standing in for the marketplace IM)
and the agent's live inbox `/inbox`; plus quick replies and chat images.

Both pages run `static/js/chat.js` over the WebSocket endpoints of `chat_ws`. Message text
is only ever put into the page as text (Jinja autoescape, `textContent` in the script).
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from sqlalchemy import select

from kefu.core import vocabulary
from kefu.db.models.accounts import User
from kefu.db.models.shops import Shop
from kefu.http.deps import AppSettings, Db, Lang, Now, OptionalUser
from kefu.http.identity import (
    BUYER_COOKIE,
    BUYER_TOKEN_MAX_AGE,
    cookie_is_secure,
    read_buyer_token,
    sign_buyer_token,
)
from kefu.services import accounts, inbox, shops, workspace
from kefu.services.media import ImageStore
from kefu.web.pages import render

router = APIRouter(include_in_schema=False)


@router.get("/chat/{shop_id}", response_class=HTMLResponse, name="buyer_chat")
def buyer_chat(shop_id: str, request: Request, db: Db, settings: AppSettings) -> Response:
    """The buyer's chat page. A visitor gets a buyer id of their own, kept in a signed
    cookie; the WebSocket reads it from there (never from anything the page could forge)."""
    shop = db.get(Shop, shop_id)
    if shop is None or not shop.is_active:
        return HTMLResponse("店铺不存在", status_code=status.HTTP_404_NOT_FOUND)
    token = request.cookies.get(BUYER_COOKIE, "")
    identity = read_buyer_token(settings, token) if token else None
    if identity is None or identity[0] != shop_id:
        identity = (shop_id, f"{inbox.WEB_VISITOR_PREFIX}{secrets.token_hex(6)}")
        token = sign_buyer_token(settings, *identity)
    response = render(
        request,
        "chat/buyer.html",
        "zh-CN",
        {"shop": shop, "buyer_id": identity[1]},
    )
    response.set_cookie(
        BUYER_COOKIE,
        token,
        max_age=BUYER_TOKEN_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=cookie_is_secure(request),
        path="/",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/inbox", response_class=HTMLResponse, name="agent_inbox")
def agent_inbox(request: Request, db: Db, now: Now, lang: Lang, user: OptionalUser) -> Response:
    """The agent's live workspace: conversation list, chat panel, transfer and close."""
    if user is None:
        return RedirectResponse("/login?next=/inbox", status_code=status.HTTP_303_SEE_OTHER)
    if user.role == accounts.ADMIN:
        return RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    items = workspace.list_conversations(db, user, now=now, status="active")
    colleagues = db.scalars(
        select(User)
        .where(User.shop_id == user.shop_id, User.is_active.is_(True), User.id != user.id)
        .where(User.role != accounts.ADMIN)
        .order_by(User.username)
    ).all()
    shop = db.get(Shop, user.shop_id)
    qa = shops.config(db, user.shop_id).qa  # waiting turns red past these (§6)
    queue_labels = vocabulary.labels(vocabulary.Queue, lang)
    response = render(
        request,
        "chat/agent.html",
        lang,
        {
            "me": user,
            "me_label": inbox.agent_label(user),
            "shop_name": shop.name if shop else "",
            "items": items,
            "queues": list(queue_labels.items()),
            "queue_labels": queue_labels,
            "colleagues": [(u.username, inbox.agent_label(u)) for u in colleagues],
            "sla_first_seconds": int(qa.first_response_seconds),
            "sla_reply_seconds": int(qa.response_seconds),
        },
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/chat/images/{name}", name="chat_image")
def chat_image(name: str, settings: AppSettings) -> Response:
    """A chat image by its content hash (unguessable; checked by content on upload)."""
    path = ImageStore(settings.data_dir).path(name)
    if path is None:
        return Response(status_code=status.HTTP_404_NOT_FOUND)
    return FileResponse(path, media_type=f"image/{name.rsplit('.', 1)[1]}")
