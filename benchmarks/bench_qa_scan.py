"""Time `kefu qa scan` on about a million generated agent messages.

Generates conversations deterministically from a seeded random generator into a temporary
JSON Lines file: by default 100,000 conversations holding 1,000,000 agent messages (plus
buyer and a few bot messages), built from realistic colloquial agent replies — clean ones,
violations and near misses — so every rule's context checks run. Then `kefu qa scan` runs
once as a child process; the script reports its wall time, peak RSS (the child's own
rusage via `os.wait4`) and throughput. `kefu --help` is timed too (start-up cost).

    .venv/bin/python benchmarks/bench_qa_scan.py [--conversations 100000] [--seed 7]
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
START = datetime.fromisoformat("2026-11-20T09:00:00+08:00")
AGENT_MESSAGES_PER_CONVERSATION = 10

GREETINGS = [
    "您好，很高兴为您服务😊",
    "亲，在的哦",
    "您好亲，请问有什么可以帮您",
    "这款有现货的",
    "在呢亲～",
]
AGENT = [
    "亲，这款是纯棉的，不起球不掉色，放心拍哦",
    "好的亲，已经为您备注了，今天下午四点前发出",
    "这款没有XL码了，可以看看L码，版型偏大一码",
    "亲，您的包裹已经在派送中了，请耐心等待哦",
    "不好意思亲，这个颜色没有了",
    "亲，收到货有任何问题随时联系我们",
    "不能退。",
    "亲，已经帮您催促仓库了，有消息第一时间通知您",
    "这款面料没有色差，实物和图片一致",
    "您是不是还没有收到货呢？",
    "亲，活动价不能叠加优惠券，不过可以领店铺满减券",
    "好的",
    "嗯",
    "亲，一般两到三天送达，具体以物流为准哦",
    "别家也是这个价哦，我们是官方正品",
    "保证明天到的",
    "亲，身高165体重100斤建议拍M码",
    "退款已经原路返回，请注意查收",
    "麻烦您提供一下订单号，我帮您查询",
    "张* 138****5678 浙江省杭州市西湖区文三路123号，地址核对一下哦",
    "亲，收到满意的话麻烦给个五星好评哦",
    "请勿私下交易，平台外交易没有保障",
    "爱买不买",
    "加我微信 kefu_888 有优惠",
    "您的订单号3712345678901234567已发货，顺丰单号SF1234567890123",
    "好评返现5元哦",
    "亲，如果没有收到请联系我们，我们会帮您处理",
    "洗的时候不能用热水哦，建议冷水手洗",
    "亲，这个价格已经是最低了，没法再优惠了",
    "今天一定给您安排发出",
    "这款一定合适您的",
    "好的亲，马上为您处理～",
    "亲亲，质量问题支持七天无理由退换，运费我们承担",
    "亲，有不清楚的地方随时问我哦",
    "您好，我们的产品都是正品，支持专柜验货",
]
CLOSINGS = ["感谢您的支持，祝您生活愉快", "好的亲，有问题随时联系哦", "谢谢亲，再见～", "已备注"]
BUYER = [
    "在吗",
    "这件有L码吗",
    "什么时候发货",
    "能便宜点吗",
    "快递到哪了",
    "好的谢谢",
    "发什么快递",
    "质量怎么样",
    "退款怎么还没到",
    "人呢？",
]


def conversation(rng: random.Random, number: int) -> tuple[dict[str, Any], int]:
    """One generated conversation and the bytes of its message text."""
    at = START + timedelta(seconds=number * 7)
    messages: list[dict[str, Any]] = []
    text_bytes = 0

    def add(sender: str, text: str, after: int, quick: bool = False) -> None:
        nonlocal at, text_bytes
        at += timedelta(seconds=after)
        message: dict[str, Any] = {
            "sender": sender,
            "text": text,
            "ts": at.isoformat(timespec="seconds"),
        }
        if quick:
            message["quick_reply"] = True
        messages.append(message)
        text_bytes += len(text.encode("utf-8"))

    add("buyer", rng.choice(BUYER), 0)
    add("agent", rng.choice(GREETINGS), rng.randint(2, 20), quick=rng.random() < 0.5)
    for _ in range(AGENT_MESSAGES_PER_CONVERSATION - 2):
        if rng.random() < 0.4:
            add("buyer", rng.choice(BUYER), rng.randint(5, 60))
        if rng.random() < 0.05:
            add("bot", "亲，客服正在赶来，请稍等", 1)
        text = rng.choice(AGENT)
        if rng.random() < 0.1:
            text += "，" + rng.choice(AGENT)
        add("agent", text, rng.randint(3, 90), quick=rng.random() < 0.3)
    add("agent", rng.choice(CLOSINGS), rng.randint(3, 30))
    record = {
        "conversation_id": f"c-{number:07d}",
        "buyer_id": f"tb_{rng.randrange(10**6):06d}",
        "agent_id": f"kf{rng.randrange(20):02d}",
        "messages": messages,
        "closed_by": rng.choice(["agent", "agent", "buyer", "timeout", None]),
    }
    return record, text_bytes


def generate(path: Path, conversations: int, seed: int) -> tuple[int, int]:
    """Writes the conversations; returns (agent messages, bytes of message text)."""
    rng = random.Random(seed)
    text_bytes = 0
    with path.open("w", encoding="utf-8") as out:
        for number in range(conversations):
            record, size = conversation(rng, number)
            text_bytes += size
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return conversations * AGENT_MESSAGES_PER_CONVERSATION, text_bytes


def run(args: list[str]) -> tuple[float, float, float, int, int]:
    """(wall s, CPU s, peak RSS MiB, exit code, output lines) of one child process.

    CPU time (user + system) is what the run costs one core even when other work shares
    the machine; wall time is what a user waits.
    """
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        child = subprocess.Popen(args, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        lines = sum(1 for _ in out)
    peak_mib = usage.ru_maxrss / 1024  # Linux reports KiB
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, peak_mib, os.waitstatus_to_exitcode(status), lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "conversations.jsonl"
        start = time.perf_counter()
        agent_total, text_bytes = generate(data, options.conversations, options.seed)
        generated = time.perf_counter() - start
        size_mib = data.stat().st_size / 2**20
        print(
            f"generated {options.conversations:,} conversations, {agent_total:,} agent messages,"
            f" {text_bytes / 2**20:.1f} MiB of message text, file {size_mib:.1f} MiB"
            f" in {generated:.1f} s"
        )
        wall, cpu, peak, code, lines = run([str(KEFU), "--help"])
        print(f"kefu --help: {wall:.2f} s wall, {cpu:.2f} s CPU, peak RSS {peak:.0f} MiB")
        wall, cpu, peak, code, lines = run([str(KEFU), "qa", "scan", str(data)])
        print(
            f"kefu qa scan: {wall:.1f} s wall, {cpu:.1f} s CPU, peak RSS {peak:.0f} MiB, exit {code},"
            f" {lines:,} output lines, {agent_total / wall:,.0f} agent messages/s"
        )


if __name__ == "__main__":
    main()
