"""In a real browser (Debian's Chromium): a buyer and an agent chat live.

The buyer writes from the shop's web chat; the agent answers from the inbox with a quick
reply opened by "/"; an XSS payload shows as plain text in both pages; the agent closes the
conversation and the buyer rates it. The agent's screen goes to
docs/screenshots/agent-live-chat.png.
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from chat_helpers import SECRET, agent_cookie, seed_shop
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.app import create_app
from kefu.db.models import Message, Rating, User
from kefu.db.session import make_engine
from kefu.http.identity import SESSION_COOKIE
from kefu.services.passwords import hash_password
from kefu.settings import load_settings

pytestmark = pytest.mark.slow

# A temporary folder unless KEFU_SCREENSHOT_DIR=docs/screenshots refreshes the README picture.
SCREENSHOT = (
    Path(os.environ.get("KEFU_SCREENSHOT_DIR", tempfile.gettempdir())) / "agent-live-chat.png"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SUPERVISOR_PASSWORD = "zg-secret-pass"
LEAK = "亲，收件电话13812345678已经备注"
XSS = "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """`app` under a real uvicorn in a thread (what the browser talks to); its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
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


@pytest.fixture
def live_server(migrated_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    engine = make_engine(migrated_url)
    settings = load_settings(database_url=migrated_url, secret_key=SECRET, data_dir=tmp_path)
    with Session(engine, expire_on_commit=False) as session:
        users = seed_shop(session, online=("kf01",))
        cookie = agent_cookie(session, settings, users["kf01"])
        session.add(  # confirms a blocked draft at kf01's desk
            User(
                shop_id="s1",
                username="zg01",
                agent_no="主管1号",
                role="supervisor",
                password_hash=hash_password(SUPERVISOR_PASSWORD),
            )
        )
        session.commit()
    app = create_app(settings, engine=engine)
    try:
        with serving(app) as url:
            yield {"url": url, "cookie": cookie, "engine": engine}
    finally:
        engine.dispose()


@pytest.mark.parametrize("migrated_url", ["sqlite"], indirect=True)
def test_buyer_and_agent_chat_in_the_browser(
    live_server: dict[str, Any], chromium_path: str
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = live_server["url"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            dialogs: list[str] = []
            agent_ctx = browser.new_context(
                viewport={"width": 1280, "height": 760}, locale="zh-CN", device_scale_factor=1
            )
            agent_ctx.add_cookies(
                [{"name": SESSION_COOKIE, "value": live_server["cookie"], "url": base}]
            )
            buyer_ctx = browser.new_context(viewport={"width": 420, "height": 720}, locale="zh-CN")
            agent = agent_ctx.new_page()
            buyer = buyer_ctx.new_page()
            for page in (agent, buyer):
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

            agent.goto(f"{base}/inbox")
            expect(agent.locator("#conn-state")).to_have_text("已连接")
            buyer.goto(f"{base}/chat/s1")
            expect(buyer.locator(".chat-head")).to_contain_text("小鹿生活旗舰店")
            expect(buyer.locator("#conn-state")).to_have_text("已连接")

            # The buyer asks; the agent's list shows the new conversation, live.
            buyer.fill("#input", "在吗？这件T恤有L码吗")
            buyer.press("#input", "Enter")
            expect(buyer.locator(".msg-buyer[data-seq='1'] .bubble")).to_have_text(
                "在吗？这件T恤有L码吗"
            )
            item = agent.locator(".conv-item").first
            expect(item).to_be_visible()
            item.click()
            thread = agent.locator(".live-panel .chat-messages:not([hidden])")
            expect(thread.locator(".msg-buyer .bubble")).to_have_text("在吗？这件T恤有L码吗")

            # "/" opens the quick replies, filled for this agent and buyer; Enter sends.
            agent.fill("#input", "/")
            agent.locator("#input").dispatch_event("input")
            option = agent.locator(".quick-item").first
            expect(option).to_contain_text("我是客服1号")
            option.click()
            agent.press("#input", "Enter")
            expect(buyer.locator(".msg-agent .bubble")).to_contain_text(
                "您好，我是客服1号，很高兴为您服务😊"
            )
            expect(buyer.locator(".msg-agent .who")).to_have_text("客服1号")

            # An XSS payload is text in both pages: no element, no script, no dialog.
            buyer.fill("#input", XSS)
            buyer.press("#input", "Enter")
            expect(thread.locator(".msg-buyer .bubble").last).to_have_text(XSS)
            expect(buyer.locator(".msg-buyer .bubble").last).to_have_text(XSS)
            for page in (agent, buyer):
                assert page.locator(".bubble img, .bubble script").count() == 0
                assert page.title() != "pwned"
            # The QA guard sits in front of chat.js: a full mobile number does not go out,
            # neither by Enter nor by the send button.
            agent.fill("#input", LEAK)
            agent.press("#input", "Enter")
            leak = agent.locator(".qa-guard-item[data-rule=QA_PRIVACY_LEAK]")
            expect(leak).to_contain_text("泄露客户信息")
            expect(agent.locator("#composer button.send")).to_be_disabled()
            agent.press("#input", "Enter")
            expect(agent.locator("#input")).to_have_value(LEAK)  # not sent, not cleared
            # A supervisor allows this exact text; Enter then sends it with the token.
            allow = agent.locator(".qa-guard-allow")
            allow.locator("input").nth(0).fill("zg01")
            allow.locator("input[type=password]").fill(SUPERVISOR_PASSWORD)
            allow.locator("button").click()
            expect(agent.locator(".qa-guard-allowed")).to_be_visible()
            agent.press("#input", "Enter")
            expect(buyer.locator(".msg-agent .bubble").last).to_have_text(LEAK)
            expect(agent.locator("#input")).to_have_value("")
            # Masked, it goes straight through.
            agent.fill("#input", "亲，收件电话138****5678已经备注")
            agent.press("#input", "Enter")
            expect(buyer.locator(".msg-agent .bubble").last).to_have_text(
                "亲，收件电话138****5678已经备注"
            )
            agent.fill("#input", "亲，有L码的，今天下单今天发货")
            agent.press("#input", "Enter")
            expect(buyer.locator(".msg-agent .bubble").last).to_have_text(
                "亲，有L码的，今天下单今天发货"
            )
            agent.screenshot(path=str(SCREENSHOT))

            # The agent closes with the farewell; the buyer rates the service.
            agent.click("#close-btn")
            expect(buyer.locator(".msg-system .bubble").last).to_have_text(
                "请为本次服务打分（1-5星）"
            )
            expect(buyer.locator("#rating")).to_be_visible()
            buyer.click("#rating [data-rating='5']")
            expect(buyer.locator("#rating-done")).to_be_visible()
            assert errors == [] and dialogs == []
        finally:
            browser.close()
    with Session(live_server["engine"]) as session:
        assert session.scalar(select(Rating.rating)) == 5
        agent_texts = list(
            session.scalars(
                select(Message.text).where(Message.sender == "agent").order_by(Message.id)
            )
        )
        assert agent_texts.count(LEAK) == 1  # once: with the supervisor's allow token
