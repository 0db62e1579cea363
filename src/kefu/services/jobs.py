"""Scheduled job kinds, registered by the domain that owns them.

A domain declares each kind it schedules with `@job("kind")` (and `every=` for a job each
shop runs on a period); the durable scheduler (`kefu.workers`) finds the handler here.
`schedule()` refuses a kind nobody handles, so a job can never sit in the table unrun.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kefu.core.shopconfig import ShopConfig
from kefu.db.models import ScheduledJob

Handler = Callable[[Session, ScheduledJob, ShopConfig, datetime], str]


@dataclass(frozen=True)
class JobKind:
    kind: str
    handler: Handler
    # Recurring per shop: the period from the shop's config, where the first run falls
    # ("now" or the next multiple of the period), and its first payload.
    every: Callable[[ShopConfig], timedelta] | None = None
    start: str = "now"
    first_payload: Callable[[datetime], dict[str, Any]] = field(default=lambda _now: {})


_KINDS: dict[str, JobKind] = {}


def job(
    kind: str,
    *,
    every: Callable[[ShopConfig], timedelta] | None = None,
    start: str = "now",
    first_payload: Callable[[datetime], dict[str, Any]] | None = None,
) -> Callable[[Handler], Handler]:
    """Decorator: `handler` runs jobs of `kind` (each domain registers its own)."""

    def register(handler: Handler) -> Handler:
        if kind in _KINDS and _KINDS[kind].handler is not handler:
            raise ValueError(f"job kind {kind!r} registered twice")
        _KINDS[kind] = JobKind(kind, handler, every, start, first_payload or (lambda _now: {}))
        return handler

    return register


def handler_for(kind: str) -> Handler | None:
    found = _KINDS.get(kind)
    return found.handler if found else None


def kinds() -> frozenset[str]:
    return frozenset(_KINDS)


def recurring() -> list[JobKind]:
    return [k for k in _KINDS.values() if k.every is not None]


def schedule(
    session: Session,
    *,
    shop_id: str,
    key: str,
    kind: str,
    due_at: datetime,
    order_pk: int | None = None,
    payload: dict[str, Any] | None = None,
) -> tuple[ScheduledJob, bool]:
    """The job for `key`, created unless it exists (then left as it is)."""
    if kind not in _KINDS:
        raise ValueError(f"no handler for job kind {kind!r}")
    existing = session.scalars(select(ScheduledJob).where(ScheduledJob.key == key)).first()
    if existing is not None:
        return existing, False
    row = ScheduledJob(
        shop_id=shop_id,
        key=key,
        kind=kind,
        order_pk=order_pk,
        due_at=due_at,
        status="pending",
        payload=payload or {},
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another worker scheduled it meanwhile
        return session.scalars(select(ScheduledJob).where(ScheduledJob.key == key)).one(), False
    return row, True


def grid_after(now: datetime, every: timedelta) -> datetime:
    """The first multiple of `every` (counted from the epoch) after `now`."""
    seconds = every.total_seconds()
    stamp = now.timestamp()
    return datetime.fromtimestamp((stamp // seconds + 1) * seconds, UTC)


def ensure_recurring(session: Session, shop_id: str, shop: ShopConfig, now: datetime) -> None:
    """Every recurring kind has its row for the shop; a changed period applies from now."""
    for kind in recurring():
        assert kind.every is not None
        every = kind.every(shop)
        seconds = every.total_seconds()
        first = grid_after(now, every) if kind.start == "grid" else now
        row, created = schedule(
            session,
            shop_id=shop_id,
            key=f"{kind.kind}:{shop_id}",
            kind=kind.kind,
            due_at=first,
            payload={"every_seconds": seconds, **kind.first_payload(now)},
        )
        if not created and row.status == "pending" and row.payload.get("every_seconds") != seconds:
            row.payload = {**row.payload, "every_seconds": seconds}
            row.due_at = first
