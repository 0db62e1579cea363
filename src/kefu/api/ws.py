"""Live chat over WebSocket: `/ws/buyer` and `/ws/agent`. This module only speaks the
protocol: it checks who is connecting, parses frames and calls inbox actions through the
hub (`kefu.realtime.hub`); what a message does is the inbox's (`kefu.services.inbox`).

Protocol (JSON, one object a frame). Client → server:
- `{"type": "send", "client_msg_id", "conversation_id"?, "text", "image"?}` (image: base64)
- `{"type": "resume", "conversation_id", "after_seq", "batch"?}`: what came after the last
  seen seq (with `batch`, in one `history` frame; `resumed.more`: ask again from there)
- `{"type": "typing", "conversation_id"?}`
- buyer: `{"type": "rate", "conversation_id", "rating", "comment"?}`
- agent: `{"type": "transfer", "conversation_id", "to_agent"|"to_queue", "note"}`,
  `{"type": "close", "conversation_id", "farewell"?}`, `{"type": "status", "status"}`
Server → client: `hello`; `ack` (`client_msg_id`, `seq`, `conversation_id`), sent only
after the commit; `message` (with `seq`); `resumed`; `conversation`, `assigned`, `note`,
`rated`, `typing`, `history` (`messages`: a resume's messages); `error` (`code`, `message`;
the socket stays open).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, WebSocket
from sqlalchemy.orm import Session

from kefu.core import audiences
from kefu.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from kefu.core.permissions import Permission, has_permission
from kefu.core.shopconfig import ShopConfig
from kefu.db.models.accounts import User
from kefu.db.models.inbox import Conversation
from kefu.db.models.shops import Shop
from kefu.http.identity import BUYER_COOKIE, raw_session_id, read_buyer_token
from kefu.realtime.connection import Connection, Frame
from kefu.realtime.hub import ChatHub
from kefu.services import accounts, inbox, qa_ops, shops
from kefu.services.media import ImageStore
from kefu.settings import Settings

router = APIRouter(include_in_schema=False)


def get_hub(app: FastAPI) -> ChatHub:
    hub: ChatHub = app.state.chat_hub
    return hub


class InboxHistory:
    """A shop's conversations read for one connection (`kefu.realtime.connection.History`)."""

    def __init__(self, shop_id: str) -> None:
        self.shop_id = shop_id

    def after(
        self, session: Session, conversation_id: str, after_seq: int, limit: int
    ) -> tuple[list[Frame], Frame]:
        conv = inbox.access_conversation(session, self.shop_id, conversation_id)
        return self._frames(session, conv, after_seq, limit), inbox.conversation_event(
            session, conv
        )

    def between(self, session: Session, conversation_id: str, last: int, upto: int) -> list[Frame]:
        conv = inbox.access_conversation(session, self.shop_id, conversation_id)
        return [f for f in self._frames(session, conv, last, upto - last) if f["seq"] < upto]

    @staticmethod
    def _frames(session: Session, conv: Conversation, after: int, limit: int) -> list[Frame]:
        messages = inbox.messages_after(session, conv, after, limit)
        names = inbox.sender_names(session, messages)
        return [inbox.message_event(m, conv, names.get(m.sender_id or 0, "")) for m in messages]


