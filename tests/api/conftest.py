"""Fixtures for the HTTP API and web page tests: a small two-shop world and a client.

`world` builds, on the migrated database of `tests/conftest.py` (SQLite, then PostgreSQL):
- shop `s1` with agents kf01 (presale, 客服1号), kf02 (presale), kf03 (aftersale),
  sup1 (supervisor), admin1 (admin) and a disabled account;
- shop `s2` with its own presale agent and a conversation that must never leak into `s1`;
- buyers with full phone/address, their orders and conversations in every queue.
The tests in tests/web load these fixtures too (see tests/web/conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from kefu.app import create_app
from kefu.db.models import Buyer, Conversation, Message, Order, OrderItem, Shop, User
from kefu.services import passwords
from kefu.services.passwords import hash_password
from kefu.settings import load_settings


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with its production cost takes ~0.4 s a check on this machine; these tests
    sign in dozens of times. The same code runs with the cheapest parameters (what the
    tests check is who may sign in, not argon2's strength)."""
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    _HASH.clear()


PASSWORD = "correct-horse-42"
NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
# Hashing is deliberately slow (argon2); one hash serves every account of the tests.
_HASH: dict[str, str] = {}


def password_hash() -> str:
    if "h" not in _HASH:
        _HASH["h"] = hash_password(PASSWORD)
    return _HASH["h"]


@dataclass
class World:
    engine: Engine
    users: dict[str, User]


def add_user(
    session: Session,
    shop_id: str,
    username: str,
    role: str,
    *,
    agent_no: str | None = None,
    queues: list[str] | None = None,
    active: bool = True,
) -> User:
    user = User(
        shop_id=shop_id,
        username=username,
        display_name=username,
        agent_no=agent_no,
        role=role,
        queues=queues if queues is not None else ([role] if role in QUEUE_ROLES else []),
        status="offline",
        password_hash=password_hash(),
        is_active=active,
    )
    session.add(user)
    session.flush()
    return user


QUEUE_ROLES = ("presale", "insale", "aftersale", "review")


def add_conversation(
    session: Session,
    shop_id: str,
    conversation_id: str,
    buyer_id: str,
    queue: str | None,
    messages: list[tuple[str, str, int]],
    *,
    assignee: User | None = None,
    status: str = "open",
) -> Conversation:
    """`messages` are (sender, text, minutes before NOW)."""
    conv = Conversation(
        shop_id=shop_id,
        conversation_id=conversation_id,
        buyer_id=buyer_id,
        queue=queue,
        status=status,
        assignee_id=assignee.id if assignee else None,
        agent_id=assignee.username if assignee else None,
    )
    session.add(conv)
    session.flush()
    for seq, (sender, text, minutes_ago) in enumerate(messages, start=1):
        session.add(
            Message(
                shop_id=shop_id,
                conversation_pk=conv.id,
                seq=seq,
                sender=sender,
                text=text,
                ts=NOW - timedelta(minutes=minutes_ago),
            )
        )
    conv.last_seq = len(messages)
    if messages:
        conv.last_message_at = NOW - timedelta(minutes=messages[-1][2])
        conv.started_at = NOW - timedelta(minutes=messages[0][2])
    session.flush()
    return conv


def add_buyer_with_order(
    session: Session, shop_id: str, buyer_id: str, name: str, phone: str, order_id: str
) -> None:
    address = {
        "name": name,
        "phone": phone,
        "province": "浙江省",
        "city": "杭州市",
        "district": "西湖区",
        "detail": "文三路123号",
    }
    session.add(
        Buyer(
            shop_id=shop_id,
            buyer_id=buyer_id,
            nickname=f"{buyer_id}的小窝",
            name=name,
            phone=phone,
            addresses=[address],
        )
    )
    session.add(
        Order(
            shop_id=shop_id,
            order_id=order_id,
            buyer_id=buyer_id,
            status="unpaid",
            created_at=NOW - timedelta(hours=1),
            amount=Decimal("199.00"),
            receiver_name=name,
            receiver_phone=phone,
            province="浙江省",
            city="杭州市",
            district="西湖区",
            address_detail="文三路123号",
            items=[
                OrderItem(
                    shop_id=shop_id,
                    line_no=0,
                    sku="TS-001-M-BLK",
                    title="纯棉圆领T恤 黑色 M",
                    qty=1,
                    price=Decimal("199.00"),
                )
            ],
        )
    )
    session.flush()


