"""`kefu worker` and the in-process loop `kefu run` starts (`run_scheduler_forever`)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from opsfactory import SHOP_ID, at, order_record, store_orders
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kefu.cli.main import main
from kefu.db import migrate
from kefu.db.base import utcnow
from kefu.db.models import Reminder, SmsOutbox
from kefu.db.session import make_engine
from kefu.services import orders_ops
from kefu.workers import run_scheduler_forever
from kefu.workers.scheduler import WorkerConfig


def due_reminders(url: str, n: int) -> None:
    engine = make_engine(url)
    pks = store_orders(engine, *(order_record(f"w{i}") for i in range(n)))
    with Session(engine) as session, session.begin():
        orders_ops.on_orders_changed(session, SHOP_ID, pks, now=at("2026-11-20 10:16"))
        session.execute(update(Reminder).values(due_at=utcnow() - timedelta(minutes=1)))
    engine.dispose()


def sent_count(url: str) -> int:
    engine = make_engine(url)
    with Session(engine) as session:
        count = len(session.scalars(select(SmsOutbox.id)).all())
    engine.dispose()
    return count


def test_worker_until_idle_sends_what_is_due(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    migrate.upgrade(sqlite_url)
    due_reminders(sqlite_url, 3)
    monkeypatch.setenv("KEFU_DATABASE_URL", sqlite_url)
    with pytest.raises(SystemExit) as exit_info:
        main(["worker", "--until-idle"])
    assert exit_info.value.code == 0
    assert "reminders: sent 3" in capsys.readouterr().out
    assert sent_count(sqlite_url) == 3


def test_worker_refuses_an_unmigrated_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KEFU_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with pytest.raises(SystemExit) as exit_info:
        main(["worker", "--once"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "kefu migrate" in err and len(err.strip().splitlines()) == 1


def test_the_in_process_loop_sends_and_stops(sqlite_url: str) -> None:
    migrate.upgrade(sqlite_url)
    due_reminders(sqlite_url, 2)
    stop = threading.Event()
    config = WorkerConfig(poll_seconds=0.05)
    thread = threading.Thread(target=run_scheduler_forever, args=(stop, sqlite_url, config))
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while sent_count(sqlite_url) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert sent_count(sqlite_url) == 2
