"""Time `kefu import orders` of 100,000 generated orders into SQLite and PostgreSQL.

Generates N orders (default 100,000) deterministically from a seeded random generator, then
for each database: `kefu migrate`, `kefu import orders FILE` (timed: rows/s, peak RSS of the
child process from `os.wait4`), and the same import again, which must change nothing
(0 added, 0 updated). PostgreSQL runs on a throwaway database `kefu_bench_<random>` at
127.0.0.1:5432 (user postgres), dropped afterwards; it is skipped when unreachable.

    .venv/bin/python benchmarks/bench_import.py [--orders 100000] [--seed 11] [--no-postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

KEFU = Path(sys.executable).with_name("kefu")
START = datetime.fromisoformat("2026-11-01T00:00:00+08:00")
PROVINCES = [
    ("浙江省", "杭州市", "西湖区"),
    ("广东省", "深圳市", "南山区"),
    ("北京市", "北京市", "朝阳区"),
    ("新疆维吾尔自治区", "乌鲁木齐市", "天山区"),
    ("四川省", "成都市", "武侯区"),
    ("上海市", "上海市", "浦东新区"),
]
SKUS = [
    ("TS-001-M-BLK", "纯棉T恤 黑色 M", "apparel", 59.0),
    ("FD-002-500G", "五常大米 500g", "food", 29.9),
    ("SA-003-WHT", "电热水壶 白色", "small_appliance", 129.0),
    ("DC-004-200ML", "洗面奶 200ml", "daily_chemical", 45.5),
]
STATUSES = ["unpaid", "paid", "shipped", "signed", "completed", "closed"]
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def make_order(rng: random.Random, n: int) -> dict[str, Any]:
    created = START + timedelta(minutes=rng.randrange(60 * 24 * 30))
    items = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        sku, title, category, price = rng.choice(SKUS)
        items.append(
            {
                "sku": sku,
                "title": title,
                "category": category,
                "qty": rng.randint(1, 3),
                "price": price,
            }
        )
    province, city, district = rng.choice(PROVINCES)
    status = rng.choice(STATUSES)
    paid = created + timedelta(minutes=5) if status != "unpaid" else None
    return {
        "order_id": f"37{n:017d}",
        "platform": "taobao",
        "buyer_id": f"tb_buyer{n % 20000}",
        "status": status,
        "created_at": created.isoformat(),
        "paid_at": paid.isoformat() if paid else None,
        "shipped_at": None,
        "signed_at": None,
        "amount": round(sum(i["price"] * i["qty"] for i in items), 2),
        "shipping_fee": 0.0,
        "free_shipping": True,
        "payment_method": "online",
        "items": items,
        "address": {
            "name": "张三",
            "phone": f"138{rng.randrange(10**8):08d}",
            "province": province,
            "city": city,
            "district": district,
            "detail": f"文三路{rng.randint(1, 999)}号",
        },
        "courier": rng.choice(["SF", "YTO", None]),
        "tracking_no": None,
        "buyer_note": "",
        "presale": False,
        "customized": False,
        "address_changed_after_payment": False,
    }


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """(wall seconds, CPU seconds, peak RSS in MiB, stdout) of `kefu ARGS` as a child.

    CPU time (user + system, from the child's rusage) is reported beside the wall time: on a
    shared machine the wall time also counts the waits for a core.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(KEFU), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    out = process.stdout.read() if process.stdout else ""
    err = process.stderr.read() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"kefu {' '.join(args)} failed ({process.returncode}): {err.strip()}")
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, cpu, usage.ru_maxrss // 1024, out.strip()


def bench(label: str, url: str, path: Path, rows: int) -> None:
    env = {**os.environ, "KEFU_DATABASE_URL": url, "KEFU_ENV": "dev"}
    run(["migrate"], env)
    print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
    summary = ""
    for name in ("first import", "re-import"):
        seconds, cpu, rss, summary = run(["import", "orders", str(path)], env)
        print(
            f"{label:10} {name:12}: {seconds:6.1f} s wall {rows / seconds:7,.0f} rows/s | "
            f"client CPU {cpu:5.1f} s {rows / cpu:7,.0f} rows/CPU-s | peak RSS {rss} MiB | "
            f"{summary}"
        )
    if not summary.endswith(f"0 added, 0 updated, {rows} unchanged, 0 errors"):
        raise SystemExit(f"{label}: re-import changed something: {summary}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-postgres", action="store_true")
    options = parser.parse_args()

    rng = random.Random(options.seed)
    with tempfile.TemporaryDirectory(prefix="kefu-bench-") as tmp:
        path = Path(tmp) / "orders.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for n in range(options.orders):
                out.write(json.dumps(make_order(rng, n), ensure_ascii=False) + "\n")
        size = path.stat().st_size / 2**20
        print(f"{options.orders:,} orders, {size:.1f} MiB of JSON Lines (seed {options.seed})")

        bench("sqlite", f"sqlite:///{tmp}/bench.sqlite3", path, options.orders)
        if options.no_postgres:
            return
        from sqlalchemy import create_engine, text

        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        name = f"kefu_bench_{uuid.uuid4().hex[:8]}"
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception as exc:
            print(f"postgresql skipped: {str(exc).splitlines()[0]}")
            return
        try:
            bench(
                "postgresql",
                f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
                path,
                options.orders,
            )
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
