"""Group commit: jobs share a transaction, yet each stands or falls alone."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, select
from sqlalchemy.orm import Session, sessionmaker

from kefu.core.errors import DomainError
from kefu.db.uow import Event, Listeners, UnitOfWork, emit
from kefu.realtime.group_commit import GroupCommit

NOW = datetime(2026, 12, 8, tzinfo=UTC)
metadata = MetaData()
notes = Table("notes", metadata, Column("id", Integer, primary_key=True), Column("text", String))


class Db:
    """A SQLite file and an `in_db` that runs work in a thread, counting the trips."""

    def __init__(self, path: Path) -> None:
        self.engine = create_engine(f"sqlite:///{path}")
        metadata.create_all(self.engine)
        self.sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.listeners = Listeners()
        self.trips: list[int] = []
        self.gate = threading.Event()
        self.gate.set()

    async def in_db(self, work: Callable[[UnitOfWork], Any]) -> Any:
        def run() -> Any:
            self.gate.wait(5)
            uow = UnitOfWork(self.sessions, now=NOW, listeners=self.listeners)
            try:
                return work(uow)
            finally:
                uow.close()

        self.trips.append(1)
        return await asyncio.to_thread(run)

    def texts(self) -> list[str]:
        with self.engine.connect() as conn:
            return sorted(conn.scalars(select(notes.c.text)))


def write(text: str, *, fail: bool = False) -> Callable[[Session], str]:
    def work(session: Session) -> str:
        session.execute(insert(notes).values(text=text))
        emit(session, "note.written", {"text": text}, "notes")
        if fail:  # after writing: the batch's transaction is spoiled, not only this job
            raise DomainError("REFUSED", text)
        return text.upper()

    return work


@pytest.fixture
def db(tmp_path: Path) -> Db:
    return Db(tmp_path / "notes.db")


def test_jobs_arriving_together_share_trips_and_keep_their_own_results(db: Db) -> None:
    async def scenario() -> list[Any]:
        group = GroupCommit(db.in_db, in_flight=1)
        db.gate.clear()  # the first batch waits in the database ...
        first = asyncio.create_task(group.run(write("a")))
        await asyncio.sleep(0.05)
        rest = [asyncio.create_task(group.run(write(t))) for t in "bcdef"]
        await asyncio.sleep(0.05)  # ... while five more jobs queue behind it
        db.gate.set()
        return await asyncio.gather(first, *rest)

    results = asyncio.run(scenario())
    assert [r[0] for r in results] == ["A", "B", "C", "D", "E", "F"]
    assert [r[1] for r in results] == [[note(t)] for t in "abcdef"]
    assert db.texts() == list("abcdef")
    assert len(db.trips) == 2  # "a" alone, then the five together


def test_a_failing_job_does_not_cost_the_others_their_place(db: Db) -> None:
    async def scenario() -> list[Any]:
        group = GroupCommit(db.in_db, in_flight=1)
        db.gate.clear()
        blocker = asyncio.create_task(group.run(write("x")))
        await asyncio.sleep(0.05)
        jobs = [
            asyncio.create_task(group.run(write("ok1"))),
            asyncio.create_task(group.run(write("bad", fail=True))),
            asyncio.create_task(group.run(write("ok2"))),
        ]
        await asyncio.sleep(0.05)
        db.gate.set()
        await blocker
        return await asyncio.gather(*jobs, return_exceptions=True)

    ok1, bad, ok2 = asyncio.run(scenario())
    assert ok1[0] == "OK1" and ok2[0] == "OK2"
    assert isinstance(bad, DomainError) and bad.code == "REFUSED"
    assert db.texts() == ["ok1", "ok2", "x"]  # nothing of the refused job was kept
    assert ok2[1] == [note("ok2")]  # no event of the refused job leaks


def test_listeners_follow_each_committed_job_and_a_failing_one_is_contained(db: Db) -> None:
    # given: a listener that counts the committed notes and writes one of its own, and one
    # that falls over
    seen: list[int] = []

    @db.listeners.on("note.written")
    def count(session: Session, event: Event, _now: datetime) -> None:
        seen.append(len(list(session.scalars(select(notes.c.id)))))
        if event.payload["text"] == "one":
            session.execute(insert(notes).values(text="echo"))
            emit(session, "note.echoed", {"text": "echo"}, "notes")

    @db.listeners.on("note.written")
    def broken(_session: Session, _event: Event, _now: datetime) -> None:
        raise RuntimeError("the bot fell over")

    async def scenario() -> tuple[Any, Any]:
        group = GroupCommit(db.in_db)
        return await group.run(write("one")), await group.run(write("two"))

    # when: two jobs run
    first, second = asyncio.run(scenario())
    # then: each listener saw its job committed; the echo is the first job's event too
    assert seen == [1, 3]
    assert first == ("ONE", [note("one"), Event("note.echoed", {"text": "echo"}, ("notes",))])
    assert second == ("TWO", [note("two")])
    assert db.texts() == ["echo", "one", "two"]


def test_the_same_group_works_on_a_new_event_loop(db: Db) -> None:
    group = GroupCommit(db.in_db)
    assert asyncio.run(group.run(write("first")))[0] == "FIRST"
    assert asyncio.run(group.run(write("second")))[0] == "SECOND"  # e.g. the app restarted


def note(text: str) -> Event:
    return Event("note.written", {"text": text}, ("notes",))
