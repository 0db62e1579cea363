"""Group commit: many small write transactions share one trip to the database.

Buyers' messages arrive hundreds a second, each a few statements; the fixed costs around
them (a thread hand-off, a pool checkout, a session, the COMMIT round trip and its fsync)
cost more CPU than the statements. `GroupCommit` gathers the jobs that arrive while the
previous batch is in flight and runs them in one transaction: nobody waits on a timer, and
under load the batches grow by themselves.

Each job is still all-or-nothing and acknowledged only after the commit that holds it. If
any job fails (a refused message, a deadlock, a constraint), the batch is rolled back and
every job is run again alone, so one bad message never costs another its place. A job's
events are the ones it emitted, then those of the listeners they woke (the bot answering a
buyer, …), which run after the commit in the same database thread (`kefu.db.uow`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from kefu.db.uow import Event, UnitOfWork, pending_events

log = logging.getLogger(__name__)

R = TypeVar("R")
InDb = Callable[[Callable[[UnitOfWork], Any]], Awaitable[Any]]


@dataclass
class Job(Generic[R]):
    """One unit of work: `work` writes (no commit) and returns what its caller wants."""

    work: Callable[[Session], R]
    future: asyncio.Future[tuple[R, list[Event]]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


@dataclass
class _Outcome:
    job: Job[Any]
    result: Any = None
    events: list[Event] = field(default_factory=list)
    error: BaseException | None = None


class GroupCommit:
    def __init__(self, in_db: InDb, *, max_batch: int = 64, in_flight: int = 2) -> None:
        self._in_db = in_db
        self._max_batch = max_batch
        self._in_flight = in_flight
        self._queue: list[Job[Any]] = []
        self._runner: asyncio.Task[None] | None = None
        self._slots = asyncio.Semaphore(in_flight)
        self._wakeup = asyncio.Event()

    async def run(self, work: Callable[[Session], R]) -> tuple[R, list[Event]]:
        """`work` committed (perhaps with others): its result and its events. An error of
        `work` is raised here, as if it had run alone."""
        job: Job[R] = Job(work)
        loop = asyncio.get_running_loop()
        if self._runner is None or self._runner.done() or self._runner.get_loop() is not loop:
            # First use, or a new event loop (the app restarted in the same process): the
            # asyncio primitives belong to one loop.
            self._slots, self._wakeup = asyncio.Semaphore(self._in_flight), asyncio.Event()
            self._runner = asyncio.create_task(self._dispatch())
        self._queue.append(job)
        self._wakeup.set()
        return await job.future

    async def stop(self) -> None:
        if self._runner is not None:
            self._runner.cancel()

    async def _dispatch(self) -> None:
        while True:
            await self._wakeup.wait()
            await self._slots.acquire()
            batch, self._queue = self._queue[: self._max_batch], self._queue[self._max_batch :]
            if not self._queue:
                self._wakeup.clear()
            if not batch:
                self._slots.release()
                continue
            asyncio.create_task(self._run_batch(batch))

    async def _run_batch(self, batch: list[Job[Any]]) -> None:
        try:
            outcomes: list[_Outcome] = await self._in_db(lambda uow: _commit_batch(uow, batch))
        except BaseException as exc:  # the database itself failed: every job hears of it
            outcomes = [_Outcome(job, error=exc) for job in batch]
        finally:
            self._slots.release()
        for outcome in outcomes:
            future = outcome.job.future
            if future.done():  # the waiting client went away
                continue
            if outcome.error is not None:
                future.set_exception(outcome.error)
            else:
                future.set_result((outcome.result, outcome.events))


def _commit_batch(uow: UnitOfWork, batch: list[Job[Any]]) -> list[_Outcome]:
    """All jobs in one transaction, else each alone; then the listeners of each job's
    events (after the commit, in the job's order)."""
    outcomes: list[_Outcome] = []
    try:
        for job in batch:
            pending = pending_events(uow.session)
            start = len(pending)
            result = job.work(uow.session)
            outcomes.append(_Outcome(job, result, pending[start:]))
        uow.commit(run_listeners=False)
    except Exception as exc:
        uow.rollback()
        # Alone, the job's own error is the answer; in company, each job tries again alone.
        single = len(batch) == 1
        outcomes = (
            [_Outcome(batch[0], error=exc)] if single else [_alone(uow, job) for job in batch]
        )
    for outcome in outcomes:
        if outcome.error is None:
            outcome.events = outcome.events + uow.after_commit(outcome.events)
    return outcomes


def _alone(uow: UnitOfWork, job: Job[Any]) -> _Outcome:
    try:
        result = job.work(uow.session)
        return _Outcome(job, result, uow.commit(run_listeners=False))
    except Exception as exc:
        uow.rollback()
        return _Outcome(job, error=exc)
