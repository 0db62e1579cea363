"""Live chat over WebSocket: `/ws/buyer` and `/ws/agent`.

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
`rated`, `typing`, `history` (`messages`: a resume's messages); `error` (`code`, `message`).

Delivery: per connection and conversation the server remembers the last seq it sent. An
event at or below it is a duplicate and dropped; one beyond the next expected seq means the
broker skipped or reordered something, and the gap is read from the database first. Seqs
are committed in order (see `kefu.services.inbox`), so what the database holds below a
published seq is complete. A reconnecting client sends `resume` with its last seen seq.

The DB work runs in the hub's own small thread pool (as many threads as the engine's pool
keeps connections), one transaction per action; events are published to the broker
(in-process, or Redis across processes) only after the commit. A buyer's message and the
assistant's answer to it are two transactions in one trip to that pool.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import contextvars
import hashlib
import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, WebSocket, WebSocketDisconnect
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.api.deps import SESSION_COOKIE, unsign_session
from kefu.core.inbox.content import check_text
from kefu.core.inbox.routing import QUEUES
from kefu.core.qa.guard import check_message
from kefu.core.shopconfig import ShopConfig
from kefu.db.models.accounts import User
from kefu.db.models.inbox import Conversation, Message
from kefu.db.models.shops import Shop
from kefu.realtime.broker import LocalFanout, Subscription, make_broker
from kefu.realtime.group_commit import GroupCommit
from kefu.services import accounts, assistant_bot, inbox, qa_ops
from kefu.services.inbox import InboxError
from kefu.settings import Settings
from kefu.web.i18n import translate

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

T = TypeVar("T")
Event = dict[str, Any]
Events = list[tuple[str, Event]]

BUYER_TOKEN_MAX_AGE = 30 * 86400
BUYER_COOKIE = "kefu_buyer"
# The welcome must reach the buyer within qa.first_response_seconds; it is sent this much
# earlier so a slow moment does not push it over.
WELCOME_MARGIN = 2.0
RESUME_LIMIT = 1000
SHOP_CONFIG_TTL = 10.0
PUBLISH_CONCURRENCY = 8  # well under the Redis client pool's size
DB_CONCURRENCY = 8  # when the engine's pool has no fixed size


# --- buyer identity ------------------------------------------------------------------------


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


# --- the per-app hub: broker, transactions, welcome timers -----------------------------------


class ChatHub:
    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.broker: LocalFanout = make_broker(app.state.settings.redis_url)
        self.timers: dict[str, asyncio.Task[None]] = {}
        # None: the shop's qa.first_response_seconds minus WELCOME_MARGIN; tests shorten it.
        self.welcome_delay: float | None = None
        self.image_dir = Path(app.state.settings.data_dir) / "images"
        self._shops: dict[str, tuple[float, ShopConfig]] = {}
        self._publishing = asyncio.Semaphore(PUBLISH_CONCURRENCY)
        # At most as many transactions at once as the pool keeps connections: past that,
        # the pool opens "overflow" connections and closes them on return, so under load
        # every extra transaction paid for a new PostgreSQL backend. A pool of its own this
        # size, rather than the shared 40-thread one: fewer threads fight for the GIL, and a
        # burst of chat traffic cannot starve the HTTP routes' thread pool.
        self._db = ThreadPoolExecutor(_pool_size(app), thread_name_prefix="kefu-chat-db")
        # Buyers' messages: many small transactions, committed in groups (see group_commit).
        self.writes = GroupCommit(self.in_db)

    def shop(self, session: Session, shop_id: str) -> ShopConfig:
        """The shop's config, re-read at most every SHOP_CONFIG_TTL seconds (it is read
        on every message; a manager's change applies within that time)."""
        now = time.monotonic()
        cached = self._shops.get(shop_id)
        if cached is None or now - cached[0] > SHOP_CONFIG_TTL:
            cached = self._shops[shop_id] = (now, inbox.shop_config(session, shop_id))
        return cached[1]

    async def start(self) -> None:
        await self.broker.start()

    async def stop(self) -> None:
        for task in self.timers.values():
            task.cancel()
        self.timers.clear()
        await self.writes.stop()
        await self.broker.stop()
        self._db.shutdown(wait=False, cancel_futures=True)

    def now(self) -> datetime:
        clock: Callable[[], datetime] = self.app.state.clock
        return clock()

    async def transact(self, work: Callable[[Session], T]) -> T:
        """Run `work` in one transaction in the thread pool; publish its events after the
        commit. An InboxError rolls back and is raised."""
        result, events = await self.transact_deferred(work)
        await self.publish(events)
        return result

    async def transact_deferred(
        self, work: Callable[[Session], T]
    ) -> tuple[T, list[tuple[str, Event]]]:
        """The same, leaving the publishing to the caller (who acks first)."""
        return await self.in_db(lambda session: _transaction(session, work))

    async def read(self, work: Callable[[Session], T]) -> T:
        def run(session: Session) -> T:
            try:
                return work(session)
            finally:
                session.rollback()

        return await self.in_db(run)

    async def in_db(self, work: Callable[[Session], T]) -> T:
        """Run `work` with a fresh session in the hub's DB threads; the session is closed
        after (the work commits or rolls back itself)."""

        def run() -> T:
            session: Session = self.app.state.sessionmaker()
            try:
                return work(session)
            finally:
                session.close()

        context = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(self._db, context.run, run)

    async def publish(self, events: list[tuple[str, Event]]) -> None:
        # Bounded: Redis' client pool refuses (rather than queues) past its size, and a
        # refused publish would leave live clients waiting until their next resume.
        async with self._publishing:
            for channel, event in events:
                try:
                    await self.broker.publish(channel, event)
                except Exception:  # the clients catch up from the database on resume
                    log.exception("publishing to %s failed", channel)

    # Welcome timers: one per new conversation; the DB check at firing time is what
    # counts across processes, the local cancel only saves the work.
    def schedule_welcome(self, shop_id: str, conversation_id: str, first_response: float) -> None:
        delay = self.welcome_delay
        if delay is None:
            delay = max(0.0, first_response - WELCOME_MARGIN)
        task = asyncio.create_task(self._welcome(shop_id, conversation_id, delay))
        self.timers[conversation_id] = task
        task.add_done_callback(lambda _t: self.timers.pop(conversation_id, None))

    def cancel_welcome(self, conversation_id: str) -> None:
        task = self.timers.pop(conversation_id, None)
        if task is not None:
            task.cancel()

    async def _welcome(self, shop_id: str, conversation_id: str, delay: float) -> None:
        await asyncio.sleep(delay)
        now = self.now()

        def work(session: Session) -> None:
            conv = inbox.access_conversation(session, shop_id, conversation_id)
            inbox.do_bot_welcome(session, conv, now=now)

        try:  # grouped with other writes: after a rush of new buyers they come in a rush
            _, events, _ = await self.writes.run(work)
        except Exception:
            log.exception("welcome for %s failed", conversation_id)
            return
        await self.publish(events)

    def store_image(self, data: bytes, mime: str) -> str:
        """Content-addressed file under data_dir/images; returns its name."""
        ext = mime.split("/")[1]
        name = f"{hashlib.sha256(data).hexdigest()}.{ext}"
        self.image_dir.mkdir(parents=True, exist_ok=True)
        path = self.image_dir / name
        if not path.exists():
            tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        return name


