"""The live chat's engine room, one per server process: the broker, the database threads,
group commit, publishing after commit, and short timers.

Routes (`kefu.api.ws`) parse the protocol and call inbox actions through the hub:
- `writes.run(work)` — a message: committed in a group (ADR 0005), acknowledged after;
- `transact(work)` — any other write: one unit of work, its events published after commit;
- `read(work)` — a read in the same threads, rolled back.

Database work runs in the hub's own thread pool, as many threads as the engine's pool
keeps connections: past that, the pool opens "overflow" connections and closes them on
return, so under load every extra transaction paid for a new PostgreSQL backend. A pool of
its own this size, rather than the shared 40-thread one: fewer threads fight for the GIL,
and a burst of chat traffic cannot starve the HTTP routes' thread pool.

Timers (`later`) only make a durable job happen sooner: the job row is the truth (see
`kefu.services.inbox.do_welcome`), a restart loses the timer and the scheduler runs it.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from kefu.db.uow import Event, UnitOfWork
from kefu.realtime.broker import LocalFanout, make_broker
from kefu.realtime.group_commit import GroupCommit
from kefu.realtime.publisher import Publisher

log = logging.getLogger(__name__)

T = TypeVar("T")
DB_CONCURRENCY = 8  # when the engine's pool has no fixed size


class ChatHub:
    def __init__(
        self,
        factory: sessionmaker[Session],
        clock: Callable[[], datetime],
        *,
        redis_url: str | None = None,
        engine: Engine | None = None,
    ) -> None:
        self.factory = factory
        self.clock = clock
        self.broker: LocalFanout = make_broker(redis_url)
        self.publisher = Publisher(self.broker)
        self.timers: dict[str, asyncio.Task[None]] = {}
        self._db = ThreadPoolExecutor(_pool_size(engine), thread_name_prefix="kefu-chat-db")
        # Chat messages: many small transactions, committed in groups (see group_commit).
        self.writes = GroupCommit(self.in_uow)

    async def start(self) -> None:
        self.publisher.loop = asyncio.get_running_loop()
        await self.broker.start()

    async def stop(self) -> None:
        for task in self.timers.values():
            task.cancel()
        self.timers.clear()
        await self.writes.stop()
        await self.broker.stop()
        self._db.shutdown(wait=False, cancel_futures=True)

    def now(self) -> datetime:
        return self.clock()

    async def in_uow(self, work: Callable[[UnitOfWork], T]) -> T:
        """Run `work` with a fresh unit of work in the hub's DB threads (the work commits
        or rolls back itself); the session is closed after."""

        def run() -> T:
            uow = UnitOfWork(self.factory, now=self.clock())
            try:
                return work(uow)
            finally:
                uow.close()

        context = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(self._db, context.run, run)

    async def transact(self, work: Callable[[Session], T]) -> T:
        """`work` in one unit of work; its events published after the commit. A refused
        action (`DomainError`) rolls back and is raised."""
        result, events = await self.transact_deferred(work)
        await self.publish(events)
        return result

    async def transact_deferred(self, work: Callable[[Session], T]) -> tuple[T, list[Event]]:
        """The same, leaving the publishing to the caller (who acknowledges first)."""

        def run(uow: UnitOfWork) -> tuple[T, list[Event]]:
            try:
                result = work(uow.session)
                return result, uow.commit()
            except BaseException:
                uow.rollback()
                raise

        return await self.in_uow(run)

    async def read(self, work: Callable[[Session], T]) -> T:
        def run(uow: UnitOfWork) -> T:
            try:
                return work(uow.session)
            finally:
                uow.rollback()

        return await self.in_uow(run)

    async def publish(self, events: list[Event]) -> None:
        await self.publisher.publish(events)

    def later(self, key: str, delay: float, action: Callable[[], Awaitable[Any]]) -> None:
        """Run `action` after `delay` seconds unless `cancel(key)` comes first."""

        async def fire() -> None:
            await asyncio.sleep(delay)
            try:
                await action()
            except Exception:
                log.exception("timer %s failed", key)

        self.cancel(key)
        task = asyncio.create_task(fire())
        self.timers[key] = task
        task.add_done_callback(lambda done: self._forget(key, done))

    def _forget(self, key: str, task: asyncio.Task[None]) -> None:
        if self.timers.get(key) is task:
            del self.timers[key]

    def cancel(self, key: str) -> None:
        task = self.timers.pop(key, None)
        if task is not None:
            task.cancel()


def _pool_size(engine: Engine | None) -> int:
    size = getattr(getattr(engine, "pool", None), "size", None)
    value = size() if callable(size) else None
    return value if isinstance(value, int) and value > 0 else DB_CONCURRENCY
