"""Dispatch of 10,000 due payment reminders by 2 `kefu worker` processes on PostgreSQL.

Seeds a throwaway database `kefu_bench_<random>` at 127.0.0.1:5432 (user postgres, dropped
afterwards) with N unpaid orders (default 10,000) and one due reminder each — 80 % SMS,
15 % in-app (a bot message in the buyer's chat), 5 % phone (a task for the agent) — then
starts W worker processes (default 2) and waits until every reminder is sent. Reported:
- time: from the moment the reminders fall due (the workers are already running and idle)
  to the last one committed as sent, and the dispatch window (first to last send);
- lateness: `sent_at − due_at` per reminder, p50 / p99 / max;
- duplicates: effects beyond one per reminder (outbox rows, chat messages, tasks with the
  reminder's key) — must be 0;
- lost: reminders not sent, or sent without their effect — must be 0;
- the share of each worker (from the claim tokens).

With `--spread S` the reminders fall due evenly over S seconds after the start instead of
all at once, so lateness measures how far behind a steady stream the workers run.

    .venv/bin/python benchmarks/bench_dispatch.py [--reminders 10000] [--workers 2]
        [--batch 100] [--spread 0]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.orm import Session

from kefu.core import records
from kefu.core.orders import reminder_text
from kefu.core.shopconfig import build_shop_config
from kefu.db.base import utcnow
from kefu.db.migrate import upgrade
from kefu.db.models import Message, OpsTask, Order, Reminder, SmsOutbox
from kefu.db.session import make_engine
from kefu.services.imports import ensure_shop, record_hash, upsert_orders

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SHOP = build_shop_config()
CHANNELS = ["sms"] * 16 + ["im"] * 3 + ["phone"]  # 80 / 15 / 5 %


def make_order(rng: random.Random, n: int) -> records.Order:
    return records.Order.model_validate(
        {
            "order_id": f"BD{n:08d}",
            "buyer_id": f"buyer{n:06d}",
            "status": "unpaid",
            "created_at": "2026-11-20T10:15:00+08:00",
            "amount": round(rng.uniform(20, 499), 2),
            "items": [{"sku": "TS-001-M-BLK", "title": "纯棉T恤 黑色 M", "qty": 1, "price": 59.0}],
            "address": {
                "name": "张三",
                "phone": f"138{rng.randrange(10**8):08d}",
                "province": "浙江省",
                "city": "杭州市",
                "district": "西湖区",
                "detail": "文三路123号",
            },
        }
    )


def seed(url: str, count: int, seed_value: int) -> None:
    """N unpaid orders, one reminder each, due tomorrow (`make_due` brings them forward)."""
    rng = random.Random(seed_value)
    engine = make_engine(url)
    orders = [make_order(rng, n) for n in range(count)]
    with Session(engine) as session, session.begin():
        ensure_shop(session, SHOP)
    for start in range(0, count, 1000):
        chunk = orders[start : start + 1000]
        with Session(engine) as session, session.begin():
            upsert_orders(session, SHOP.shop_id, [(o, record_hash(o)) for o in chunk])
    with Session(engine) as session, session.begin():
        pks = dict(session.execute(select(Order.order_id, Order.id)).all())
        later = utcnow() + timedelta(days=1)
        rows: list[dict[str, Any]] = []
        for n, order in enumerate(orders):
            channel = CHANNELS[n % len(CHANNELS)]
            rows.append(
                {
                    "shop_id": SHOP.shop_id,
                    "order_pk": pks[order.order_id],
                    "order_id": order.order_id,
                    "seq": 1,
                    "channel": channel,
                    "due_at": later,
                    "status": "pending",
                    "text": reminder_text(channel, order, SHOP.name),
                    "cancel_reason": "",
                    "outcome_note": "",
                }
            )
        session.execute(insert(Reminder), rows)
    engine.dispose()


def make_due(url: str, count: int, spread: float) -> float:
    """All reminders due now (or evenly over `spread` seconds from now); returns now."""
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        low = session.scalar(select(func.min(Reminder.id))) or 0
        started = utcnow()
        session.execute(
            text("UPDATE reminders SET due_at = :t0 + make_interval(secs => (id - :low) * :step)"),
            {"t0": started, "low": low, "step": spread / count if spread else 0.0},
        )
    engine.dispose()
    return started.timestamp()


def wait_ready(logs: list[Path], timeout: float = 120.0) -> None:
    """Until every worker printed its start line (Python start-up is not dispatch time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(log.exists() and b"kefu worker" in log.read_bytes() for log in logs):
            return
        time.sleep(0.05)
    raise SystemExit("workers did not start")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def measure(url: str, started: float) -> dict[str, Any]:
    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.execute(
            select(Reminder.id, Reminder.channel, Reminder.status, Reminder.due_at,
                   Reminder.sent_at, Reminder.claim_token)
        ).all()  # fmt: skip
        effects: dict[str, int] = {}
        for key, n in session.execute(
            select(SmsOutbox.idempotency_key, func.count()).group_by(SmsOutbox.idempotency_key)
        ):
            effects[key] = effects.get(key, 0) + n
        for key, n in session.execute(
            select(Message.client_msg_id, func.count())
            .where(Message.client_msg_id.like("reminder:%"))
            .group_by(Message.client_msg_id)
        ):
            effects[key] = effects.get(key, 0) + n
        for key, n in session.execute(
            select(OpsTask.key, func.count())
            .where(OpsTask.key.like("reminder:%"))
            .group_by(OpsTask.key)
        ):
            effects[key] = effects.get(key, 0) + n
    engine.dispose()
    sent = [r for r in rows if r.status == "sent"]
    lateness = [max((r.sent_at - r.due_at).total_seconds(), 0.0) for r in sent]
    duplicates = sum(max(n - 1, 0) for n in effects.values())
    lost = sum(1 for r in rows if r.status != "sent" or effects.get(f"reminder:{r.id}", 0) == 0)
    shares: dict[str, int] = {}
    for r in sent:
        worker = (r.claim_token or "?").rsplit(":", 1)[0]
        shares[worker] = shares.get(worker, 0) + 1
    first = min(r.sent_at for r in sent)
    last = max(r.sent_at for r in sent)
    return {
        "reminders": len(rows),
        "sent": len(sent),
        "time_s": round(last.timestamp() - started, 2),
        "dispatch_window_s": round((last - first).total_seconds(), 2),
        "per_second": round(len(sent) / max((last - first).total_seconds(), 1e-9), 1),
        "lateness_p50_s": round(statistics.median(lateness), 3),
        "lateness_p99_s": round(percentile(lateness, 0.99), 3),
        "lateness_max_s": round(max(lateness), 3),
        "duplicates": duplicates,
        "lost": lost,
        "per_worker": dict(sorted(shares.items())),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--spread", type=float, default=0.0, help="seconds over which due")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"kefu_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    workers: list[subprocess.Popen[bytes]] = []
    try:
        upgrade(url)
        t = time.perf_counter()
        seed(url, args.reminders, args.seed)
        print(f"seeded {args.reminders} orders + reminders in {time.perf_counter() - t:.1f} s")
        logs = Path(tempfile.mkdtemp(prefix="kefu-bench-"))
        env = {**os.environ, "KEFU_DATABASE_URL": url, "KEFU_ENV": "test",
               "KEFU_DATA_DIR": str(logs)}  # fmt: skip
        kefu = [sys.executable, "-m", "kefu.cli.main", "worker"]
        for n in range(args.workers):
            log = (logs / f"worker{n}.log").open("wb")
            workers.append(
                subprocess.Popen(
                    [*kefu, "--batch", str(args.batch), "--poll", "0.05", "--worker-id", f"w{n}"],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        wait_ready([logs / f"worker{n}.log" for n in range(args.workers)])
        time.sleep(1.0)  # past the first pass (recurring jobs created)
        started = make_due(url, args.reminders, args.spread)
        engine = make_engine(url)
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            with Session(engine) as session:
                left = session.scalar(
                    select(func.count()).select_from(Reminder).where(Reminder.status != "sent")
                )
            if not left:
                break
            time.sleep(0.05)
        engine.dispose()
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        result = measure(url, started)
        result.update(workers=args.workers, batch=args.batch, spread_s=args.spread)
        print(json.dumps(result, ensure_ascii=False))
        return 0 if result["duplicates"] == 0 and result["lost"] == 0 else 1
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