def _transaction(
    session: Session, work: Callable[[Session], T]
) -> tuple[T, list[tuple[str, Event]]]:
    """`work` in one transaction: its result and the events to publish after the commit.
    An error rolls back (the events are forgotten) and is raised."""
    try:
        result = work(session)
        return result, inbox.commit(session)
    except BaseException:
        inbox.rollback(session)
        raise


def _pool_size(app: FastAPI) -> int:
    engine = getattr(app.state, "engine", None)
    size = getattr(getattr(engine, "pool", None), "size", None)
    value = size() if callable(size) else None
    return value if isinstance(value, int) and value > 0 else DB_CONCURRENCY


def get_hub(app: FastAPI) -> ChatHub:
    hub: ChatHub | None = getattr(app.state, "chat_hub", None)
    if hub is None:
        hub = app.state.chat_hub = ChatHub(app)
    return hub


async def start_chat(app: FastAPI) -> None:
    await get_hub(app).start()


async def stop_chat(app: FastAPI) -> None:
    hub: ChatHub | None = getattr(app.state, "chat_hub", None)
    if hub is not None:
        await hub.stop()


# --- one connection ----------------------------------------------------------------------


class Connection:
    """A client's socket: its subscription, and the last seq sent per conversation."""

    def __init__(self, ws: WebSocket, hub: ChatHub, shop_id: str) -> None:
        self.ws = ws
        self.hub = hub
        self.shop_id = shop_id
        self.id = uuid.uuid4().hex
        self.delivered: dict[str, int] = {}
        self.sub: Subscription | None = None
        self.send_lock = asyncio.Lock()
        self.deliver_lock = asyncio.Lock()

    async def send(self, payload: Event) -> None:
        async with self.send_lock:
            await self.ws.send_json(payload)

    async def error(self, code: str, message: str, **extra: Any) -> None:
        await self.send({"type": "error", "code": code, "message": message, **extra})

    async def follow(self, conversation_id: str) -> None:
        assert self.sub is not None
        channel = inbox.conversation_channel(self.shop_id, conversation_id)
        if channel not in self.sub.channels:
            await self.sub.add(channel)

    async def resume(self, conversation_id: str, after_seq: int, *, batch: bool = False) -> None:
        """Subscribe first, then read the database: nothing falls between the two.

        Up to RESUME_LIMIT messages after `after_seq`, oldest first (no gap); `resumed`
        says `more` when there are others, and the client resumes again from its last
        seq. With `batch` they come in one `history` frame instead of one frame each (a
        500-message history is one frame to parse and draw)."""
        await self.follow(conversation_id)

        def load(session: Session) -> tuple[list[Event], Event]:
            conv = inbox.access_conversation(session, self.shop_id, conversation_id)
            messages = inbox.messages_after(session, conv, after_seq, RESUME_LIMIT + 1)
            names = inbox.sender_names(session, messages)
            events = [
                inbox.message_event(m, conv, names.get(m.sender_id or 0, "")) for m in messages
            ]
            return events, inbox.conversation_event(session, conv)

        async with self.deliver_lock:
            events, state = await self.hub.read(load)
            more = len(events) > RESUME_LIMIT
            events = events[:RESUME_LIMIT]
            # From the client's own last seen seq: what went out live before this resume
            # may be sent again (the client drops seqs it has), nothing is skipped.
            self.delivered[conversation_id] = after_seq
            if batch and events:
                self.delivered[conversation_id] = int(events[-1]["seq"])
                await self.send(
                    {"type": "history", "conversation_id": conversation_id, "messages": events}
                )
            else:
                for event in events:
                    await self._send_message(event)
            await self.send(
                {
                    **state,
                    "type": "resumed",
                    "last_seq": self.delivered[conversation_id],
                    "more": more,
                }
            )

    async def _send_message(self, event: Event) -> None:
        cid, seq = event["conversation_id"], int(event["seq"])
        if seq <= self.delivered.get(cid, 0):
            return
        self.delivered[cid] = seq
        await self.send(event)

    async def deliver(self, event: Event) -> None:
        """A live message: in order, without gaps, without duplicates."""
        async with self.deliver_lock:
            cid, seq = event["conversation_id"], int(event["seq"])
            last = self.delivered.get(cid)
            if last is not None and seq > last + 1:

                def gap(session: Session) -> list[Event]:
                    conv = inbox.access_conversation(session, self.shop_id, cid)
                    rows = [m for m in inbox.messages_after(session, conv, last) if m.seq < seq]
                    names = inbox.sender_names(session, rows)
                    return [
                        inbox.message_event(m, conv, names.get(m.sender_id or 0, "")) for m in rows
                    ]

                for missing in await self.hub.read(gap):
                    await self._send_message(missing)
            if last is None:
                self.delivered[cid] = seq - 1
            await self._send_message(event)

    async def pump(self) -> None:
        assert self.sub is not None
        while True:
            event = await self.sub.get()
            kind = event.get("type")
            if kind == "message":
                await self.deliver(event)
            elif kind == "typing":
                if event.get("origin") != self.id:
                    await self.send({k: v for k, v in event.items() if k != "origin"})
            else:
                await self.on_event(event)

    async def on_event(self, event: Event) -> None:
        await self.send(event)

    async def typing(self, conversation_id: str, who: str) -> None:
        await self.hub.broker.publish(
            inbox.conversation_channel(self.shop_id, conversation_id),
            {"type": "typing", "conversation_id": conversation_id, "from": who, "origin": self.id},
        )

    async def serve(self, handle: Callable[[Event], Any]) -> None:
        pump = asyncio.create_task(self.pump())
        try:
            while True:
                try:
                    data = await self.ws.receive_json()
                except (ValueError, KeyError):
                    await self.error("BAD_REQUEST", "消息格式不正确")
                    continue
                if not isinstance(data, dict):
                    await self.error("BAD_REQUEST", "消息格式不正确")
                    continue
                try:
                    await handle(data)
                except InboxError as exc:
                    extra = {}
                    if isinstance(data.get("client_msg_id"), str):
                        extra["client_msg_id"] = data["client_msg_id"]
                    await self.error(exc.code, exc.message, **extra)
        except WebSocketDisconnect:
            pass
        finally:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pump
            if self.sub is not None:
                await self.sub.close()


