"""The demo's chats still in progress at its "now": the live pages (inbox, floor) have
buyers to show, waiting in every queue or held by an agent, and nothing in them trips QA."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.app import create_app
from kefu.core.qa.engine import engine_for
from kefu.core.records import Conversation as ConversationRecord
from kefu.core.shopconfig import build_shop_config
from kefu.db.models import Conversation
from kefu.db.session import make_engine
from kefu.demo import DEMO_PASSWORD, DemoShop, generate_demo_shop
from kefu.services.demo import load_demo_shop
from kefu.services.inbox import stage_queue
from kefu.settings import load_settings

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
QUEUES = {"presale", "insale", "aftersale", "review"}


@pytest.fixture(scope="module")
def shop() -> DemoShop:
    return generate_demo_shop()


def _live(shop: DemoShop) -> list[dict]:  # type: ignore[type-arg]
    return [c for c in shop.conversations if c["closed_by"] is None]


def test_a_handful_of_chats_are_live_in_every_queue(shop: DemoShop) -> None:
    live = _live(shop)
    assert 6 <= len(live) <= 10
    assert len({c["buyer_id"] for c in live}) == len(live)  # one open chat per buyer
    waiting = [c for c in live if c["agent_id"] is None]
    held = [c for c in live if c["agent_id"] is not None]
    assert {c["queue"] for c in waiting} == QUEUES
    assert {c["queue"] for c in held} == QUEUES
    agents = {a["agent_id"]: a for a in shop.agents}
    orders = {o["order_id"]: o for o in shop.orders}
    for chat in live:
        first = next(m["text"] for m in chat["messages"] if m["sender"] == "buyer")
        assert stage_queue(first) == chat["queue"], chat["conversation_id"]  # routed there
        last = chat["messages"][-1]
        assert last["sender"] == "buyer"  # unanswered
        assert NOW - timedelta(minutes=15) < datetime.fromisoformat(last["ts"]) <= NOW
        for order_id in chat["order_ids"]:
            assert orders[order_id]["buyer_id"] == chat["buyer_id"]
        if chat["agent_id"] is None:
            assert {m["sender"] for m in chat["messages"]} == {"buyer", "bot"}
        else:
            agent = agents[chat["agent_id"]]
            assert agent["status"] == "online" and chat["queue"] in agent["queues"]
    # the closed chats come first and keep their numbers
    ids = [c["conversation_id"] for c in shop.conversations]
    assert ids[-len(live) :] == [c["conversation_id"] for c in live]
    assert ids == [f"c-{n:06d}" for n in range(1, len(ids) + 1)]


def test_live_chats_are_clean_for_qa(shop: DemoShop) -> None:
    """What the shop said so far trips no QA rule, also once an agent closes the chat."""
    qa = engine_for(build_shop_config(shop.config))
    for chat in _live(shop):
        record = ConversationRecord.model_validate(chat)
        said = [v for v in qa.scan(record).violations if v.message_index is not None]
        assert said == [], chat["conversation_id"]
        closed = record.model_copy(update={"closed_by": "buyer"})
        assert qa.scan(closed).violations == (), chat["conversation_id"]


@pytest.fixture
def demo_client(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[TestClient]:
    """The demo shop loaded into SQLite, the app's clock at the demo's now."""
    path = tmp_path / "kefu.sqlite3"
    shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        load_demo_shop(session, generate_demo_shop())
        session.commit()
    settings = load_settings(secret_key="test-secret-key-123456", demo=False)
    app = create_app(settings, engine=engine, clock=lambda: NOW)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        client.engine = engine  # type: ignore[attr-defined]
        yield client
    engine.dispose()


def _login(client: TestClient, username: str) -> None:
    response = client.post(
        "/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text


def test_after_demo_load_the_floor_and_inbox_are_not_empty(demo_client: TestClient) -> None:
    with Session(demo_client.engine) as session:  # type: ignore[attr-defined]
        rows = session.execute(
            select(Conversation.conversation_id, Conversation.status, Conversation.queue)
            .where(Conversation.status != "closed")
            .order_by(Conversation.conversation_id)
        ).all()
    assert len(rows) == 9
    assert {queue for _, _, queue in rows} == QUEUES

    _login(demo_client, "kf10")  # 主管
    floor = demo_client.get("/api/v1/floor").json()
    assert floor["totals"]["waiting"] == 4
    assert {q["queue"]: q["waiting"] for q in floor["queues"]} == dict.fromkeys(QUEUES, 1)
    assert floor["totals"]["open"] >= 5
    assert demo_client.get("/floor").status_code == 200

    _login(demo_client, "kf05")  # 售后: holds one chat, and one more waits in the queue
    html = demo_client.get("/inbox").text
    items = demo_client.get("/api/v1/conversations", params={"status": "active"}).json()["items"]
    assert sorted((i["queue"], i["status"], i["agent_id"]) for i in items) == [
        ("aftersale", "open", "kf05"),
        ("aftersale", "pending", None),
    ]
    assert all(i["unread_count"] >= 1 and i["waiting_seconds"] > 0 for i in items)
    for item in items:
        assert item["conversation_id"] in html
