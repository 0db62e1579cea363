"""Time `kefu report kpi` on generated data (deterministic: a fixed random seed).

    .venv/bin/python benchmarks/bench_report_kpi.py [--conversations 200000] [--orders 200000]

Writes the two JSON Lines files to a temporary directory (or `--out DIR` to keep them), runs
the command once over a 30-day period and prints the sizes, wall time and peak memory.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

SHANGHAI = timezone(timedelta(hours=8))
MONTH_START = datetime(2026, 11, 1, tzinfo=SHANGHAI)
DAYS = 30
KEFU = Path(sys.executable).parent / "kefu"

BUYER_LINES = ["在吗？", "这件T恤有L码吗", "什么时候发货", "能便宜点吗", "好的谢谢"]
AGENT_LINES = ["您好，我是客服8号，很高兴为您服务😊", "有的亲", "48小时内发货哦", "感谢您的惠顾"]


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def conversation(rng: random.Random, number: int, buyers: int, agents: int) -> dict[str, object]:
    moment = MONTH_START + timedelta(seconds=rng.randrange(DAYS * 86400))
    messages = []
    if rng.random() < 0.3:
        messages.append({"sender": "bot", "text": "欢迎光临", "ts": iso(moment)})
    for _ in range(rng.randint(1, 4)):
        messages.append({"sender": "buyer", "text": rng.choice(BUYER_LINES), "ts": iso(moment)})
        moment += timedelta(seconds=rng.randint(1, 90))
        if rng.random() < 0.9:
            messages.append(
                {
                    "sender": "agent",
                    "text": rng.choice(AGENT_LINES),
                    "ts": iso(moment),
                    "quick_reply": rng.random() < 0.3,
                }
            )
        moment += timedelta(seconds=rng.randint(5, 600))
    if rng.random() < 0.05:  # some exports are not in time order
        rng.shuffle(messages)
    return {
        "conversation_id": f"c-{number:07d}",
        "platform": "taobao",
        "buyer_id": f"tb_buyer{rng.randrange(buyers)}",
        "agent_id": None if rng.random() < 0.05 else f"kf{rng.randrange(agents):02d}",
        "order_ids": [],
        "messages": messages,
        "closed_by": rng.choice(["agent", "buyer", "timeout", None]),
        "rating": rng.choice([None, None, None, 5, 5, 4, 3, 1]),
    }


def order(rng: random.Random, number: int, buyers: int) -> dict[str, object]:
    created = MONTH_START + timedelta(seconds=rng.randrange((DAYS + 2) * 86400))
    paid = created + timedelta(minutes=rng.randint(0, 3000)) if rng.random() < 0.7 else None
    price = round(rng.uniform(9.9, 999), 2)
    return {
        "order_id": f"37{number:017d}",
        "platform": "taobao",
        "buyer_id": f"tb_buyer{rng.randrange(buyers)}",
        "status": "paid" if paid else "unpaid",
        "created_at": iso(created),
        "paid_at": iso(paid) if paid else None,
        "amount": price,
        "shipping_fee": 0.0,
        "free_shipping": True,
        "items": [{"sku": "TS-001-M-BLK", "title": "纯棉圆领T恤 黑色 M", "category": "apparel",
                   "qty": 1, "price": price}],
        "address": {"name": "张三", "phone": "13812345678", "province": "浙江省",
                    "city": "杭州市", "district": "西湖区", "detail": "文三路123号"},
    }  # fmt: skip


def generate(conversations: int, orders: int, out_dir: Path) -> tuple[Path, Path]:
    rng = random.Random(20261120)
    buyers = max(1, conversations // 4)
    out_dir.mkdir(parents=True, exist_ok=True)
    conversation_file = out_dir / "conversations.jsonl"
    order_file = out_dir / "orders.jsonl"
    with conversation_file.open("w", encoding="utf-8") as out:
        for number in range(conversations):
            record = conversation(rng, number, buyers, agents=40)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    with order_file.open("w", encoding="utf-8") as out:
        for number in range(orders):
            out.write(json.dumps(order(rng, number, buyers), ensure_ascii=False) + "\n")
    return conversation_file, order_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=200_000)
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--out", type=Path, help="keep the generated files in this directory")
    args = parser.parse_args()
    if args.out:
        run(args.conversations, args.orders, args.out)
    else:
        with tempfile.TemporaryDirectory() as scratch:
            run(args.conversations, args.orders, Path(scratch))


def run(conversations: int, orders: int, out_dir: Path) -> None:
    started = time.perf_counter()
    conversation_file, order_file = generate(conversations, orders, out_dir)
    generated = time.perf_counter() - started
    period = ["--from", iso(MONTH_START), "--to", iso(MONTH_START + timedelta(days=DAYS))]
    command = [str(KEFU), "report", "kpi", "--conversations", str(conversation_file),
               "--orders", str(order_file), *period]  # fmt: skip

    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    team = json.loads(result.stdout)["team"] if result.returncode == 0 else result.stderr[:500]

    size_mb = (conversation_file.stat().st_size + order_file.stat().st_size) / 1e6
    print(f"input: {conversations} conversations + {orders} orders, {size_mb:.0f} MB")
    print(f"generated in {generated:.1f} s")
    print(f"kefu report kpi: exit {result.returncode}, {elapsed:.1f} s, peak RSS {peak_mb:.0f} MB")
    print(f"team: {json.dumps(team, ensure_ascii=False)}")


if __name__ == "__main__":
    main()