class ChatConnection(Connection):
    """What buyer and agent sockets share: the shop, the hub, typing, the welcome timer."""

    def __init__(self, ws: WebSocket, shop_id: str) -> None:
        super().__init__(ws, get_hub(ws.app), InboxHistory(shop_id))
        self.shop_id = shop_id
        self.settings: Settings = ws.app.state.settings
        self.images = ImageStore(self.settings.data_dir)

    def channel(self, conversation_id: str) -> str:
        return audiences.conversation(self.shop_id, conversation_id)

    async def follow_conversation(self, conversation_id: str) -> None:
        await self.follow(self.channel(conversation_id))

    async def resume_conversation(self, conversation_id: str, after: int, batch: bool) -> None:
        await self.resume(self.channel(conversation_id), conversation_id, after, batch=batch)

    async def typing(self, conversation_id: str, who: str) -> None:
        await self.hub.broker.publish(
            self.channel(conversation_id),
            {"type": "typing", "conversation_id": conversation_id, "from": who, "origin": self.id},
        )

    def start_welcome_timer(self, conversation_id: str, shop: ShopConfig) -> None:
        """The fast path of the durable welcome job (`inbox.do_welcome`)."""
        override = getattr(self.ws.app.state, "welcome_delay", None)
        delay = override if override is not None else inbox.welcome_delay(shop).total_seconds()
        hub, shop_id = self.hub, self.shop_id

        async def welcome() -> None:
            # Grouped with other writes: after a rush of new buyers they come in a rush.
            _, events = await hub.writes.run(
                lambda s: inbox.do_welcome(s, shop_id, conversation_id, now=hub.now())
            )
            await hub.publish(events)

        self.hub.later(f"welcome:{conversation_id}", delay, welcome)


# --- /ws/buyer ---------------------------------------------------------------------------


class BuyerConnection(ChatConnection):
    def __init__(self, ws: WebSocket, shop_id: str, buyer_id: str) -> None:
        super().__init__(ws, shop_id)
        self.buyer_id = buyer_id
        self.conversation_id: str | None = None

    async def handle(self, frame: Frame) -> None:
        kind = frame.get("type")
        if kind == "send":
            await self.post(frame)
        elif kind == "resume":
            cid = _text(frame, "conversation_id")
            await self.hub.read(lambda s: self._mine(s, cid))
            await self.resume_conversation(cid, _seq(frame), frame.get("batch") is True)
        elif kind == "typing":
            if self.conversation_id:
                await self.typing(self.conversation_id, "buyer")
        elif kind == "rate":
            await self.rate(frame)
        else:
            raise InvalidInput("BAD_REQUEST", "未知的消息类型")

    def _mine(self, session: Session, conversation_id: str) -> Conversation:
        conv = inbox.access_conversation(session, self.shop_id, conversation_id)
        if conv.buyer_id != self.buyer_id:
            raise NotFound("NOT_FOUND", "会话不存在")
        return conv

    async def post(self, frame: Frame) -> None:
        client_msg_id = _client_msg_id(frame)
        text, image = _text(frame, "text"), _image(frame)
        # The conversation this socket is in, unless the client names one.
        wanted = _text(frame, "conversation_id") or self.conversation_id
        hub = self.hub

        def work(session: Session) -> tuple[inbox.Posted, ShopConfig]:
            posted = inbox.do_buyer_post(
                session,
                shop_id=self.shop_id,
                buyer_id=self.buyer_id,
                text=text,
                client_msg_id=client_msg_id,
                now=hub.now(),
                conversation_id=wanted,
                image=image,
                images=self.images,
            )
            return posted, shops.config(session, self.shop_id)

        # The bot's answer comes as events of this job (a listener of the buyer's message).
        (posted, shop), events = await hub.writes.run(work)
        # Committed: ack first, so the sender sees its ack before the message's echo.
        ack = posted.ack()
        await self.send(ack)
        cid = ack["conversation_id"]
        if cid != self.conversation_id:
            self.conversation_id = cid
            await self.resume_conversation(cid, self.delivered.get(cid, 0), False)
        await hub.publish(events)
        answered = any(
            e.name == inbox.MESSAGE_POSTED and e.payload.get("sender") == "bot" for e in events
        )
        if posted.new_conversation and not answered:
            self.start_welcome_timer(cid, shop)
        elif answered:
            hub.cancel(f"welcome:{cid}")

    async def rate(self, frame: Frame) -> None:
        cid = _text(frame, "conversation_id") or self.conversation_id or ""
        rating, comment, now = frame.get("rating"), _text(frame, "comment"), self.hub.now()

        def work(session: Session) -> None:
            inbox.do_rate(session, self._mine(session, cid), rating, now=now, comment=comment)  # type: ignore[arg-type]

        await self.hub.transact(work)