def _text(data: Event, key: str, default: str = "") -> str:
    value = data.get(key, default)
    return value if isinstance(value, str) else default


def _seq(data: Event) -> int:
    value = data.get("after_seq", 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InboxError("BAD_REQUEST", "after_seq 须为非负整数")
    return value


def _client_msg_id(data: Event) -> str:
    value = data.get("client_msg_id")
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        raise InboxError("BAD_REQUEST", "client_msg_id 须为 1-64 个字符")
    return value.strip()


def _image(data: Event) -> bytes | None:
    raw = data.get("image")
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise InboxError("BAD_REQUEST", "图片须为 base64")
    try:
        return base64.b64decode(raw.split(",", 1)[-1], validate=True)
    except (binascii.Error, ValueError):
        raise InboxError("BAD_REQUEST", "图片须为 base64") from None


def _same_origin(ws: WebSocket) -> bool:
    """A browser names the page's origin; a cookie-bearing socket from another site is
    refused (cross-site WebSocket hijacking)."""
    origin = ws.headers.get("origin")
    if not origin:
        return True  # not a browser (connectors, tests, the benchmark)
    return urlsplit(origin).netloc == ws.headers.get("host", "")


def check_qa_guard(
    settings: Settings, shop: ShopConfig, agent: User, text: str, token: str
) -> None:
    """The pre-send guard, enforced here too: the page's check can be skipped (an old tab,
    a script), and a leaked phone number or an off-platform contact cannot be taken back once
    the buyer has read it. A supervisor's allow token for exactly this text lets it through."""
    if not text.strip():
        return
    blocking = [f for f in check_message(text, shop) if f.blocking]
    if not blocking or qa_ops.check_allow_token(settings.effective_secret_key, token, agent, text):
        return
    names = "、".join(
        dict.fromkeys(f"「{translate('zh-CN', f'qa.rule.{f.rule}')}」" for f in blocking)
    )
    raise InboxError(
        "QA_BLOCKED",
        f"消息未发送：触犯质检规则{names}。{blocking[0].suggestion}确需原样发送请由主管放行。",
    )


def _posted(msg: Any, conv: Conversation, created: bool) -> Event:
    return {
        "type": "ack",
        "client_msg_id": msg.client_msg_id,
        "seq": msg.seq,
        "conversation_id": conv.conversation_id,
        "duplicate": not created,
    }


# --- /ws/buyer ---------------------------------------------------------------------------


class BuyerConnection(Connection):
    def __init__(self, ws: WebSocket, hub: ChatHub, shop_id: str, buyer_id: str) -> None:
        super().__init__(ws, hub, shop_id)
        self.buyer_id = buyer_id
        self.conversation_id: str | None = None

    async def handle(self, data: Event) -> None:
        kind = data.get("type")
        if kind == "send":
            await self.post(data)
        elif kind == "resume":
            cid = _text(data, "conversation_id")
            await self.check_mine(cid)
            await self.resume(cid, _seq(data), batch=data.get("batch") is True)
        elif kind == "typing":
            if self.conversation_id:
                await self.typing(self.conversation_id, "buyer")
        elif kind == "rate":
            await self.rate(data)
        else:
            raise InboxError("BAD_REQUEST", "未知的消息类型")

    async def check_mine(self, conversation_id: str) -> None:
        def check(session: Session) -> None:
            conv = inbox.access_conversation(session, self.shop_id, conversation_id)
            if conv.buyer_id != self.buyer_id:
                raise InboxError("NOT_FOUND", "会话不存在")

        await self.hub.read(check)

    async def post(self, data: Event) -> None:
        client_msg_id = _client_msg_id(data)
        text, image = _text(data, "text"), _image(data)
        # The conversation this socket is in, unless the client names one: no look-up of
        # the buyer's open conversation per message.
        wanted = _text(data, "conversation_id") or self.conversation_id
        now = self.hub.now()
        hub = self.hub

        def work(session: Session) -> tuple[Event, bool, float, Message | None, Conversation]:
            shop = hub.shop(session, self.shop_id)
            conv = None
            if wanted and image is None and check_text(text) is None:
                # The usual case, in one round trip; anything else takes the long way.
                conv = inbox.access_claiming_seq(session, self.shop_id, wanted, self.buyer_id, now)
            if conv is not None:
                msg, created = inbox.do_post_message(
                    session, conv, "buyer", text, client_msg_id, now=now, seq_claimed=True
                )
                return _posted(msg, conv, created), False, 0.0, msg if created else None, conv
            if wanted:
                conv = inbox.access_conversation(session, self.shop_id, wanted)
                if conv.buyer_id != self.buyer_id:
                    raise InboxError("NOT_FOUND", "会话不存在")
                if conv.status == "closed":
                    conv = None  # a new question after the end starts a new conversation
            conv = conv or inbox.access_open_conversation(session, self.shop_id, self.buyer_id)
            new = conv is None
            if conv is None:
                if not text.strip() and image is None:
                    raise InboxError("EMPTY", "消息不能为空，请输入内容后再发送")
                conv = inbox.do_open_conversation(
                    session, self.shop_id, self.buyer_id, text, now=now, shop=shop
                )
            msg, created = inbox.do_post_message(
                session, conv, "buyer", text, client_msg_id, now=now, image=image, shop=shop
            )
            if created and image is not None and msg.attachments:
                mime = msg.attachments[0]["type"]
                msg.attachments = [{**msg.attachments[0], "url": hub.store_image(image, mime)}]
            ack = _posted(msg, conv, created)
            return ack, new, shop.qa.first_response_seconds, msg if created else None, conv

        def then_bot(session: Session, posted: tuple[Any, ...]) -> tuple[bool, Events]:
            msg, conv = posted[3], posted[4]
            if msg is None or image is not None:
                return False, []
            return self.bot_turn(session, conv, msg)

        posted, events, (answered, bot_events) = await self.hub.writes.run(work, then_bot)
        ack, new, first_response = posted[0], posted[1], posted[2]
        # Committed: ack first, so the sender sees its ack before the message's echo.
        await self.send(ack)
        await self.hub.publish(events)
        cid = ack["conversation_id"]
        if cid != self.conversation_id:
            self.conversation_id = cid
            await self.resume(cid, self.delivered.get(cid, 0))
        if new and not answered:
            self.hub.schedule_welcome(self.shop_id, cid, first_response)
        await self.hub.publish(bot_events)
        if answered:
            self.hub.cancel_welcome(cid)

    def bot_turn(
        self, session: Session, conv: Conversation, msg: Message
    ) -> tuple[bool, list[tuple[str, Event]]]:
        """The assistant's answer to the committed buyer message `msg`, in its own
        transaction (the buyer's message stands whatever the bot does): whether it
        answered, and the events to publish after the buyer's own."""
        now, shop = self.hub.now(), self.hub.shop(session, self.shop_id)
        try:
            posted, events = _transaction(
                session, lambda s: assistant_bot.do_bot_reply(s, conv, msg, now, shop=shop)
            )
        except Exception:  # the buyer's message is safe; a person answers instead
            log.exception("the bot's turn in %s failed", conv.conversation_id)
            return False, []
        return bool(posted), events

    async def rate(self, data: Event) -> None:
        cid = _text(data, "conversation_id") or self.conversation_id or ""
        rating, comment, now = data.get("rating"), _text(data, "comment"), self.hub.now()

        def work(session: Session) -> None:
            conv = inbox.access_conversation(session, self.shop_id, cid)
            if conv.buyer_id != self.buyer_id:
                raise InboxError("NOT_FOUND", "会话不存在")
            inbox.do_rate(session, conv, rating, now=now, comment=comment)  # type: ignore[arg-type]

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

    def current(session: Session) -> Event | None:
        if session.get(Shop, shop_id) is None:
            raise InboxError("NOT_FOUND", "店铺不存在")
        conv = inbox.access_open_conversation(session, shop_id, buyer_id)
        return inbox.conversation_event(session, conv) if conv else None

    try:
        state = await hub.read(current)
    except InboxError:
        await ws.close(code=4404)
        return
    await ws.accept()
    conn = BuyerConnection(ws, hub, shop_id, buyer_id)
    conn.sub = await hub.broker.subscribe()
    if state is not None:
        conn.conversation_id = state["conversation_id"]
        await conn.follow(state["conversation_id"])
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


class AgentConnection(Connection):
    def __init__(self, ws: WebSocket, hub: ChatHub, user: User) -> None:
        super().__init__(ws, hub, user.shop_id)
        self.user_id = user.id

    async def on_event(self, event: Event) -> None:
        await self.send(event)
        cid = event.get("conversation_id")
        if event.get("type") == "assigned" and isinstance(cid, str) and cid not in self.delivered:
            # What was said before the hand-over (at least the buyer's first message) was
            # published before this connection followed the conversation.
            await self.resume(cid, 0)

    def _me(self, session: Session) -> User:
        user = session.get(User, self.user_id)
        if user is None or not user.is_active:
            raise InboxError("FORBIDDEN", "账号已停用")
        return user

    def _conversation(self, session: Session, cid: str, *, write: bool) -> Conversation:
        conv = inbox.access_conversation(session, self.shop_id, cid)
        inbox.check_agent_access(self._me(session), conv, write=write)
        return conv

    async def handle(self, data: Event) -> None:
        kind = data.get("type")
        cid = _text(data, "conversation_id")
        if kind == "send":
            await self.post(cid, data)
        elif kind == "resume":
            await self.hub.read(lambda s: self._conversation(s, cid, write=False))
            await self.resume(cid, _seq(data), batch=data.get("batch") is True)
        elif kind == "typing":
            if cid and cid in self.delivered:
                await self.typing(cid, "agent")
        elif kind == "transfer":
            await self.transfer(cid, data)
        elif kind == "close":
            await self.close(cid, _text(data, "farewell"), _text(data, "qa_allow_token"))
        elif kind == "status":
            await self.set_status(_text(data, "status"))
        else:
            raise InboxError("BAD_REQUEST", "未知的消息类型")

    async def post(self, cid: str, data: Event) -> None:
        client_msg_id = _client_msg_id(data)
        text, image, now = _text(data, "text"), _image(data), self.hub.now()
        quick = bool(data.get("quick_reply"))
        allow_token = _text(data, "qa_allow_token")
        hub, settings = self.hub, self.hub.app.state.settings

        def work(session: Session) -> Event:
            conv = self._conversation(session, cid, write=True)
            me = self._me(session)
            check_qa_guard(settings, hub.shop(session, self.shop_id), me, text, allow_token)
            if conv.assignee_id is None:  # answering a waiting buyer takes the conversation
                inbox.do_assign(session, conv, me, by=me, now=now)
            msg, created = inbox.do_post_message(
                session, conv, me, text, client_msg_id, now=now, image=image, quick_reply=quick
            )
            return _posted(msg, conv, created)

        ack, events, _ = await self.hub.writes.run(work)
        await self.follow(cid)  # allowed to write, so to read: follow before publishing
        await self.send(ack)
        await self.hub.publish(events)
        self.hub.cancel_welcome(cid)

    async def transfer(self, cid: str, data: Event) -> None:
        to_agent, to_queue = _text(data, "to_agent") or None, _text(data, "to_queue") or None
        note, now = _text(data, "note"), self.hub.now()
        if to_queue is not None and to_queue not in QUEUES:
            raise InboxError("BAD_TARGET", "队列不存在")

        def work(session: Session) -> None:
            conv = self._conversation(session, cid, write=True)
            target = None
            if to_agent is not None:
                target = session.scalar(
                    select(User).where(User.shop_id == self.shop_id, User.username == to_agent)
                )
                if target is None:
                    raise InboxError("NOT_FOUND", "客服不存在")
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
        now, hub, settings = self.hub.now(), self.hub, self.hub.app.state.settings

        def work(session: Session) -> None:
            conv = self._conversation(session, cid, write=True)
            me = self._me(session)
            # A farewell of the agent's own words is a message like any other.
            check_qa_guard(settings, hub.shop(session, self.shop_id), me, farewell, allow_token)
            inbox.do_close(session, conv, by=me, now=now, farewell=farewell)

        await self.hub.transact(work)
        self.hub.cancel_welcome(cid)

    async def set_status(self, status: str) -> None:
        now = self.hub.now()
        await self.hub.transact(
            lambda session: inbox.do_set_agent_status(session, self._me(session), status, now=now)
        )
        await self.send({"type": "status", "status": status})


@router.websocket("/ws/agent")
async def agent_socket(ws: WebSocket) -> None:
    hub = get_hub(ws.app)
    settings: Settings = ws.app.state.settings
    cookie = ws.cookies.get(SESSION_COOKIE)
    raw = unsign_session(settings, cookie) if cookie else None
    if raw is None or not _same_origin(ws):
        await ws.close(code=4401)
        return
    now = hub.now()

    def sign_in(session: Session) -> tuple[User, list[str]] | None:
        user = accounts.access_session_user(session, raw, now)
        if user is None or user.role == accounts.ADMIN:
            return None
        open_ids = list(
            session.scalars(
                select(Conversation.conversation_id).where(
                    Conversation.shop_id == user.shop_id,
                    Conversation.assignee_id == user.id,
                    Conversation.status.in_(inbox.OPEN),
                )
            )
        )
        return user, open_ids

    found = await hub.transact(sign_in)
    if found is None:
        await ws.close(code=4401)
        return
    user, open_ids = found
    await ws.accept()
    conn = AgentConnection(ws, hub, user)
    conn.sub = await hub.broker.subscribe(inbox.agent_channel(user.shop_id, user.id))
    for cid in open_ids:
        await conn.follow(cid)
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
