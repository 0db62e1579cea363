"""End to end in a real browser: Debian's Chromium drives the server over loopback.

A uvicorn server runs in a thread on a free port, over a migrated SQLite file holding the
demo shop; Chromium signs in as the demo's 客服8号 and reads the workspace. The screenshot
goes to $KEFU_SCREENSHOT_DIR/agent-home.png (docs/screenshots for the README).
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.app import STATIC_DIR, create_app
from kefu.db.migrate import upgrade
from kefu.db.models import Buyer, Conversation, Message, User
from kefu.db.session import make_engine
from kefu.demo import DEMO_PASSWORD, DEMO_SHOP_ID, generate_demo_shop
from kefu.demo.build import DEFAULT_NOW
from kefu.services.demo import load_demo_shop
from kefu.settings import load_settings

pytestmark = pytest.mark.slow

# Written to a temporary folder unless KEFU_SCREENSHOT_DIR=docs/screenshots asks to refresh
# the README's picture, so a test run never changes a tracked file.
SCREENSHOT = Path(os.environ.get("KEFU_SCREENSHOT_DIR", tempfile.gettempdir())) / "agent-home.png"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def add_live_chats(session: Session) -> None:
    """A few more buyers writing right now, to kf08 and kf04 (the screenshot's agents),
    beside the demo's own live chats: unread counts, waiting times, the 售前/售中 groups."""
    kf08 = session.scalars(select(User).where(User.username == "kf08")).one()
    kf04 = session.scalars(select(User).where(User.username == "kf04")).one()
    buyers = list(session.scalars(select(Buyer).order_by(Buyer.id).limit(3)))
    chats = [
        (
            buyers[0],
            kf08,
            "presale",
            [
                ("buyer", "在吗？这款T恤有L码吗", 4),
                ("agent", "您好，我是客服8号，很高兴为您服务😊", 4),
                ("buyer", "一米七，130斤穿什么码", 2),
                ("buyer", "能便宜一点吗", 1),
            ],
        ),
        (
            buyers[1],
            None,
            "presale",
            [("buyer", "包邮吗？发什么快递", 3), ("bot", "亲，默认圆通，江浙沪包邮哦", 3)],
        ),
        (buyers[2], kf04, "insale", [("buyer", "我的快递怎么还没到", 6)]),
    ]
    now = DEFAULT_NOW
    for index, (buyer, agent, queue, messages) in enumerate(chats):
        conv = Conversation(
            shop_id=DEMO_SHOP_ID,
            conversation_id=f"live-{index}",
            buyer_id=buyer.buyer_id,
            queue=queue,
            status="open",
            assignee_id=agent.id if agent else None,
            agent_id=agent.username if agent else None,
            last_seq=len(messages),
            started_at=now - timedelta(minutes=messages[0][2]),
            last_message_at=now - timedelta(minutes=messages[-1][2]),
        )
        session.add(conv)
        session.flush()
        for seq, (sender, text, minutes) in enumerate(messages, start=1):
            session.add(
                Message(
                    shop_id=DEMO_SHOP_ID,
                    conversation_pk=conv.id,
                    seq=seq,
                    sender=sender,
                    text=text,
                    ts=now - timedelta(minutes=minutes),
                )
            )
    session.commit()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def demo_server(sqlite_url: str) -> Iterator[str]:
    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    with Session(engine) as session:
        load_demo_shop(session, generate_demo_shop())
        session.commit()
        add_live_chats(session)
    settings = load_settings(database_url=sqlite_url, demo=True, secret_key="browser-test-key")
    # The demo is generated around DEFAULT_NOW; the server's clock is a few minutes later.
    app = create_app(settings, engine=engine, clock=lambda: DEFAULT_NOW + timedelta(minutes=3))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


def test_agent_signs_in_and_sees_the_chinese_workspace(
    demo_server: str, chromium_path: str
) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert (STATIC_DIR / "vendor" / "htmx.min.js").is_file(), (
        "htmx is not vendored: run `make frontend` (npm ci + copy from node_modules)"
    )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(
                viewport={"width": 1440, "height": 860}, locale="zh-CN", device_scale_factor=1
            )
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))

            # The sign-in page is Chinese and, in demo mode, lists the demo logins.
            page.goto(f"{demo_server}/login")
            expect(page.locator("h1")).to_have_text("客服工作台")
            expect(page.locator(".demo-logins")).to_contain_text("售前")

            # A wrong password is refused in Chinese.
            page.fill("input[name=username]", "kf08")
            page.fill("input[name=password]", "wrong-password")
            page.click("button[type=submit]")
            expect(page.locator(".alert-error")).to_have_text("账号或密码错误，请重新输入")

            page.fill("input[name=password]", DEMO_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{demo_server}/")

            # The workspace: agent number, status, queues of 客服8号 (pre-sale and in-sale).
            expect(page.locator("#agent-number")).to_have_text("客服8号")
            expect(page.locator(".status-switch button[aria-pressed=true]")).to_contain_text("在线")
            expect(page.locator(".queue[data-queue=presale] summary")).to_contain_text("售前")
            expect(page.locator(".queue[data-queue=insale] summary")).to_contain_text("售中")
            items = page.locator(".conv-item")
            assert items.count() > 0

            # Status switch goes through the JSON API.
            page.click(".status-switch button[data-status=busy]")
            expect(page.locator(".status-switch button[data-status=busy]")).to_have_attribute(
                "aria-pressed", "true"
            )

            # The live chats: 客服8号's own with 2 unread, an unassigned one waiting.
            mine = page.locator(".conv-item[data-conversation-id=live-0]")
            expect(mine.locator(".badge")).to_have_text("2")
            expect(mine.locator(".waiting")).to_have_text("5分钟")
            expect(page.locator(".conv-item[data-conversation-id=live-1]")).to_contain_text(
                "待接入"
            )
            # In-sale chats held by others are visible to an agent working the queue.
            expect(page.locator(".conv-item[data-conversation-id=live-2]")).to_be_visible()

            # Opening a conversation loads its history and the buyer panel with htmx; the
            # agent holding the open chat sees the buyer's full phone (policies.md §5).
            mine.click()
            expect(page.locator(".history .msg").first).to_be_visible()
            expect(page.locator(".buyer-panel h3").first).to_have_text("买家信息")
            expect(page.locator(".history .msg")).to_have_count(4)
            phone = page.locator(".buyer-panel .buyer-phone").inner_text()
            assert phone.isdigit() and len(phone) == 11, phone
            expect(mine).to_have_class("conv-item active")

            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT))
            assert errors == [], errors
        finally:
            browser.close()
    assert 0 < SCREENSHOT.stat().st_size < 300_000
