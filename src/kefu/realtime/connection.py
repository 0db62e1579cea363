"""One client's WebSocket: reading frames safely, following conversations, and delivering
their messages in order, without gaps or duplicates.

Delivery: per conversation the connection remembers the last seq it sent. An event at or
below it is a duplicate and dropped; one beyond the next expected seq means the broker
skipped or reordered something, and the gap is read from the database first. Seqs are
committed in order (see `kefu.services.inbox`), so what the database holds below a
published seq is complete. A reconnecting client sends `resume` with its last seen seq.

Frames in are checked before anything else sees them: at most `MAX_FRAME` characters, a
JSON object, nested at most `MAX_DEPTH` deep, integers within 64 bits, strings without NUL
or lone surrogates (PostgreSQL refuses both). A bad frame, a refused action or a failure
inside gets an `error` frame; the socket stays open.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from fastapi import WebSocket, WebSocketDisconnect
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from kefu.core.errors import DomainError, InvalidInput
from kefu.realtime.broker import Subscription
from kefu.realtime.hub import ChatHub

log = logging.getLogger(__name__)

Frame = dict[str, Any]
RESUME_LIMIT = 1000
MAX_FRAME = 8 * 1024 * 1024  # characters: a 5 MB image in base64 and its frame
MAX_DEPTH = 8
MAX_INT = 2**63 - 1


class History(Protocol):
    """What a connection reads from the database (the route supplies it)."""

    def after(
        self, session: Session, conversation_id: str, after_seq: int, limit: int
    ) -> tuple[list[Frame], Frame]:
        """Message frames after `after_seq` (oldest first) and the conversation's state."""
        ...

    def between(self, session: Session, conversation_id: str, last: int, upto: int) -> list[Frame]:
        """Message frames with `last` < seq < `upto`."""
        ...


