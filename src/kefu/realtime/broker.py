"""Brokers: in-process for one server, Redis pub/sub when several server processes run."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any, Protocol

log = logging.getLogger(__name__)

Event = dict[str, Any]

# A slow client must not hold the server's memory hostage: past this many undelivered
# events its queue drops the oldest, and the client catches up from the database.
QUEUE_LIMIT = 1000


class Subscription:
    """A local subscriber's queue on a set of channels."""

    def __init__(self, broker: LocalFanout, channels: set[str]) -> None:
        self._broker = broker
        self.channels = channels
        self.queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=QUEUE_LIMIT)
        self.dropped = 0

    def offer(self, event: Event) -> None:
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait(event)

    async def get(self) -> Event:
        return await self.queue.get()

    async def add(self, channel: str) -> None:
        await self._broker.add_channel(self, channel)

    async def close(self) -> None:
        await self._broker.unsubscribe(self)

    async def __aiter__(self) -> AsyncIterator[Event]:
        while True:
            yield await self.get()


class Broker(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, channel: str, event: Event) -> None: ...

    async def subscribe(self, *channels: str) -> Subscription: ...


class LocalFanout:
    """Delivers events to this process's subscribers; also the whole in-process broker."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[Subscription]] = defaultdict(set)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        self._subscribers.clear()

    def deliver(self, channel: str, event: Event) -> None:
        for subscription in list(self._subscribers.get(channel, ())):
            subscription.offer(event)

    async def publish(self, channel: str, event: Event) -> None:
        self.deliver(channel, event)

    async def subscribe(self, *channels: str) -> Subscription:
        subscription = Subscription(self, set())
        for channel in channels:
            await self.add_channel(subscription, channel)
        return subscription

    async def add_channel(self, subscription: Subscription, channel: str) -> None:
        subscription.channels.add(channel)
        self._subscribers[channel].add(subscription)

    async def unsubscribe(self, subscription: Subscription) -> None:
        for channel in subscription.channels:
            subscribers = self._subscribers.get(channel)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._subscribers[channel]

    def local_channels(self) -> set[str]:
        return set(self._subscribers)


InProcessBroker = LocalFanout


class RedisBroker(LocalFanout):
    """Publishes through Redis so every server process delivers to its own subscribers.

    One pub/sub connection per process listens to the channels its clients need; local
    delivery is the same as in-process.
    """

    def __init__(self, url: str, prefix: str = "kefu:") -> None:
        super().__init__()
        from redis import asyncio as aioredis

        # A blocking pool makes a burst of publishes wait for a free connection instead of
        # failing with "Too many connections".
        pool = aioredis.BlockingConnectionPool.from_url(
            url, decode_responses=True, max_connections=32, timeout=5
        )
        self._redis = aioredis.Redis(connection_pool=pool)
        self._pubsub = self._redis.pubsub()
        self._prefix = prefix
        self._reader: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        await self._redis.ping()
        # A pub/sub connection needs one subscription before it can be read.
        await self._pubsub.subscribe(self._prefix + "__control__")
        self._reader = asyncio.create_task(self._read_loop(), name="kefu-redis-broker")

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self._pubsub.aclose()
        await self._redis.aclose()
        await super().stop()

    async def publish(self, channel: str, event: Event) -> None:
        await self._redis.publish(self._prefix + channel, json.dumps(event, ensure_ascii=False))

    async def add_channel(self, subscription: Subscription, channel: str) -> None:
        first = channel not in self._subscribers
        await super().add_channel(subscription, channel)
        if first:
            await self._pubsub.subscribe(self._prefix + channel)

    async def unsubscribe(self, subscription: Subscription) -> None:
        before = self.local_channels()
        await super().unsubscribe(subscription)
        gone = before - self.local_channels()
        if gone:
            await self._pubsub.unsubscribe(*(self._prefix + channel for channel in gone))

    async def _read_loop(self) -> None:
        while True:
            try:
                message = await self._pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=1.0
                )
            except asyncio.CancelledError:
                raise
            except Exception:  # connection lost: clients will resume from the database
                log.exception("redis broker read failed; retrying")
                await asyncio.sleep(0.5)
                continue
            if message is None or message.get("type") != "message":
                continue
            channel = str(message["channel"])[len(self._prefix) :]
            try:
                event = json.loads(message["data"])
            except (TypeError, ValueError):
                log.warning("ignoring a malformed event on %s", channel)
                continue
            self.deliver(channel, event)


def make_broker(redis_url: str | None) -> LocalFanout:
    """Redis when a URL is configured (several processes), else in-process."""
    return RedisBroker(redis_url) if redis_url else InProcessBroker()
