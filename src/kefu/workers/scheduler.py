"""The durable scheduler: due rows in the database, claimed and run by one or more workers.

What is scheduled (ADR 0002): payment reminders (`reminders`) and every other job
(`scheduled_jobs`: follow-up messages, deadline checks, logistics watch, digests, the
order-change sweep). Both are claimed the same way:

1. Claim, in a short transaction: pick due rows that are `pending`, or claimed longer than
   `stale_after` ago (their worker died), `FOR UPDATE SKIP LOCKED` on PostgreSQL so two
   workers never pick the same rows; mark them `sending`/`running` with a fresh
   `claim_token` and `claimed_at`. SQLite has no row locks: the same conditional UPDATE
   (`WHERE status = 'pending' ...`) does the claiming, under SQLite's single writer.
2. Run each claimed row in its own transaction that first re-takes the row with a
   conditional UPDATE (`WHERE claim_token = mine`), then writes the effect and the final
   state together. A worker that lost its claim (taken over as stale) writes nothing.

So a reminder is never sent twice (its effect and "sent" commit together, and only under
the claim) and never lost (a dead worker's claim goes stale and is taken over); the
effect's idempotency key (outbox, chat message, task) is a second fence.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from kefu.db.base import utcnow
from kefu.db.models import Reminder, ScheduledJob, Shop
from kefu.db.session import get_engine
from kefu.db.uow import Publish, unit_of_work
from kefu.services import channels, domains, jobs, shops
from kefu.services import reminders as reminder_service

log = logging.getLogger("kefu.scheduler")

MAX_JOB_ATTEMPTS = 5
JOB_RETRY_AFTER = timedelta(seconds=30)  # times the attempt number
RECURRING_CHECK_EVERY = timedelta(seconds=60)

Clock = Callable[[], datetime]


@dataclass
class WorkerConfig:
    batch: int = 100  # rows claimed per transaction
    stale_after: timedelta = timedelta(minutes=2)  # a claim older than this is taken over
    poll_seconds: float = 1.0  # idle wait between two passes
    throttle: float = 0.0  # pause after each send (an SMS gateway's rate limit)
    sms_provider: channels.SmsProvider = field(default_factory=channels.LogSmsProvider)


@dataclass
class PassResult:
    reminders: Counter[str] = field(default_factory=Counter)
    jobs: Counter[str] = field(default_factory=Counter)
    sms_delivered: int = 0

    @property
    def busy(self) -> bool:
        """Whether the pass did anything (then the next one starts without waiting)."""
        return bool(sum(self.reminders.values()) or sum(self.jobs.values()) or self.sms_delivered)

    def add(self, other: PassResult) -> None:
        self.reminders.update(other.reminders)
        self.jobs.update(other.jobs)
        self.sms_delivered += other.sms_delivered

    def one_line(self) -> str:
        sent = ", ".join(f"{k} {v}" for k, v in sorted(self.reminders.items())) or "none"
        jobs = ", ".join(f"{k} {v}" for k, v in sorted(self.jobs.items())) or "none"
        return f"reminders: {sent}; jobs: {jobs}; sms delivered: {self.sms_delivered}"


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_due(
    session: Session,
    model: type[Reminder] | type[ScheduledJob],
    *,
    busy: str,
    now: datetime,
    limit: int,
    stale_after: timedelta,
    token: str,
) -> list[int]:
    """Claim up to `limit` due rows of `model` for `token`; returns their ids, due first.

    Call in a short transaction and commit right after.
    """
    claimable = or_(
        model.status == "pending",
        and_(model.status == busy, model.claimed_at < now - stale_after),
    )
    query = (
        select(model.id)
        .where(model.due_at <= now, claimable)
        .order_by(model.due_at, model.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if not ids:
        return []
    values: dict[str, Any] = {"status": busy, "claim_token": token, "claimed_at": now}
    if model is ScheduledJob:
        values["attempts"] = ScheduledJob.attempts + 1
    session.execute(
        update(model)
        .where(model.id.in_(ids), claimable)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    mine = set(
        session.scalars(select(model.id).where(model.id.in_(ids), model.claim_token == token))
    )
    return [i for i in ids if i in mine]


class Scheduler:
    """Runs due reminders and jobs against one database; safe to run in several processes.
    Every run is a unit of work (`kefu.db.uow`): its events reach their listeners and, with
    `publish`, the live clients after the commit."""

    def __init__(
        self,
        engine: Engine,
        config: WorkerConfig | None = None,
        *,
        clock: Clock = utcnow,
        worker_id: str | None = None,
        publish: Publish | None = None,
    ) -> None:
        domains.load()  # every domain's job kinds and listeners
        self.engine = engine
        self.config = config or WorkerConfig()
        self.clock = clock
        self.worker_id = worker_id or default_worker_id()
        self.publish = publish
        self._recurring_checked: datetime | None = None
        self._factory = sessionmaker(engine, expire_on_commit=False)

    # -- helpers

    def _token(self) -> str:
        return f"{self.worker_id}:{uuid.uuid4().hex[:12]}"[:64]

    def _unit(self) -> AbstractContextManager[Session]:
        """One unit of work on the scheduler's database."""
        return unit_of_work(self._factory, now=self.clock(), publish=self.publish)

    def _claim(
        self, model: type[Reminder] | type[ScheduledJob], busy: str
    ) -> tuple[str, list[int]]:
        token = self._token()
        with self._unit() as session:
            ids = claim_due(
                session,
                model,
                busy=busy,
                now=self.clock(),
                limit=self.config.batch,
                stale_after=self.config.stale_after,
                token=token,
            )
        return token, ids

    # -- reminders

    def run_reminders(self) -> Counter[str]:
        """Claim a batch of due reminders and send them in ONE transaction: one commit
        per batch instead of one per reminder (the commit's flush to disk dominates). A
        worker dying mid-batch commits nothing of it; the batch's claims go stale and
        another worker sends them. Should one reminder raise, the batch is rolled back
        and redone one reminder per transaction, so only the culprit is marked failed."""
        token, ids = self._claim(Reminder, "sending")
        if not ids:
            return Counter()
        try:
            return self._dispatch(ids, token, together=True)
        except OperationalError:
            raise  # the database is gone: the claims go stale and are taken over
        except Exception:
            log.exception("a reminder of a batch failed; redoing it one by one")
            return self._dispatch(ids, token, together=False)

    def _dispatch(self, ids: list[int], token: str, *, together: bool) -> Counter[str]:
        if together and not self.config.throttle:
            with self._unit() as session:
                outcomes = reminder_service.dispatch_batch(session, ids, token, now=self.clock())
            return Counter(outcomes.values())
        done: Counter[str] = Counter()
        if together:  # throttled: one transaction, a pause after each send
            with self._unit() as session:
                for reminder_id in ids:
                    outcome = reminder_service.dispatch_claimed(
                        session, reminder_id, token, now=self.clock()
                    )
                    done[outcome] += 1
                    if outcome == "sent":
                        time.sleep(self.config.throttle)
            return done
        for reminder_id in ids:  # one by one: only the culprit is marked failed
            done[self._dispatch_one(reminder_id, token)] += 1
            if self.config.throttle:
                time.sleep(self.config.throttle)
        return done

    def _dispatch_one(self, reminder_id: int, token: str) -> str:
        try:
            with self._unit() as session:
                return reminder_service.dispatch_claimed(
                    session, reminder_id, token, now=self.clock()
                )
        except OperationalError:
            raise
        except Exception as exc:
            log.exception("reminder %s failed", reminder_id)
            with self._unit() as session:
                reminder_service.fail_claimed(
                    session, reminder_id, token, now=self.clock(), error=type(exc).__name__
                )
            return "failed"

    # -- jobs

    def run_jobs(self) -> Counter[str]:
        token, ids = self._claim(ScheduledJob, "running")
        done: Counter[str] = Counter()
        for job_id in ids:
            done[self._run_job(job_id, token)] += 1
        return done

    def _run_job(self, job_id: int, token: str) -> str:
        try:
            with self._unit() as session:
                now = self.clock()
                # Re-take the row under our claim (locks it on PostgreSQL: a take-over
                # of a stale claim waits for this transaction and then finds it done).
                taken = session.execute(
                    update(ScheduledJob)
                    .where(
                        ScheduledJob.id == job_id,
                        ScheduledJob.status == "running",
                        ScheduledJob.claim_token == token,
                    )
                    .values(updated_at=now)
                    .execution_options(synchronize_session=False)
                )
                if not getattr(taken, "rowcount", 0):
                    return "lost"
                job = session.get(ScheduledJob, job_id, populate_existing=True)
                assert job is not None
                handler = jobs.handler_for(job.kind)
                if handler is None:
                    job.status = "failed"
                    job.last_error = f"unknown job kind {job.kind!r}"
                    return "failed"
                job.result = handler(session, job, shops.config(session, job.shop_id), now)[:200]
                self._finish(job, now)
                return job.kind
        except OperationalError:
            raise
        except Exception as exc:
            log.exception("job %s failed", job_id)
            self._retry_later(job_id, token, exc)
            return "failed"

    @staticmethod
    def _finish(job: ScheduledJob, now: datetime) -> None:
        job.done_at = now
        job.claim_token = None
        job.claimed_at = None
        every = (job.payload or {}).get("every_seconds")
        if not every:
            job.status = "done"
            return
        # A recurring job keeps its row: next due on its own grid, never in the past.
        step = timedelta(seconds=float(every))
        due = job.due_at + step
        if due <= now:
            due += step * ((now - due) // step + 1)
        job.due_at = due
        job.status = "pending"
        job.attempts = 0

    def _retry_later(self, job_id: int, token: str, exc: Exception) -> None:
        with self._unit() as session:
            job = session.get(ScheduledJob, job_id)
            if job is None or job.claim_token != token:
                return
            job.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            job.claim_token = None
            job.claimed_at = None
            if job.attempts >= MAX_JOB_ATTEMPTS:
                job.status = "failed"
            else:
                job.status = "pending"
                job.due_at = self.clock() + JOB_RETRY_AFTER * job.attempts

    # -- the loop

    def ensure_recurring(self, *, force: bool = False) -> None:
        """Every active shop has a row for each recurring job kind (digest, logistics
        sweep, order sync, QA sweep, …: whatever the domains registered)."""
        now = self.clock()
        if (
            not force
            and self._recurring_checked is not None
            and now - self._recurring_checked < RECURRING_CHECK_EVERY
        ):
            return
        with self._unit() as session:
            for shop_id in session.scalars(select(Shop.id).where(Shop.is_active.is_(True))):
                jobs.ensure_recurring(session, shop_id, shops.config(session, shop_id), now)
        self._recurring_checked = now

    def run_pass(self) -> PassResult:
        """One round: recurring jobs present, due reminders, due jobs, queued SMS."""
        self.ensure_recurring()
        result = PassResult()
        result.reminders = self.run_reminders()
        result.jobs = self.run_jobs()
        delivered = channels.deliver_outbox(
            self.engine, self.config.sms_provider, now=self.clock(), limit=self.config.batch
        )
        result.sms_delivered = delivered.sent
        return result

    def run_until_idle(self, max_passes: int = 1_000_000) -> PassResult:
        """Passes until one finds nothing to do (tests, `kefu worker --until-idle`)."""
        total = PassResult()
        for _ in range(max_passes):
            result = self.run_pass()
            total.add(result)
            if not result.busy:
                break
        return total

    def run_forever(self, stop: threading.Event) -> None:
        """Passes until `stop` is set; waits `poll_seconds` when idle, longer when the
        database is unreachable (and says so once)."""
        down = False
        while not stop.is_set():
            try:
                busy = self.run_pass().busy
                if down:
                    log.warning("database reachable again")
                    down = False
            except OperationalError as exc:
                if not down:
                    log.error("database unreachable, retrying: %s", str(exc).splitlines()[0])
                    down = True
                stop.wait(max(self.config.poll_seconds, 5.0))
                continue
            if not busy:
                stop.wait(self.config.poll_seconds)


def run_scheduler_forever(
    stop_event: threading.Event,
    url: str | None = None,
    config: WorkerConfig | None = None,
    publish: Publish | None = None,
) -> None:
    """The scheduler loop for `kefu run`: start it in a daemon thread with an Event and
    set the event on shutdown. `url` defaults to the configured database."""
    Scheduler(get_engine(url), config, publish=publish).run_forever(stop_event)


def start_in_thread(
    url: str | None = None, config: WorkerConfig | None = None, publish: Publish | None = None
) -> tuple[threading.Thread, threading.Event]:
    """Start `run_scheduler_forever` in a daemon thread; returns (thread, stop_event)."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_scheduler_forever,
        args=(stop, url, config, publish),
        name="kefu-scheduler",
        daemon=True,
    )
    thread.start()
    return thread, stop