class Connection:
    """A client's socket: its subscription, and the last seq sent per conversation."""

    def __init__(self, ws: WebSocket, hub: ChatHub, history: History) -> None:
        self.ws = ws
        self.hub = hub
        self.history = history
        self.id = uuid.uuid4().hex
        self.delivered: dict[str, int] = {}
        self.sub: Subscription | None = None
        self.send_lock = asyncio.Lock()
        self.deliver_lock = asyncio.Lock()
        self.closed = False

    async def send(self, payload: Frame) -> None:
        async with self.send_lock:
            await self.ws.send_json(payload)

    async def error(self, code: str, message: str, **extra: Any) -> None:
        await self.send({"type": "error", "code": code, "message": message, **extra})

    async def subscribe(self, *channels: str) -> None:
        self.sub = await self.hub.broker.subscribe(*channels)

    async def follow(self, channel: str) -> None:
        assert self.sub is not None
        if channel not in self.sub.channels:
            await self.sub.add(channel)

    async def resume(
        self, channel: str, conversation_id: str, after_seq: int, *, batch: bool = False
    ) -> None:
        """Subscribe first, then read the database: nothing falls between the two.

        Up to RESUME_LIMIT messages after `after_seq`, oldest first (no gap); `resumed`
        says `more` when there are others, and the client resumes again from its last
        seq. With `batch` they come in one `history` frame instead of one frame each (a
        500-message history is one frame to parse and draw)."""
        await self.follow(channel)
        async with self.deliver_lock:
            frames, state = await self.hub.read(
                lambda s: self.history.after(s, conversation_id, after_seq, RESUME_LIMIT + 1)
            )
            more = len(frames) > RESUME_LIMIT
            frames = frames[:RESUME_LIMIT]
            # From the client's own last seen seq: what went out live before this resume
            # may be sent again (the client drops seqs it has), nothing is skipped.
            self.delivered[conversation_id] = after_seq
            if batch and frames:
                self.delivered[conversation_id] = int(frames[-1]["seq"])
                await self.send(
                    {"type": "history", "conversation_id": conversation_id, "messages": frames}
                )
            else:
                for frame in frames:
                    await self._send_message(frame)
            last = self.delivered[conversation_id]
            await self.send({**state, "type": "resumed", "last_seq": last, "more": more})

    async def _send_message(self, frame: Frame) -> None:
        cid, seq = frame["conversation_id"], int(frame["seq"])
        if seq <= self.delivered.get(cid, 0):
            return
        self.delivered[cid] = seq
        await self.send(frame)

    async def deliver(self, frame: Frame) -> None:
        """A live message: in order, without gaps, without duplicates."""
        async with self.deliver_lock:
            cid, seq = frame["conversation_id"], int(frame["seq"])
            last = self.delivered.get(cid)
            if last is not None and seq > last + 1:
                missing = await self.hub.read(lambda s: self.history.between(s, cid, last, seq))
                for earlier in missing:
                    await self._send_message(earlier)
            if last is None:
                self.delivered[cid] = seq - 1
            await self._send_message(frame)

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
            elif kind == "session_ended":
                await self.end(4401)
                return
            else:
                await self.on_event(event)

    async def on_event(self, event: Frame) -> None:
        await self.send(event)

    async def end(self, code: int) -> None:
        self.closed = True
        with contextlib.suppress(Exception):
            await self.ws.close(code=code)

    async def serve(self, handle: Callable[[Frame], Awaitable[None]]) -> None:
        """Read frames until the client goes; every failure of one frame is answered with
        an error frame and the next frame is read."""
        pump = asyncio.create_task(self.pump())
        try:
            while not self.closed:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                try:
                    frame = parse_frame(message.get("text"))
                except InvalidInput as exc:
                    await self.error(exc.code, exc.message)
                    continue
                await self._handle(handle, frame)
        except (WebSocketDisconnect, RuntimeError):
            pass  # the client went (RuntimeError: the socket was closed under us)
        finally:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pump
            if self.sub is not None:
                await self.sub.close()

    async def _handle(self, handle: Callable[[Frame], Awaitable[None]], frame: Frame) -> None:
        extra = {}
        if isinstance(frame.get("client_msg_id"), str):
            extra["client_msg_id"] = frame["client_msg_id"]
        try:
            await handle(frame)
        except DomainError as exc:
            await self.error(exc.code, exc.message, **extra)
        except (OperationalError, PoolTimeout) as exc:
            log.warning("database unavailable: %s", str(exc).splitlines()[0])
            await self.error("UNAVAILABLE", "服务暂时不可用，消息未保存，请稍后重试", **extra)
        except DBAPIError:
            log.exception("database error in a %s frame", frame.get("type"))
            await self.error("INTERNAL", "消息未保存，请重试", **extra)
        except Exception:
            log.exception("a %s frame failed", frame.get("type"))
            await self.error("INTERNAL", "处理失败，请重试", **extra)


def parse_frame(raw: str | None) -> Frame:
    """A client frame, checked (see the module's docstring); InvalidInput otherwise."""
    if raw is None:  # a binary frame
        raise InvalidInput("BAD_REQUEST", "消息格式不正确")
    if len(raw) > MAX_FRAME:
        raise InvalidInput("TOO_LARGE", "消息太大")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise InvalidInput("BAD_REQUEST", "消息格式不正确") from None
    if not isinstance(data, dict):
        raise InvalidInput("BAD_REQUEST", "消息格式不正确")
    _check_value(data, 0)
    return data


def _check_value(value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise InvalidInput("BAD_REQUEST", "消息嵌套太深")
    if isinstance(value, str):
        check_text_value(value)
    elif isinstance(value, bool) or value is None or isinstance(value, float):
        return
    elif isinstance(value, int):
        if not -MAX_INT - 1 <= value <= MAX_INT:
            raise InvalidInput("BAD_REQUEST", "数字超出范围")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text_value(key)
            _check_value(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_value(item, depth + 1)


def check_text_value(text: str) -> None:
    """No NUL and no lone surrogate: neither can be stored or sent on as UTF-8."""
    if "\x00" in text:
        raise InvalidInput("BAD_REQUEST", "文本含有不允许的字符")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput("BAD_REQUEST", "文本含有不允许的字符") from None
