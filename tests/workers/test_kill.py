"""The exactly-once proof (issue 5): a worker process SIGKILLed in the middle of dispatching
on PostgreSQL, another started; every due reminder ends in the outbox exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from opsfactory import SHOP_ID, at, order_record, store_orders
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from kefu.db.base import utcnow
from kefu.db.models import Reminder, SmsOutbox
from kefu.services import orders_ops

REMINDERS = 400


def start_worker(url: str, tmp_path: Path, name: str, *args: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "KEFU_DATABASE_URL": url,
        "KEFU_ENV": "test",
        "KEFU_DATA_DIR": str(tmp_path),
    }
    command = [sys.executable, "-m", "kefu.cli.main", "worker", "--poll", "0.1", *args]
    log = (tmp_path / f"{name}.log").open("wb")  # a file, not a pipe nobody reads
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


def counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        by_status = dict(
            session.execute(select(Reminder.status, func.count()).group_by(Reminder.status)).all()
        )
        by_status["outbox"] = session.scalar(select(func.count()).select_from(SmsOutbox)) or 0
    return by_status


def wait_for(predicate, timeout: float, what: str, detail=lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}: {detail()}")  # pragma: no cover


@pytest.mark.slow
def test_sigkill_mid_dispatch_then_another_worker_sends_each_reminder_exactly_once(
    pg_engine: Engine, tmp_path: Path
) -> None:
    engine = pg_engine
    pg_url = engine.url.render_as_string(hide_password=False)
    # given 400 unpaid orders whose SMS reminders are all due
    pks = store_orders(engine, *(order_record(f"k{i:04d}") for i in range(REMINDERS)))
    with Session(engine) as session, session.begin():
        orders_ops.on_orders_changed(session, SHOP_ID, pks, now=at("2026-11-20 10:16"))
        session.execute(update(Reminder).values(due_at=utcnow() - timedelta(minutes=1)))
    assert counts(engine)["pending"] == REMINDERS

    # when a worker is killed with SIGKILL while it holds claimed, unsent reminders (its
    # batch transaction open; a kill that lands between two batches is tried again)
    for attempt in range(3):
        before = counts(engine)["outbox"]
        first = start_worker(
            pg_url, tmp_path, f"first{attempt}", "--batch", "25", "--throttle", "0.02"
        )
        try:
            wait_for(
                lambda before=before: (
                    (c := counts(engine))["outbox"] > before and c.get("sending", 0) > 0
                ),
                timeout=180,  # generous: a loaded CI machine starts Python slowly
                what="the first worker to be mid-dispatch",
                detail=lambda: counts(engine),
            )
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            if first.poll() is None:
                first.kill()
        assert first.returncode == -signal.SIGKILL
        at_kill = counts(engine)
        if at_kill.get("sending", 0) > 0:
            break
    assert at_kill.get("sending", 0) > 0, at_kill  # claims the dead worker left behind
    assert 0 < at_kill["outbox"] < REMINDERS

    # and another worker starts, taking over claims older than 1 s
    second = start_worker(pg_url, tmp_path, "second", "--batch", "50", "--stale-after", "1")
    try:
        wait_for(
            lambda: counts(engine).get("sent", 0) == REMINDERS,
            timeout=180,
            what="the second worker to finish",
            detail=lambda: f"{counts(engine)} {(tmp_path / 'second.log').read_text()[-3000:]}",
        )
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=60)
    assert second.returncode == 0, (tmp_path / "second.log").read_text()

    # then every due reminder is in the outbox exactly once, and nothing is left
    final = counts(engine)
    assert final == {"sent": REMINDERS, "outbox": REMINDERS}
    with Session(engine) as session:
        keys = session.scalars(select(SmsOutbox.idempotency_key)).all()
        per_reminder = session.execute(
            select(SmsOutbox.reminder_id, func.count())
            .group_by(SmsOutbox.reminder_id)
            .having(func.count() > 1)
        ).all()
        ids = set(session.scalars(select(Reminder.id)))
    assert len(set(keys)) == REMINDERS and per_reminder == []
    assert {int(k.split(":")[1]) for k in keys} == ids
