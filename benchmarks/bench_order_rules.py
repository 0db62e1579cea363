"""Time `kefu reminders plan` and `kefu orders triage` on a generated batch of orders.

Generates N orders (default 100,000) deterministically from a seeded random generator into
a temporary JSON Lines file, plus a stock file that leaves some SKUs short, then runs each
command once as a child process and reports its wall time and peak RSS (from the child's
own rusage, `os.wait4`, i.e. `resource.struct_rusage.ru_maxrss`). `kefu --help` is timed
too: the start-up cost (imports) that every command pays.

    .venv/bin/python benchmarks/bench_order_rules.py [--orders 100000] [--seed 7]
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
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

KEFU = Path(sys.executable).with_name("kefu")
NOW = "2026-11-25T12:00:00+08:00"
START = datetime.fromisoformat("2026-11-18T00:00:00+08:00")

PROVINCES = [
    "浙江省",
    "浙江",
    "江苏省",
    "上海",
    "北京市",
    "广东省",
    "广东",
    "四川省",
    "新疆",
    "西藏自治区",
    "香港",
    "台湾省",
    "内蒙古",
    "湖北省",
    "火星",
]
CITIES = ["杭州市", "南京市", "上海市", "北京市", "广州市", "成都市", "乌鲁木齐市", ""]
DISTRICTS = ["西湖区", "鼓楼区", "浦东新区", "朝阳区", "天河区", "武侯区"]
STATUSES = ["unpaid"] * 5 + ["paid"] * 3 + ["shipped", "signed", "completed", "closed"]
NOTES = ["", "", "", "", "发顺丰", "😊😊", "请尽快发货", "。。。", "ok", "下午送"]
COURIERS = ["YTO", "SF", "ZTO", None]
SKUS = [f"SKU-{i:04d}" for i in range(300)]


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def make_order(rng: random.Random, number: int, buyers: int) -> dict[str, Any]:
    created = START + timedelta(seconds=rng.randrange(7 * 24 * 3600))
    status = rng.choice(STATUSES)
    paid = created + timedelta(minutes=rng.randrange(1, 600)) if status != "unpaid" else None
    shipped = None
    if status in ("shipped", "signed", "completed") and paid is not None:
        shipped = paid + timedelta(hours=rng.randrange(1, 100))
    items = [
        {
            "sku": rng.choice(SKUS),
            "title": "纯棉圆领T恤",
            "category": "apparel",
            "qty": rng.randint(1, 3),
            "price": 59.0,
        }
        for _ in range(rng.randint(1, 3))
    ]
    return {
        "order_id": f"37{number:017d}",
        "buyer_id": f"tb_{rng.randrange(buyers)}",
        "status": status,
        "created_at": iso(created),
        "paid_at": iso(paid) if paid else None,
        "shipped_at": iso(shipped) if shipped else None,
        "amount": round(rng.uniform(9, 1500), 2),
        "free_shipping": rng.random() < 0.7,
        "payment_method": "cod" if rng.random() < 0.05 else "online",
        "items": items,
        "address": {
            "name": "张三",
            "phone": "13812345678",
            "province": rng.choice(PROVINCES),
            "city": rng.choice(CITIES),
            "district": rng.choice(DISTRICTS),
            "detail": f"文三路{rng.randrange(1, 400)}号",
        },
        "courier": rng.choice(COURIERS),
        "buyer_note": rng.choice(NOTES),
        "presale": rng.random() < 0.03,
        "customized": rng.random() < 0.02,
        "address_changed_after_payment": rng.random() < 0.02,
        "buyer_online": rng.random() < 0.3,
    }


def run(args: list[str]) -> tuple[float, float, float, int, int]:
    """(wall s, CPU s, peak RSS MiB, exit code, output lines) of one child process; CPU time
    (user + system) is the steadier figure on a busy machine."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        child = subprocess.Popen(args, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        lines = sum(1 for _ in out)
    peak_mib = usage.ru_maxrss / 1024  # Linux reports KiB
    return wall, usage.ru_utime + usage.ru_stime, peak_mib, child.returncode, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=1, help="runs per command (best kept)")
    options = parser.parse_args()

    rng = random.Random(options.seed)
    with tempfile.TemporaryDirectory() as folder:
        orders = Path(folder) / "orders.jsonl"
        with orders.open("w", encoding="utf-8") as file:
            for number in range(options.orders):
                order = make_order(rng, number, buyers=max(1, options.orders // 3))
                file.write(json.dumps(order, ensure_ascii=False) + "\n")
        stock = Path(folder) / "stock.json"
        stock.write_text(json.dumps({sku: rng.randrange(0, 400) for sku in SKUS[:100]}))
        size_mb = orders.stat().st_size / 1e6
        print(f"{options.orders} orders, {size_mb:.1f} MB, seed {options.seed}")
        commands = {
            # Start-up alone (imports of every CLI module), to separate it from the rules.
            "--help": [str(KEFU), "--help"],
            "reminders plan": [str(KEFU), "reminders", "plan", str(orders)],
            "orders triage": [
                str(KEFU),
                "orders",
                "triage",
                str(orders),
                "--stock",
                str(stock),
                "--now",
                NOW,
            ],
        }
        for name, args in commands.items():
            runs = [run(args) for _ in range(max(1, options.repeat))]
            wall, cpu, peak, code, lines = min(runs)
            rate = f"{options.orders / wall:9.0f} orders/s" if name != "--help" else " " * 18
            print(
                f"kefu {name:15s} wall {wall:6.2f} s  cpu {cpu:6.2f} s  peak RSS {peak:7.1f} MiB  {rate}  "
                f"exit {code}  {lines} lines"
            )


if __name__ == "__main__":
    main()