@pytest.fixture
def world(session: Session, engine: Engine) -> World:
    session.add_all([Shop(id="s1", name="小鹿生活旗舰店"), Shop(id="s2", name="别家小店")])
    session.flush()
    users = {
        "kf01": add_user(session, "s1", "kf01", "presale", agent_no="客服1号"),
        "kf02": add_user(session, "s1", "kf02", "presale", agent_no="客服2号"),
        "kf03": add_user(session, "s1", "kf03", "aftersale", agent_no="客服3号"),
        "sup1": add_user(session, "s1", "sup1", "supervisor", agent_no="主管1号"),
        "admin1": add_user(session, "s1", "admin1", "admin"),
        "gone": add_user(session, "s1", "gone", "presale", active=False),
        "other": add_user(session, "s2", "other", "presale", agent_no="客服9号"),
    }
    add_buyer_with_order(session, "s1", "tb_lucy88", "张三", "13812345678", "3712345678901234567")
    add_buyer_with_order(session, "s1", "tb_bob", "李四", "13987654321", "3712345678901234568")
    add_buyer_with_order(session, "s2", "tb_else", "王五", "13700001111", "9999")
    # kf01 holds lucy's open pre-sale chat: 2 buyer messages after the last agent reply.
    add_conversation(
        session,
        "s1",
        "c-pre-1",
        "tb_lucy88",
        "presale",
        [
            ("buyer", "在吗？这件T恤有L码吗", 30),
            ("agent", "您好，我是客服1号，很高兴为您服务😊", 29),
            ("buyer", "我电话13812345678，发顺丰", 5),
            ("buyer", "能便宜点吗", 3),
        ],
        assignee=users["kf01"],
    )
    # An unassigned pre-sale chat waiting for an agent, answered only by the bot.
    add_conversation(
        session,
        "s1",
        "c-pre-2",
        "tb_bob",
        "presale",
        [("buyer", "包邮吗", 2), ("bot", "亲，全场包邮哦", 2)],
    )
    add_conversation(
        session,
        "s1",
        "c-after-1",
        "tb_bob",
        "aftersale",
        [("buyer", "衣服有破洞，要退货", 60), ("agent", "亲，麻烦拍照看看", 58)],
        assignee=users["kf03"],
    )
    add_conversation(session, "s1", "c-review-1", "tb_bob", "review", [("buyer", "给你差评", 120)])
    add_conversation(
        session,
        "s1",
        "c-closed",
        "tb_lucy88",
        "presale",
        [("buyer", "谢谢", 600), ("agent", "不客气", 599)],
        assignee=users["kf02"],
        status="closed",
    )
    add_conversation(
        session, "s2", "c-other-shop", "tb_else", "presale", [("buyer", "别家的会话", 10)]
    )
    session.commit()
    return World(engine=engine, users=users)


@pytest.fixture
def app(world: World) -> FastAPI:
    settings = load_settings(secret_key="test-secret-key-123456", demo=False)
    return create_app(settings, engine=world.engine, clock=lambda: NOW)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    # A loopback host: the session cookie is Secure anywhere else, and httpx would then
    # keep it off plain http.
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture
def login_as(client: TestClient) -> Callable[[str], TestClient]:
    """Sign the client in as one of the world's users (through the API, as a browser would)."""

    def sign_in(username: str) -> TestClient:
        response = client.post(
            "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        return client

    return sign_in
