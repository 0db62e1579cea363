"""Switching conversations in the live inbox: 15 open, 500 messages each (issue 3).

Seeds a throwaway database (SQLite, or PostgreSQL with `--postgres`) with one online agent
holding 15 open conversations of 500 messages each, starts the real server
(`uvicorn kefu.app:create_app`), opens `/inbox` as that agent in Debian's Chromium
(Playwright) and clicks the 15 conversations in turn for several rounds. Each sample is the
time from the click to the frame after the conversation's last message is visible in the
chat panel (measured in the page: `performance.now()` before `click()`, then checked every
animation frame; the final figure is taken after the next frame, so it includes that
frame's style, layout and paint). Round 1 is the first time each conversation is shown.

    .venv/bin/python benchmarks/bench_inbox_switch.py
    .venv/bin/python benchmarks/bench_inbox_switch.py --postgres --rounds 5

Prints JSON: p50 / p99 / max milliseconds per round and over the warm rounds, each click
of round 1, and, for the server's share, how long a bare WebSocket client (no browser)
waits for one conversation's 500 messages after a `resume` from 0. `--app module:factory`
serves another app factory (found through PYTHONPATH), to measure a server change.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_inbox import (  # noqa: E402 - the server and database plumbing is shared
    create_database,
    drop_database,
    free_port,
    percentile,
    start_uvicorn,
    stop,
    wait_ready,
)

SECRET = "bench-secret-key-0123456789abcdef"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LINES = (
    "亲，这款有现货的哦，今天下单今天发货😊",
    "请问这件T恤有L码吗？",
    "好的亲，已经帮您备注了",
    "快递大概几天能到？",
    "一般江浙沪次日达，其他地区2-3天哦",
    "能便宜一点吗",
)

# In the page: click the conversation, then wait for its last message to be visible in the
# panel, checking every animation frame; stop the clock after the next frame.
MEASURE_JS = """
([cid, lastSeq]) => new Promise((resolve, reject) => {
  const item = document.querySelector(`.conv-item[data-cid="${cid}"]`);
  if (!item) { reject(new Error("no list item " + cid)); return; }
  const t0 = performance.now();
  item.click();
  const check = () => {
    const box = document.querySelector(`.chat-messages[data-cid="${cid}"]`);
    const row = box && !box.hidden && box.querySelector(`[data-seq="${lastSeq}"]`);
    if (row) {
      const r = row.getBoundingClientRect(), b = box.getBoundingClientRect();
      if (r.height > 0 && r.top >= b.top - 1 && r.bottom <= b.bottom + 1) {
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
        return;
      }
    }
    if (performance.now() - t0 > 20000) { reject(new Error("timeout " + cid)); return; }
    requestAnimationFrame(check);
  };
  check();
})
"""


# --- seed and measure ------------------------------------------------------------------------


def seed(url: str, conversations: int, messages: int) -> tuple[str, list[str]]:
    """Shop `bench`, agent kf001 online with `conversations` open conversations of
    `messages` messages each (buyer and agent in turn, the last one the buyer's). Returns
    the agent's session cookie and the conversation ids."""
    from sqlalchemy import insert, update
    from sqlalchemy.orm import Session

    from kefu.db.migrate import upgrade
    from kefu.db.models import Conversation, Message, Shop, User, WebSession
    from kefu.db.session import make_engine
    from kefu.http.identity import sign_session
    from kefu.services import inbox
    from kefu.services.accounts import sha256
    from kefu.settings import load_settings

    upgrade(url)
    settings = load_settings(secret_key=SECRET)
    engine = make_engine(url)
    now = datetime.now(UTC)
    ids = []
    with Session(engine) as session:
        session.add(
            Shop(
                id="bench",
                name="压测小店",
                config={"routing": {"max_open_per_agent": conversations, "sticky_hours": 24}},
            )
        )
        session.flush()
        agent = User(
            shop_id="bench",
            username="kf001",
            agent_no="客服1号",
            role="presale",
            queues=["presale", "insale", "aftersale", "review"],
            status="online",
        )
        session.add(agent)
        session.flush()
        raw = secrets.token_urlsafe(24)
        session.add(
            WebSession(
                shop_id="bench",
                user_id=agent.id,
                session_hash=sha256(raw),
                expires_at=now + timedelta(hours=2),
            )
        )
        session.commit()
        cookie = sign_session(settings, raw)
        for c in range(conversations):
            # Three hours of chat; the buyer's last message waits a minute or two.
            start = now - timedelta(hours=3, minutes=2) + timedelta(seconds=5 * c)
            conv = inbox.do_open_conversation(
                session, "bench", f"buyer_{c:02d}", LINES[1], now=start
            )
            inbox.do_post_message(session, conv, "buyer", LINES[1], f"c{c}-1", now=start)
            if conv.assignee_id != agent.id:
                inbox.do_assign(session, conv, agent, by=None, now=start)
            step = timedelta(hours=3) / messages
            rows = []
            for seq in range(2, messages + 1):
                by_buyer = seq % 2 == 0 or seq == messages
                rows.append(
                    {
                        "shop_id": "bench",
                        "conversation_pk": conv.id,
                        "seq": seq,
                        "client_msg_id": f"c{c}-{seq}",
                        "sender": "buyer" if by_buyer else "agent",
                        "sender_id": None if by_buyer else agent.id,
                        "text": f"{LINES[seq % len(LINES)]}（{c}-{seq}）",
                        "ts": start + step * seq,
                        "quick_reply": False,
                        "kind": "text",
                        "attachments": None,
                        "intent": None,
                    }
                )
            session.execute(insert(Message), rows)
            session.execute(
                update(Conversation)
                .where(Conversation.id == conv.id)
                .values(last_seq=messages, last_message_at=start + step * messages)
            )
            session.commit()
            ids.append(conv.conversation_id)
    engine.dispose()
    return cookie, ids


def measure(base: str, cookie: str, ids: list[str], messages: int, rounds: int) -> dict[str, Any]:
    from playwright.sync_api import expect, sync_playwright

    samples: list[list[float]] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
            context.add_cookies([{"name": "kefu_session", "value": cookie, "url": base}])
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            t0 = time.perf_counter()
            page.goto(f"{base}/inbox")
            expect(page.locator("#conn-state")).to_have_text("已连接", timeout=30_000)
            ready_ms = (time.perf_counter() - t0) * 1000
            for _ in range(rounds):
                samples.append([float(page.evaluate(MEASURE_JS, [cid, messages])) for cid in ids])
            shown = page.locator(f'.chat-messages[data-cid="{ids[-1]}"] .msg').count()
            if errors:
                raise SystemExit(f"page errors: {errors}")
        finally:
            browser.close()

    def summary(values: list[float]) -> dict[str, float]:
        return {
            "p50_ms": round(percentile(values, 50), 1),
            "p99_ms": round(percentile(values, 99), 1),
            "max_ms": round(max(values), 1),
        }

    warm = [v for r in samples[1:] for v in r]
    return {
        "page_ready_ms": round(ready_ms, 1),
        "first_round_each_ms": [round(v) for v in samples[0]],
        "messages_shown_in_last_conversation": shown,
        "rounds": [{"round": i + 1, **summary(r)} for i, r in enumerate(samples)],
        "warm_rounds": summary(warm) if warm else None,
    }


async def ws_resume(port: int, cookie: str, ids: list[str], messages: int) -> dict[str, Any]:
    """The server's part alone: a bare WebSocket client resumes each conversation from 0
    and waits for its `resumed` (no browser): milliseconds per conversation."""
    from websockets.asyncio.client import connect

    times = []
    async with connect(
        f"ws://127.0.0.1:{port}/ws/agent",
        additional_headers={"Cookie": f"kefu_session={cookie}"},
        max_size=None,
    ) as ws:
        while json.loads(await ws.recv()).get("type") != "hello":
            pass
        for cid in ids:
            t0 = time.perf_counter()
            await ws.send(json.dumps({"type": "resume", "conversation_id": cid, "after_seq": 0}))
            got = 0
            while True:
                event = json.loads(await ws.recv())
                if event.get("type") == "message" and event.get("conversation_id") == cid:
                    got += 1
                elif event.get("type") == "history" and event.get("conversation_id") == cid:
                    got += len(event.get("messages") or [])  # the history in one frame
                elif event.get("type") == "resumed" and event.get("conversation_id") == cid:
                    break
            if got != messages:
                raise SystemExit(f"resume of {cid}: {got} messages, not {messages}")
            times.append((time.perf_counter() - t0) * 1000)
    return {
        "p50_ms": round(percentile(times, 50), 1),
        "p99_ms": round(percentile(times, 99), 1),
        "max_ms": round(max(times), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=15)
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument(
        "--app",
        default="kefu.app:create_app",
        help="the uvicorn app factory to serve (to try a server change; PYTHONPATH finds it)",
    )
    parser.add_argument(
        "--pg-admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="kefu-bench-switch-"))
    name = None
    if args.postgres:
        name, url = create_database(args.pg_admin_url)
    else:
        url = f"sqlite:///{workdir / 'kefu.sqlite3'}"
    processes: list[subprocess.Popen[bytes]] = []
    results: dict[str, Any] = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "database": "postgresql" if args.postgres else "sqlite",
        "conversations": args.conversations,
        "messages_each": args.messages,
        "load_before": os.getloadavg()[0],
    }
    try:
        t0 = time.perf_counter()
        cookie, ids = seed(url, args.conversations, args.messages)
        results["seed_s"] = round(time.perf_counter() - t0, 1)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("KEFU_")},
            "KEFU_DATABASE_URL": url,
            "KEFU_SECRET_KEY": SECRET,
            "KEFU_DATA_DIR": str(workdir),
            "KEFU_ENV": "production",
        }
        port = free_port()
        log = workdir / "server.log"
        processes = [start_uvicorn(args.app, port, env, log)]
        wait_ready(processes[0], port, log)
        results["ws_resume_500_without_browser"] = asyncio.run(
            ws_resume(port, cookie, ids, args.messages)
        )
        results.update(measure(f"http://127.0.0.1:{port}", cookie, ids, args.messages, args.rounds))
        results["load_after"] = os.getloadavg()[0]
    finally:
        stop(processes)
        if name is not None:
            drop_database(args.pg_admin_url, name)
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
