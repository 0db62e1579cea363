"""Chat pages: the buyer's web chat `/chat/{shop_id}` (standing in for the marketplace IM)
and the agent's live inbox `/inbox`; plus quick replies and chat images.

Both pages run `static/js/chat.js` over the WebSocket endpoints of `chat_ws`. Message text
is only ever put into the page as text (Jinja autoescape, `textContent` in the script).
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from sqlalchemy import select

from kefu.api.deps import AppSettings, CurrentUser, Db, Lang, Now, OptionalUser, cookie_is_secure
from kefu.api.routes.chat_ws import (
    BUYER_COOKIE,
    BUYER_TOKEN_MAX_AGE,
    read_buyer_token,
    sign_buyer_token,
)
from kefu.core.inbox.routing import QUEUE_LABELS, QUEUES
from kefu.db.models.accounts import User
from kefu.db.models.shops import Shop
from kefu.services import accounts, assistant_bot, inbox, workspace
from kefu.services.inbox import InboxError
from kefu.web.pages import render

router = APIRouter(include_in_schema=False)
IMAGE_NAME = re.compile(r"^[0-9a-f]{64}\.(jpeg|png|webp|gif)$")


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
    qa = inbox.shop_config(db, user.shop_id).qa  # waiting turns red past these (§6)
    response = render(
        request,
        "chat/agent.html",
        lang,
        {
            "me": user,
            "me_label": inbox.agent_label(user),
            "shop_name": shop.name if shop else "",
            "items": items,
            "queues": [(q, QUEUE_LABELS[q]) for q in QUEUES],
            "queue_labels": QUEUE_LABELS,
            "colleagues": [(u.username, inbox.agent_label(u)) for u in colleagues],
            "sla_first_seconds": int(qa.first_response_seconds),
            "sla_reply_seconds": int(qa.response_seconds),
        },
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/api/v1/chat/conversations/{conversation_id}/quick-replies", name="quick_replies")
def quick_replies(conversation_id: str, db: Db, user: CurrentUser) -> Response:
    """The quick replies 快捷短语 for this conversation, variables filled."""
    try:
        conv = inbox.access_conversation(db, user.shop_id, conversation_id)
        inbox.check_agent_access(user, conv, write=False)
    except InboxError as exc:
        return JSONResponse(
            {"code": exc.code, "detail": exc.message}, status_code=status.HTTP_404_NOT_FOUND
        )
    return JSONResponse(inbox.access_quick_replies(db, user, conv))


@router.get("/api/v1/chat/conversations/{conversation_id}/suggestions", name="reply_suggestions")
def reply_suggestions(
    conversation_id: str, db: Db, user: CurrentUser, now: Now, seq: int | None = None
) -> Response:
    """Agent assist 智能推荐: the top 3 drafts for the selected buyer message (`seq`, default
    the latest), for the agent to edit before sending. Only for whoever may answer the
    conversation: its agent, or a supervisor and up (an unassigned one: its queue's agents)."""
    try:
        conv = inbox.access_conversation(db, user.shop_id, conversation_id)
        inbox.check_agent_access(user, conv, write=True)
    except InboxError as exc:
        code = status.HTTP_403_FORBIDDEN if exc.code == "FORBIDDEN" else status.HTTP_404_NOT_FOUND
        return JSONResponse({"code": exc.code, "detail": exc.message}, status_code=code)
    drafts = assistant_bot.suggest_for_conversation(db, conv, user, now, seq=seq)
    return JSONResponse({"suggestions": drafts})


@router.get("/chat/images/{name}", name="chat_image")
def chat_image(name: str, settings: AppSettings) -> Response:
    """A chat image by its content hash (unguessable; checked by content on upload)."""
    if not IMAGE_NAME.match(name):
        return Response(status_code=status.HTTP_404_NOT_FOUND)
    path = Path(settings.data_dir) / "images" / name
    if not path.is_file():
        return Response(status_code=status.HTTP_404_NOT_FOUND)
    return FileResponse(path, media_type=f"image/{name.rsplit('.', 1)[1]}")
