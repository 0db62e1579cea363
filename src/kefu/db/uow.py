"""The unit of work: the one way kefu changes state (ADR 0006).

Every write — an HTTP route, a WebSocket frame, a CLI command, a scheduled job, a batch of
chat messages in a group commit — runs as one unit of work:

1. the caller opens it (`unit_of_work(...)`, or a helper built on it) and hands its session
   to actions (`do_*`), which write, audit and `emit()` domain events into it;
2. `commit()` commits the transaction — before the caller answers its client;
3. only then are the collected events handed out: first to the *listeners* registered for
   their names (routing, the bot, QA on close, …), each in a transaction of its own, then
   to the *publisher* (the realtime broker), which pushes `event.payload` to
   `event.channels`.

So nothing is ever announced that a rollback could take back, and a listener's failure
never undoes the write that caused it (a sweep job catches up where that matters).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

T = TypeVar("T")
_EVENTS_KEY = "kefu.uow.events"
MAX_LISTENER_DEPTH = 3  # a listener's events may trigger listeners, this deep at most


@dataclass(frozen=True, slots=True)
class Event:
    """A domain event: `name` for listeners ("inbox.conversation_closed"), `payload` for
    clients (a JSON object with a "type"), `channels` the realtime audiences it goes to
    (explicit recipients: a conversation, an agent, a shop's floor)."""

    name: str
    payload: dict[str, Any]
    channels: tuple[str, ...] = ()
    # The rows the event is about, for listeners in this process (never published).
    subject: Any = field(default=None, compare=False, repr=False)


Listener = Callable[[Session, Event, datetime], None]
Publish = Callable[[list[Event]], None]


class Listeners:
    """Which listeners run after the commit of an event of each name."""

    def __init__(self) -> None:
        self._by_name: dict[str, list[Listener]] = defaultdict(list)

    def on(self, *names: str) -> Callable[[Listener], Listener]:
        """Decorator: run the function after the commit of any event of these names."""

        def register(listener: Listener) -> Listener:
            for name in names:
                if listener not in self._by_name[name]:
                    self._by_name[name].append(listener)
            return listener

        return register

    def of(self, name: str) -> list[Listener]:
        return self._by_name.get(name, [])

    def names(self) -> set[str]:
        return {name for name, found in self._by_name.items() if found}


LISTENERS = Listeners()  # the process's registry; each domain registers at import
listen = LISTENERS.on


class SessionMaker(Protocol):
    def __call__(self) -> Session: ...


# --- inside a unit of work: what actions call ------------------------------------------------


def emit(
    session: Session, name: str, payload: dict[str, Any], *channels: str, subject: Any = None
) -> None:
    """Record an event to hand out once this session's transaction commits."""
    session.info.setdefault(_EVENTS_KEY, []).append(Event(name, payload, channels, subject))


def pending_events(session: Session) -> list[Event]:
    """The events this transaction has emitted so far (the list itself, growing)."""
    events: list[Event] = session.info.setdefault(_EVENTS_KEY, [])
    return events


# --- the unit of work itself ----------------------------------------------------------------


class UnitOfWork:
    """One transaction on a new session, and the events it emits."""

    def __init__(
        self,
        factory: SessionMaker | sessionmaker[Session] | None = None,
        *,
        now: datetime,
        listeners: Listeners = LISTENERS,
        session: Session | None = None,
    ) -> None:
        if session is None:
            if factory is None:
                raise ValueError("a unit of work needs a session or a session factory")
            session = factory()
        self.session: Session = session
        self.now = now
        self.listeners = listeners

    def commit(self, *, run_listeners: bool = True) -> list[Event]:
        """Commit; then run the listeners of what was emitted. Returns every event to
        publish: this transaction's own, then those its listeners emitted."""
        try:
            self.session.commit()
        except BaseException:
            self.rollback()
            raise
        events: list[Event] = self.session.info.pop(_EVENTS_KEY, [])
        return events + self.after_commit(events) if run_listeners else events

    def after_commit(self, events: Iterable[Event], depth: int = 0) -> list[Event]:
        """Run the listeners of `events` (already committed), each in a transaction of its
        own on this session (the rows the events name are at hand); the events those
        emitted, and their listeners' in turn. A failing listener is logged and skipped."""
        derived: list[Event] = []
        if depth >= MAX_LISTENER_DEPTH:
            return derived
        for event in events:
            for listener in self.listeners.of(event.name):
                try:
                    listener(self.session, event, self.now)
                    self.session.commit()
                except Exception:
                    log.exception(
                        "listener %s of %s failed", getattr(listener, "__name__", "?"), event.name
                    )
                    self.rollback()
                    continue
                produced: list[Event] = self.session.info.pop(_EVENTS_KEY, [])
                derived += produced + self.after_commit(produced, depth + 1)
        return derived

    def rollback(self) -> None:
        self.session.rollback()
        self.session.info.pop(_EVENTS_KEY, None)

    def close(self) -> None:
        self.session.close()


def commit(session: Session, *, now: datetime | None = None) -> list[Event]:
    """Commit a session that was not opened as a unit of work (a script's, a test's) the
    way a unit of work does: then its listeners, and every event back to publish."""
    return UnitOfWork(session=session, now=now or datetime.now(UTC)).commit()


def rollback(session: Session) -> None:
    """Roll back and forget the events emitted since the last commit."""
    session.rollback()
    session.info.pop(_EVENTS_KEY, None)


@contextmanager
def unit_of_work(
    factory: SessionMaker | sessionmaker[Session],
    *,
    now: datetime,
    publish: Publish | None = None,
) -> Iterator[Session]:
    """A unit of work as a `with` block: commits when the block ends (then runs listeners
    and publishes), rolls back on an error. An error whose `keep_writes` is true (a refused
    sign-in keeps its audit row, see `kefu.core.errors`) commits what was written first,
    then propagates."""
    uow = UnitOfWork(factory, now=now)
    try:
        try:
            yield uow.session
        except BaseException as exc:
            if getattr(exc, "keep_writes", False):
                _publish(publish, uow.commit())
            raise
        _publish(publish, uow.commit())
    except BaseException:
        uow.rollback()
        raise
    finally:
        uow.close()


def run(
    factory: SessionMaker | sessionmaker[Session],
    work: Callable[[Session], T],
    *,
    now: datetime,
) -> tuple[T, list[Event]]:
    """`work` in one unit of work: its result and the events to publish (the caller
    publishes them, e.g. after acknowledging its client)."""
    uow = UnitOfWork(factory, now=now)
    try:
        result = work(uow.session)
        return result, uow.commit()
    except BaseException:
        uow.rollback()
        raise
    finally:
        uow.close()


def _publish(publish: Publish | None, events: list[Event]) -> None:
    if publish is None or not events:
        return
    try:
        publish(events)
    except Exception:  # clients catch up from the database; the write stands
        log.exception("publishing %d events failed", len(events))
