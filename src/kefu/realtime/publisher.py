"""Hand committed events to the broker: from the event loop, or from any other thread.

Events come out of a unit of work (`kefu.db.uow`) after its commit; each goes to every
channel it names. Publishing is best effort: a client that missed an event catches up from
the database when it resumes.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable

from kefu.db.uow import Event
from kefu.realtime.broker import LocalFanout

log = logging.getLogger(__name__)

PUBLISH_CONCURRENCY = 8  # well under the Redis client pool's size


class Publisher:
    """Publishes events to `broker` on the loop that runs it."""

    def __init__(self, broker: LocalFanout, loop: asyncio.AbstractEventLoop | None = None):
        self.broker = broker
        self.loop = loop
        self._busy = asyncio.Semaphore(PUBLISH_CONCURRENCY)
        self._tasks: set[asyncio.Task[None]] = set()

    async def publish(self, events: Iterable[Event]) -> None:
        # Bounded: Redis' client pool refuses (rather than queues) past its size, and a
        # refused publish would leave live clients waiting until their next resume.
        async with self._busy:
            for event in events:
                for channel in event.channels:
                    try:
                        await self.broker.publish(channel, event.payload)
                    except Exception:  # the clients catch up from the database on resume
                        log.exception("publishing to %s failed", channel)

    def publish_threadsafe(self, events: list[Event]) -> None:
        """Publish from any thread (a route's worker thread, the in-process scheduler)."""
        if not events or self.loop is None or self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self._start, events)

    def _start(self, events: list[Event]) -> None:
        task = asyncio.ensure_future(self.publish(events))
        self._tasks.add(task)  # held until done: the loop keeps only weak references
        task.add_done_callback(self._tasks.discard)


class RedisPublisher:
    """For processes without an event loop of their own (`kefu worker`, the CLI) when
    several server processes share Redis: publishes straight to Redis."""

    def __init__(self, url: str, prefix: str = "kefu:") -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=5)
        self._prefix = prefix

    def publish_threadsafe(self, events: list[Event]) -> None:
        for event in events:
            data = json.dumps(event.payload, ensure_ascii=False)
            for channel in event.channels:
                try:
                    self._redis.publish(self._prefix + channel, data)
                except Exception:
                    log.exception("publishing to %s failed", channel)

    def close(self) -> None:
        self._redis.close()
