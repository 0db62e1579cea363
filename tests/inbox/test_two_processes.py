"""Two real server processes on one PostgreSQL database, joined by Redis.

A buyer on process A and an agent on process B chat live; then A is killed (SIGKILL) while
the buyer is sending. After the buyer reconnects to B and resends what was not
acknowledged, nothing is lost or doubled: every acknowledged message is in the database,
each client message id once, and both sides have every seq in order.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from chat_helpers import SECRET, agent_cookie, seed_shop
from sqlalchemy import select
from sqlalchemy.orm import Session
from websockets.sync.client import ClientConnection, connect

from kefu.db.models import Message
from kefu.db.session import make_engine
from kefu.http.identity import SESSION_COOKIE, sign_buyer_token
from kefu.settings import load_settings

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", "kefu.app:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_ready(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {log.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"server did not start: {log.read_text()}")


@pytest.fixture
def servers(migrated_url: str, redis_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    pg_url = migrated_url
    engine = make_engine(pg_url)
    settings = load_settings(secret_key=SECRET, data_dir=tmp_path)
    with Session(engine, expire_on_commit=False) as session:
        users = seed_shop(session)
        cookie = agent_cookie(session, settings, users["kf01"])
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KEFU_")},
        "KEFU_DATABASE_URL": pg_url,
        "KEFU_REDIS_URL": redis_url,
        "KEFU_SECRET_KEY": SECRET,
        "KEFU_DATA_DIR": str(tmp_path),
        "KEFU_ENV": "test",
    }
    ports = [free_port(), free_port()]
    logs = [tmp_path / "server-a.log", tmp_path / "server-b.log"]
    processes = [start_server(port, env, log) for port, log in zip(ports, logs, strict=True)]
    try:
        for process, port, log in zip(processes, ports, logs, strict=True):
            wait_ready(process, port, log)
        yield {
            "ports": ports,
            "processes": processes,
            "engine": engine,
            "cookie": cookie,
            "buyer_token": sign_buyer_token(settings, "s1", "tb_lucy"),
        }
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()
        engine.dispose()


def open_ws(url: str, **options: Any) -> ClientConnection:
    # A short close timeout: closing a socket whose server was killed must not wait long.
    return connect(url, close_timeout=1, open_timeout=5, **options).__enter__()


def frames_until(ws: ClientConnection, wanted: Any, timeout: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        frame = json.loads(ws.recv(timeout=max(0.01, deadline - time.monotonic())))
        if wanted(frame):
            return frame


# PostgreSQL only (several processes write at once), cloned from the migrated template.
@pytest.mark.parametrize("migrated_url", ["postgres"], indirect=True)
def test_buyer_on_a_agent_on_b_and_a_killed_mid_conversation(servers: dict[str, Any]) -> None:
    port_a, port_b = servers["ports"]
    buyer_url = f"ws://127.0.0.1:{{}}/ws/buyer?token={servers['buyer_token']}"
    agent_headers = {"Cookie": f"{SESSION_COOKIE}={servers['cookie']}"}
    agent = open_ws(f"ws://127.0.0.1:{port_b}/ws/agent", additional_headers=agent_headers)
    agent_seen: list[int] = []

    def agent_messages(upto: int) -> None:
        while not agent_seen or agent_seen[-1] < upto:
            frame = frames_until(agent, lambda f: f["type"] == "message")
            agent_seen.append(frame["seq"])

    try:
        assert frames_until(agent, lambda f: f["type"] == "hello")["agent_id"] == "kf01"
        buyer = open_ws(buyer_url.format(port_a))
        frames_until(buyer, lambda f: f["type"] == "hello")
        buyer.send(json.dumps({"type": "send", "client_msg_id": "m1", "text": "在吗，有L码吗"}))
        ack = frames_until(buyer, lambda f: f["type"] == "ack")
        cid = ack["conversation_id"]
        # Live across processes: the agent on B gets the buyer's message from A.
        assert frames_until(agent, lambda f: f["type"] == "assigned")["conversation_id"] == cid
        agent_messages(1)
        agent.send(
            json.dumps(
                {"type": "send", "conversation_id": cid, "client_msg_id": "a1", "text": "有的亲"}
            )
        )
        reply = frames_until(buyer, lambda f: f["type"] == "message" and f["sender"] == "agent")
        assert reply["text"] == "有的亲"
        buyer_seen = reply["seq"]
        acked = {"m1": ack["seq"]}
        for i in range(2, 6):
            buyer.send(json.dumps({"type": "send", "client_msg_id": f"m{i}", "text": f"第{i}句"}))
            acked[f"m{i}"] = frames_until(buyer, lambda f: f["type"] == "ack")["seq"]
        # Mid-conversation: three more go out, and A dies before answering all of them.
        unacked = [f"m{i}" for i in range(6, 9)]
        for cmid in unacked:
            buyer.send(json.dumps({"type": "send", "client_msg_id": cmid, "text": cmid}))
        os.kill(servers["processes"][0].pid, signal.SIGKILL)
        servers["processes"][0].wait(5)
        buyer.close()

        # The buyer reconnects to B, resends what it has no ack for, then resumes.
        buyer = open_ws(buyer_url.format(port_b))
        assert frames_until(buyer, lambda f: f["type"] == "hello")["conversation_id"] == cid
        for cmid in unacked:
            buyer.send(
                json.dumps(
                    {"type": "send", "client_msg_id": cmid, "text": cmid, "conversation_id": cid}
                )
            )
            acked[cmid] = frames_until(
                buyer, lambda f, c=cmid: f["type"] == "ack" and f["client_msg_id"] == c
            )["seq"]
        buyer.send(json.dumps({"type": "resume", "conversation_id": cid, "after_seq": buyer_seen}))
        got: list[int] = []
        while (frame := frames_until(buyer, lambda f: f["type"] in ("message", "resumed")))[
            "type"
        ] == "message":
            got.append(frame["seq"])
        last_seq = frame["last_seq"]
        # Live frames that came before the resume may repeat; from the resume on, the
        # history is complete and in order.
        assert got[got.index(buyer_seen + 1) :] == list(range(buyer_seen + 1, last_seq + 1))
        buyer.close()

        with Session(servers["engine"]) as session:
            rows = list(
                session.scalars(
                    select(Message).where(Message.shop_id == "s1").order_by(Message.seq)
                )
            )
        by_client_id = {m.client_msg_id: m.seq for m in rows if m.sender == "buyer"}
        # Every acknowledged message is stored, with the seq its ack gave, exactly once.
        assert by_client_id == acked
        assert [m.seq for m in rows] == list(range(1, len(rows) + 1))
        assert last_seq == len(rows)
        # The agent on B saw every message once, in order, without a gap.
        agent_messages(last_seq)
        assert agent_seen == list(range(1, last_seq + 1))
    finally:
        agent.close()
