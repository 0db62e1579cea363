"""Helpers shared by the live chat tests (the fixtures are in conftest.py)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from kefu.db.models import QuickReply, Shop, User, WebSession
from kefu.http.identity import sign_session
from kefu.services.accounts import sha256
from kefu.settings import Settings

SECRET = "inbox-test-secret-0123456789"
AGENTS = {  # username: (role/queue, agent number)
    "kf01": ("presale", "客服1号"),
    "kf03": ("aftersale", "客服3号"),
    "kf08": ("presale", "客服8号"),
}


def seed_shop(session: Session, *, online: tuple[str, ...] = ("kf01", "kf03")) -> dict[str, User]:
    """Shop s1, its agents (those in `online` are online) and two quick replies."""
    session.add_all([Shop(id="s1", name="小鹿生活旗舰店"), Shop(id="s2", name="别家小店")])
    session.flush()
    users = {}
    for username, (queue, number) in AGENTS.items():
        users[username] = User(
            shop_id="s1",
            username=username,
            display_name=username,
            agent_no=number,
            role=queue,
            queues=[queue],
            status="online" if username in online else "offline",
        )
    users["other"] = User(
        shop_id="s2", username="other", agent_no="客服9号", role="supervisor", status="online"
    )
    session.add_all(users.values())
    session.add_all(
        [
            QuickReply(
                shop_id="s1",
                quick_reply_id="qr-hi",
                title="问候",
                text="{buyer_name}您好，我是{agent_no}，很高兴为您服务😊",
                shortcut="/hy",
            ),
            QuickReply(
                shop_id="s1",
                quick_reply_id="qr-ship",
                title="发货",
                text="亲，订单{order_id}今天发货哦",
                shortcut="/fh",
            ),
        ]
    )
    session.commit()
    return users


def agent_cookie(session: Session, settings: Settings, user: User) -> str:
    """A signed-in browser session for `user`, as the `kefu_session` cookie value."""
    raw = secrets.token_urlsafe(24)
    now = datetime.now(UTC)
    session.add(
        WebSession(
            shop_id=user.shop_id,
            user_id=user.id,
            session_hash=sha256(raw),
            expires_at=now + timedelta(hours=12),
        )
    )
    session.commit()
    return sign_session(settings, raw)