@router.websocket("/ws/buyer")
async def buyer_socket(ws: WebSocket) -> None:
    hub = get_hub(ws.app)
    settings: Settings = ws.app.state.settings
    token = ws.query_params.get("token") or ws.cookies.get(BUYER_COOKIE, "")
    identity = read_buyer_token(settings, token) if token else None
    if identity is None or not _same_origin(ws):
        await ws.close(code=4401)
        return
    shop_id, buyer_id = identity

    def current(session: Session) -> Frame | None:
        if session.get(Shop, shop_id) is None:
            raise NotFound("NOT_FOUND", "店铺不存在")
        conv = inbox.access_open_conversation(session, shop_id, buyer_id)
        return inbox.conversation_event(session, conv) if conv else None

    try:
        state = await hub.read(current)
    except DomainError:
        await ws.close(code=4404)
        return
    await ws.accept()
    conn = BuyerConnection(ws, shop_id, buyer_id)
    await conn.subscribe()
    if state is not None:
        conn.conversation_id = state["conversation_id"]
        await conn.follow_conversation(state["conversation_id"])
    await conn.send(
        {
            "type": "hello",
            "role": "buyer",
            "buyer_id": buyer_id,
            "conversation_id": state["conversation_id"] if state else None,
            "last_seq": state["last_seq"] if state else 0,
            "status": state["status"] if state else None,
        }
    )
    await conn.serve(conn.handle)


# --- /ws/agent ---------------------------------------------------------------------------


class AgentConnection(ChatConnection):
    def __init__(self, ws: WebSocket, user: User) -> None:
        super().__init__(ws, user.shop_id)
        self.user_id = user.id

    async def on_event(self, event: Frame) -> None:
        await self.send(event)
        cid = event.get("conversation_id")
        if event.get("type") == "assigned" and isinstance(cid, str) and cid not in self.delivered:
            # What was said before the hand-over (at least the buyer's first message) was
            # published before this connection followed the conversation.
            await self.resume_conversation(cid, 0, False)

    def _me(self, session: Session) -> User:
        user = session.get(User, self.user_id)
        if user is None or not user.is_active:
            raise PermissionDenied("FORBIDDEN", "账号已停用")
        return user

    def _conversation(self, session: Session, cid: str, *, write: bool) -> Conversation:
        conv = inbox.access_conversation(session, self.shop_id, cid)
        inbox.check_agent_access(self._me(session), conv, write=write)
        return conv

    async def handle(self, frame: Frame) -> None:
        kind = frame.get("type")
        cid = _text(frame, "conversation_id")
        if kind == "send":
            await self.post(cid, frame)
        elif kind == "resume":
            await self.hub.read(lambda s: self._conversation(s, cid, write=False))
            await self.resume_conversation(cid, _seq(frame), frame.get("batch") is True)
        elif kind == "typing":
            if cid and cid in self.delivered:
                await self.typing(cid, "agent")
        elif kind == "transfer":
            await self.transfer(cid, frame)
        elif kind == "close":
            await self.close(cid, _text(frame, "farewell"), _text(frame, "qa_allow_token"))
        elif kind == "status":
            await self.set_status(_text(frame, "status"))
        else:
            raise InvalidInput("BAD_REQUEST", "未知的消息类型")

    def guard(self, allow_token: str) -> Any:
        secret = self.settings.effective_secret_key

        def check(shop: ShopConfig, agent: User, text: str) -> None:
            qa_ops.check_guard(secret, shop, agent, text, allow_token)

        return check

    async def post(self, cid: str, frame: Frame) -> None:
        client_msg_id = _client_msg_id(frame)
        text, image, hub = _text(frame, "text"), _image(frame), self.hub
        quick, guard = bool(frame.get("quick_reply")), self.guard(_text(frame, "qa_allow_token"))

        def work(session: Session) -> inbox.Posted:
            return inbox.do_agent_reply(
                session,
                self._me(session),
                cid,
                text,
                client_msg_id,
                now=hub.now(),
                image=image,
                quick_reply=quick,
                images=self.images,
                guard=guard,
            )

        posted, events = await hub.writes.run(work)
        await self.follow_conversation(cid)  # allowed to write, so to read: follow first
        await self.send(posted.ack())
        await hub.publish(events)
        hub.cancel(f"welcome:{cid}")

    async def transfer(self, cid: str, frame: Frame) -> None:
        to_agent, to_queue = _text(frame, "to_agent") or None, _text(frame, "to_queue") or None
        note, now = _text(frame, "note"), self.hub.now()

        def work(session: Session) -> None:
            conv = self._conversation(session, cid, write=True)
            target = inbox.access_agent(session, self.shop_id, to_agent) if to_agent else None
            inbox.do_transfer(
                session,
                conv,
                by=self._me(session),
                now=now,
                to_agent=target,
                to_queue=to_queue,
                note=note,
            )

        await self.hub.transact(work)

    async def close(self, cid: str, farewell: str, allow_token: str = "") -> None:
        now, guard = self.hub.now(), self.guard(allow_token)

        def work(session: Session) -> None:
            conv = self._conversation(session, cid, write=True)
            me = self._me(session)
            # A farewell of the agent's own words is a message like any other.
            guard(shops.config(session, self.shop_id), me, farewell)
            inbox.do_close(session, conv, by=me, now=now, farewell=farewell)

        await self.hub.transact(work)
        self.hub.cancel(f"welcome:{cid}")

    async def set_status(self, status: str) -> None:
        now = self.hub.now()
        await self.hub.transact(
            lambda session: accounts.do_set_status(session, self._me(session), status, now)
        )
        await self.send({"type": "status", "status": status})


