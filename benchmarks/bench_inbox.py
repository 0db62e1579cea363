"""Load-test the live inbox: N buyer and M agent WebSocket clients on loopback.

One run measures, side by side:
1. kefu: real `kefu serve` server process(es) on a throwaway
   PostgreSQL database (with `--processes 2`: two servers joined by Redis, buyers on one,
   agents on the other). Buyers send at a fixed total rate; each message is stored, acked
   after commit and delivered to the agent it was routed to. Reported: messages/s
   delivered, p50/p99 end-to-end latency (buyer send → agent receives), lost (acked but
   never delivered, or never acked) and duplicated (delivered twice) counts.
2. echo: a bare uvicorn WebSocket echo server, same clients and rate (round trip).
3. raw PostgreSQL: a loop of single-row INSERTs, one commit each (rows/s, p50/p99).

    .venv/bin/python benchmarks/bench_inbox.py --buyers 200 --agents 20 --rate 200 --duration 20
    .venv/bin/python benchmarks/bench_inbox.py --processes 2 --redis-url redis://127.0.0.1:6379/14

The generator runs in this process (asyncio + `websockets`), on the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
SECRET = "bench-secret-key-0123456789abcdef"


# --- the bare echo server (run by uvicorn in a child process) ------------------------------


async def echo_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The smallest ASGI WebSocket server: every text frame comes straight back."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        await send({"type": "websocket.send", "text": message.get("text")})


# --- helpers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU the processes have used so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def start_uvicorn(app: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`module:app` under plain uvicorn, with kefu's WebSocket options (no per-message
    deflate); a `...:create_app` is called as a factory."""
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--log-level", "warning", "--no-access-log", "--app-dir", str(ROOT / "benchmarks")]
    command += ["--ws-per-message-deflate", "false"]
    if app.endswith("create_app"):
        command.append("--factory")
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def start_kefu(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """kefu through its production command, `kefu serve` (the uvicorn options it deploys
    with)."""
    kefu = Path(sys.executable).with_name("kefu")
    command = [str(kefu), "serve", "--bind", f"127.0.0.1:{port}"]
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_ready(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server on {port} did not start:\n{log.read_text()}")


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


# --- the database ----------------------------------------------------------------------------


def create_database(admin_url: str) -> tuple[str, str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"kefu_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return name, make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def seed(url: str, buyers: int, agents: int) -> tuple[list[str], list[str]]:
    """Shop `bench` with `agents` online pre-sale agents (room for every buyer); returns
    the agents' session cookies and the buyers' tokens."""
    from sqlalchemy.orm import Session

    from kefu.db.migrate import upgrade
    from kefu.db.models import Shop, User, WebSession
    from kefu.db.session import make_engine
    from kefu.http.identity import sign_buyer_token, sign_session
    from kefu.services.accounts import sha256
    from kefu.settings import load_settings

    upgrade(url)
    settings = load_settings(secret_key=SECRET)
    per_agent = math.ceil(buyers / agents) + 1
    engine = make_engine(url)
    cookies = []
    with Session(engine) as session:
        session.add(
            Shop(
                id="bench",
                name="压测小店",
                config={"routing": {"max_open_per_agent": per_agent, "sticky_hours": 24}},
            )
        )
        session.flush()
        now = datetime.now(UTC)
        for i in range(agents):
            user = User(
                shop_id="bench",
                username=f"kf{i:03d}",
                agent_no=f"客服{i}号",
                role="presale",
                queues=["presale"],
                status="online",
            )
            session.add(user)
            session.flush()
            raw = secrets.token_urlsafe(24)
            session.add(
                WebSession(
                    shop_id="bench",
                    user_id=user.id,
                    session_hash=sha256(raw),
                    expires_at=now + timedelta(hours=2),
                )
            )
            cookies.append(sign_session(settings, raw))
        session.commit()
    engine.dispose()
    tokens = [sign_buyer_token(settings, "bench", f"bench_buyer_{i}") for i in range(buyers)]
    return cookies, tokens


# --- the load generator --------------------------------------------------------------------


class Stats:
    def __init__(self) -> None:
        self.sent: dict[str, float] = {}
        self.acked: set[str] = set()
        self.delivered: dict[str, float] = {}
        self.duplicates = 0
        self.errors: list[str] = []
        self.assigned: set[str] = set()
        self.conversation_of: dict[str, str] = {}  # client_msg_id -> conversation
        self.welcomed: set[str] = set()  # conversations the bot's welcome reached


async def connect(url: str, **options: Any) -> Any:
    from websockets.asyncio.client import connect as ws_connect

    return await ws_connect(url, open_timeout=60, max_queue=None, ping_interval=None, **options)


async def run_kefu(
    buyer_ports: list[int],
    agent_ports: list[int],
    cookies: list[str],
    tokens: list[str],
    rate: float,
    duration: float,
    server_pids: list[int],
) -> dict[str, Any]:
    stats = Stats()
    seen: set[tuple[str, int]] = set()
    agent_sockets = []
    for i, cookie in enumerate(cookies):
        port = agent_ports[i % len(agent_ports)]
        ws = await connect(
            f"ws://127.0.0.1:{port}/ws/agent",
            additional_headers={"Cookie": f"kefu_session={cookie}"},
        )
        agent_sockets.append(ws)

    async def agent_reader(ws: Any) -> None:
        async for raw in ws:
            event = json.loads(raw)
            if event.get("type") == "assigned":
                stats.assigned.add(event["conversation_id"])
            if event.get("type") != "message" or event.get("sender") != "buyer":
                continue
            key = (event["conversation_id"], event["seq"])
            if key in seen:
                stats.duplicates += 1
                continue
            seen.add(key)
            cmid = event.get("client_msg_id") or ""
            if cmid in stats.sent and cmid not in stats.delivered:
                stats.delivered[cmid] = time.perf_counter()

    readers = [asyncio.create_task(agent_reader(ws)) for ws in agent_sockets]
    buyer_sockets = []
    sem = asyncio.Semaphore(50)

    async def open_buyer(i: int, token: str) -> Any:
        async with sem:
            port = buyer_ports[i % len(buyer_ports)]
            return await connect(f"ws://127.0.0.1:{port}/ws/buyer?token={token}")

    buyer_sockets = await asyncio.gather(*(open_buyer(i, t) for i, t in enumerate(tokens)))

    async def buyer_reader(ws: Any) -> None:
        async for raw in ws:
            event = json.loads(raw)
            if event.get("type") == "ack":
                stats.acked.add(event["client_msg_id"])
                stats.conversation_of[event["client_msg_id"]] = event["conversation_id"]
            elif event.get("type") == "error":
                stats.errors.append(event.get("code", "?"))
            elif event.get("type") == "message" and event.get("sender") == "bot":
                stats.welcomed.add(event["conversation_id"])

    readers += [asyncio.create_task(buyer_reader(ws)) for ws in buyer_sockets]
    # Warm-up: every buyer opens its conversation (routing, not measured) and the agents
    # receive those first messages (and load each new conversation's history), then a pause.
    warm = [f"warm-{i}" for i in range(len(buyer_sockets))]
    for cmid, ws in zip(warm, buyer_sockets, strict=True):
        stats.sent[cmid] = time.perf_counter()
        await ws.send(json.dumps({"type": "send", "client_msg_id": cmid, "text": "在吗"}))
    deadline = time.monotonic() + 60
    while sum(1 for c in warm if c in stats.delivered) < len(warm):
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    # The agents never answer, so every conversation gets the bot's welcome ~8 s after it
    # opened: a burst of `buyers` welcomes. Measured apart (welcome_burst_s), then the
    # sustained rate is measured on a settled server.
    burst_start = time.perf_counter()
    deadline = time.monotonic() + 30
    while len(stats.welcomed) < len(buyer_sockets) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    welcome_wait = time.perf_counter() - burst_start
    await asyncio.sleep(1.0)
    for cmid in warm:
        stats.sent.pop(cmid, None)
        stats.delivered.pop(cmid, None)

    total = int(rate * duration)
    # The generator's own garbage collections (100-180 ms for a full one with tens of
    # thousands of timestamps held) would show up as the server's latency: none while
    # measuring.
    gc.collect()
    gc.disable()
    cpu_before = cpu_seconds(server_pids)
    start = time.perf_counter()
    for n in range(total):
        target = start + n / rate
        delay = target - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        ws = buyer_sockets[n % len(buyer_sockets)]
        cmid = f"m{n}"
        stats.sent[cmid] = time.perf_counter()
        await ws.send(json.dumps({"type": "send", "client_msg_id": cmid, "text": f"第{n}条消息"}))
    send_time = time.perf_counter() - start
    # Drain: wait until everything arrived, or 15 s of silence.
    last, last_count = time.perf_counter(), -1
    while len(stats.delivered) < total and time.perf_counter() - last < 15:
        await asyncio.sleep(0.2)
        if len(stats.delivered) != last_count:
            last, last_count = time.perf_counter(), len(stats.delivered)
    elapsed = max(stats.delivered.values(), default=start) - start
    server_cpu = cpu_seconds(server_pids) - cpu_before
    gc.enable()
    for ws in [*buyer_sockets, *agent_sockets]:
        await ws.close()
    for task in readers:
        task.cancel()
    latencies = [(stats.delivered[c] - stats.sent[c]) * 1000 for c in stats.delivered]
    measured = [c for c in stats.sent if not c.startswith("warm-")]
    by_second: dict[int, list[float]] = {}
    for c in stats.delivered:
        second = int(stats.sent[c] - start)
        by_second.setdefault(second, []).append((stats.delivered[c] - stats.sent[c]) * 1000)
    return {
        "sent": total,
        "welcomes": len(stats.welcomed),
        "welcome_wait_s": round(welcome_wait, 1),
        "offered_rate": round(total / send_time, 1),
        "delivered_per_s": round(len(stats.delivered) / elapsed, 1) if elapsed else 0,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "lost": sum(1 for c in measured if c not in stats.delivered),
        "unacked": sum(1 for c in measured if c not in stats.acked),
        "duplicated": stats.duplicates,
        "errors": len(stats.errors),
        # Server CPU (all kefu processes) per delivered message, sending and draining.
        "server_cpu_ms_per_msg": round(server_cpu * 1000 / max(len(stats.delivered), 1), 2),
        # p99 of the messages sent in each second: where the slow ones cluster.
        "p99_ms_by_second": [round(percentile(by_second[k], 99)) for k in sorted(by_second)],
        "conversations_with_losses": len(
            {stats.conversation_of.get(c) for c in measured if c not in stats.delivered}
        ),
        "lossy_conversations_never_assigned": len(
            {stats.conversation_of.get(c) for c in measured if c not in stats.delivered}
            - stats.assigned
        ),
    }


async def run_echo(port: int, clients: int, rate: float, duration: float) -> dict[str, Any]:
    sockets = []
    sem = asyncio.Semaphore(50)

    async def open_one() -> Any:
        async with sem:
            return await connect(f"ws://127.0.0.1:{port}/")

    sockets = await asyncio.gather(*(open_one() for _ in range(clients)))
    sent: dict[str, float] = {}
    got: dict[str, float] = {}
    duplicates = 0

    async def reader(ws: Any) -> None:
        nonlocal duplicates
        async for raw in ws:
            cmid = json.loads(raw)["client_msg_id"]
            if cmid in got:
                duplicates += 1
            got[cmid] = time.perf_counter()

    readers = [asyncio.create_task(reader(ws)) for ws in sockets]
    total = int(rate * duration)
    start = time.perf_counter()
    for n in range(total):
        delay = start + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        cmid = f"e{n}"
        sent[cmid] = time.perf_counter()
        await sockets[n % clients].send(
            json.dumps({"type": "send", "client_msg_id": cmid, "text": f"第{n}条消息"})
        )
    deadline = time.perf_counter() + 10
    while len(got) < total and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    elapsed = max(got.values(), default=start) - start
    for ws in sockets:
        await ws.close()
    for task in readers:
        task.cancel()
    latencies = [(got[c] - sent[c]) * 1000 for c in got]
    return {
        "sent": total,
        "delivered_per_s": round(len(got) / elapsed, 1) if elapsed else 0,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "lost": total - len(got),
        "duplicated": duplicates,
    }


def run_raw_inserts(url: str, seconds: float) -> dict[str, Any]:
    """Single-row INSERTs, one commit each: PostgreSQL's own floor for a stored message."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    latencies = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE bench_raw (id bigserial PRIMARY KEY, conv int, seq int, "
            "text text, ts timestamptz DEFAULT now())"
        )
        start = time.perf_counter()
        n = 0
        while time.perf_counter() - start < seconds:
            t0 = time.perf_counter()
            conn.execute(
                "INSERT INTO bench_raw (conv, seq, text) VALUES (%s, %s, %s)",
                (n % 1000, n, f"第{n}条消息"),
            )
            latencies.append((time.perf_counter() - t0) * 1000)
            n += 1
        elapsed = time.perf_counter() - start
    return {
        "rows": n,
        "rows_per_s": round(n / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=200)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--rate", type=float, default=200, help="buyer messages per second")
    parser.add_argument("--duration", type=float, default=20, help="seconds of sending")
    parser.add_argument("--processes", type=int, choices=(1, 2), default=1)
    parser.add_argument(
        "--pg-admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--skip-baselines", action="store_true")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="kefu-bench-"))
    name, url = create_database(args.pg_admin_url)
    processes: list[subprocess.Popen[bytes]] = []
    results: dict[str, Any] = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "buyers": args.buyers,
        "agents": args.agents,
        "rate": args.rate,
        "duration_s": args.duration,
        "processes": args.processes,
    }
    try:
        cookies, tokens = seed(url, args.buyers, args.agents)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("KEFU_")},
            "KEFU_DATABASE_URL": url,
            "KEFU_SECRET_KEY": SECRET,
            "KEFU_DATA_DIR": str(workdir),
            "KEFU_ENV": "production",
        }
        if args.processes == 2:
            import redis

            redis.Redis.from_url(args.redis_url).flushdb()
            env["KEFU_REDIS_URL"] = args.redis_url
        ports = [free_port() for _ in range(args.processes)]
        logs = [workdir / f"server{i}.log" for i in range(args.processes)]
        processes = [start_kefu(p, env, log) for p, log in zip(ports, logs, strict=True)]
        for process, port, log in zip(processes, ports, logs, strict=True):
            wait_ready(process, port, log)
        # Two processes: buyers on the first, agents on the second (every message crosses).
        results["kefu"] = asyncio.run(
            run_kefu(
                ports[:1],
                ports[-1:],
                cookies,
                tokens,
                args.rate,
                args.duration,
                [p.pid for p in processes],
            )
        )
        stop(processes)
        if not args.skip_baselines:
            port = free_port()
            log = workdir / "echo.log"
            echo = start_uvicorn("bench_inbox:echo_app", port, env, log)
            processes = [echo]
            wait_ready(echo, port, log)
            results["echo"] = asyncio.run(run_echo(port, args.buyers, args.rate, args.duration))
            stop(processes)
            results["raw_pg_insert"] = run_raw_inserts(url, 5.0)
            kefu_rate = results["kefu"]["delivered_per_s"]
            results["kefu_vs_echo_p99"] = round(
                results["kefu"]["p99_ms"] / max(results["echo"]["p99_ms"], 0.01), 1
            )
            results["raw_pg_rows_per_s_over_kefu_rate"] = round(
                results["raw_pg_insert"]["rows_per_s"] / max(kefu_rate, 0.01), 1
            )
    finally:
        stop(processes)
        drop_database(args.pg_admin_url, name)
    print(json.dumps(results, ensure_ascii=False, indent=2))
    shutil.rmtree(workdir, ignore_errors=True)  # the server logs, kept only if a run fails


if __name__ == "__main__":
    main()