@router.websocket("/ws/agent")
async def agent_socket(ws: WebSocket) -> None:
    hub = get_hub(ws.app)
    settings: Settings = ws.app.state.settings
    raw = raw_session_id(ws, settings)
    if raw is None or not _same_origin(ws):
        await ws.close(code=4401)
        return
    now = hub.now()

    def sign_in(session: Session) -> tuple[User, list[str]] | None:
        user = accounts.access_session_user(session, raw, now)
        if user is None or not has_permission(user.role, Permission.CHAT_RECEIVE):
            return None
        return user, inbox.open_conversation_ids(session, user)

    found = await hub.transact(sign_in)
    if found is None:
        await ws.close(code=4401)
        return
    user, open_ids = found
    await ws.accept()
    conn = AgentConnection(ws, user)
    await conn.subscribe(audiences.agent(user.shop_id, user.id))
    for cid in open_ids:
        await conn.follow_conversation(cid)
    await conn.send(
        {
            "type": "hello",
            "role": "agent",
            "agent_id": user.username,
            "agent_no": inbox.agent_label(user),
            "status": user.status,
            "conversations": open_ids,
        }
    )
    await conn.serve(conn.handle)


# --- frame fields ---------------------------------------------------------------------------


def _text(frame: Frame, key: str, default: str = "") -> str:
    value = frame.get(key, default)
    return value if isinstance(value, str) else default


def _seq(frame: Frame) -> int:
    value = frame.get("after_seq", 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput("BAD_REQUEST", "after_seq 须为非负整数")
    return value


def _client_msg_id(frame: Frame) -> str:
    value = frame.get("client_msg_id")
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        raise InvalidInput("BAD_REQUEST", "client_msg_id 须为 1-64 个字符")
    return value.strip()


def _image(frame: Frame) -> bytes | None:
    raw = frame.get("image")
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise InvalidInput("BAD_REQUEST", "图片须为 base64")
    try:
        return base64.b64decode(raw.split(",", 1)[-1], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("BAD_REQUEST", "图片须为 base64") from None


def _same_origin(ws: WebSocket) -> bool:
    """A browser names the page's origin; a cookie-bearing socket from another site is
    refused (cross-site WebSocket hijacking)."""
    origin = ws.headers.get("origin")
    if not origin:
        return True  # not a browser (connectors, tests, the benchmark)
    return urlsplit(origin).netloc == ws.headers.get("host", "")
