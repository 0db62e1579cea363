"""In a real browser (Debian's Chromium): the 表情 picker of the live chat.

The agent opens the picker beside the compose box, picks emoji with the mouse and with the
keyboard (arrows, Enter; Escape and a click outside close it), each landing at the caret,
and sends; the buyer's page shows the emoji. The buyer's own picker works the same way.
On the way, the live list shows the buyer's waiting time, red past the first-response
limit and gone once the agent has answered.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chat_helpers import SECRET, agent_cookie, seed_shop
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_chat_browser import CHROMIUM_ARGS, serving

from kefu.app import create_app
from kefu.db.models import Message
from kefu.db.session import make_engine
from kefu.http.identity import SESSION_COOKIE
from kefu.settings import load_settings

pytestmark = pytest.mark.slow

SLA_SCRIPT = """
document.addEventListener("DOMContentLoaded", () => {
  const chat = document.getElementById("chat");
  if (chat) { chat.dataset.slaFirst = "1"; chat.dataset.slaReply = "600"; }
});
"""


@pytest.fixture
def emoji_server(migrated_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    engine = make_engine(migrated_url)
    settings = load_settings(database_url=migrated_url, secret_key=SECRET, data_dir=tmp_path)
    with Session(engine, expire_on_commit=False) as session:
        users = seed_shop(session, online=("kf01",))
        cookie = agent_cookie(session, settings, users["kf01"])
    app = create_app(settings, engine=engine)
    try:
        with serving(app) as url:
            yield {"url": url, "cookie": cookie, "engine": engine}
    finally:
        engine.dispose()


@pytest.mark.parametrize("migrated_url", ["sqlite"], indirect=True)
def test_agent_picks_emoji_and_the_buyer_sees_them(
    emoji_server: dict[str, Any], chromium_path: str
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = emoji_server["url"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            agent_ctx = browser.new_context(viewport={"width": 1280, "height": 760}, locale="zh-CN")
            agent_ctx.add_cookies(
                [{"name": SESSION_COOKIE, "value": emoji_server["cookie"], "url": base}]
            )
            buyer_ctx = browser.new_context(viewport={"width": 420, "height": 720}, locale="zh-CN")
            agent = agent_ctx.new_page()
            buyer = buyer_ctx.new_page()
            for page in (agent, buyer):
                page.on("pageerror", lambda exc: errors.append(str(exc)))

            # The SLA as the route gives it (qa.first_response_seconds, qa.response_seconds),
            # shortened so the waiting time turns red within the test.
            agent.add_init_script(SLA_SCRIPT)
            agent.goto(f"{base}/inbox")
            expect(agent.locator("#conn-state")).to_have_text("已连接")
            buyer.goto(f"{base}/chat/s1")
            expect(buyer.locator("#conn-state")).to_have_text("已连接")
            buyer.fill("#input", "在吗")
            buyer.press("#input", "Enter")
            expect(buyer.locator(".msg-buyer[data-seq='1']")).to_be_visible()

            # The new conversation is listed with the buyer's waiting time, red once it is
            # past the first-response limit (no agent has answered yet).
            item = agent.locator(".conv-item").first
            waiting = item.locator(".waiting")
            expect(waiting).to_have_text(re.compile(r"^\d+秒$"))
            expect(waiting).to_have_class(re.compile(r"\blate\b"))
            item.click()

            toggle = agent.get_by_role("button", name="表情")
            panel = agent.locator("#emoji-panel")
            expect(toggle).to_have_attribute("aria-expanded", "false")
            expect(panel).to_be_hidden()
            # Every emoji is a button with a Chinese name.
            assert agent.locator("#emoji-panel .emoji-item[aria-label]").count() >= 40

            # The mouse: the caret is after 亲, so 😊 goes there.
            agent.fill("#input", "亲在的")
            agent.evaluate("document.getElementById('input').setSelectionRange(1, 1)")
            toggle.click()
            expect(panel).to_be_visible()
            expect(toggle).to_have_attribute("aria-expanded", "true")
            agent.get_by_role("button", name="微笑").click()
            expect(panel).to_be_hidden()
            expect(agent.locator("#input")).to_have_value("亲😊在的")
            expect(agent.locator("#input")).to_be_focused()

            # The keyboard: the grid takes the focus; the arrows move; Escape closes and
            # gives the focus back to the button; Enter on an emoji inserts it at the caret.
            agent.press("#input", "End")
            toggle.focus()
            agent.keyboard.press("Enter")
            expect(agent.get_by_role("button", name="微笑")).to_be_focused()
            agent.keyboard.press("Escape")
            expect(panel).to_be_hidden()
            expect(toggle).to_be_focused()
            agent.keyboard.press("Enter")
            expect(panel).to_be_visible()
            agent.keyboard.press("ArrowDown")  # the first emoji of the next row
            agent.keyboard.press("ArrowRight")
            agent.keyboard.press("ArrowLeft")
            agent.keyboard.press("ArrowLeft")  # back to the first row's end…
            agent.keyboard.press("Home")
            agent.keyboard.press("ArrowRight")
            expect(agent.get_by_role("button", name="大笑")).to_be_focused()
            agent.keyboard.press("Enter")
            expect(panel).to_be_hidden()
            expect(agent.locator("#input")).to_have_value("亲😊在的😄")

            # A click outside closes it without inserting anything.
            toggle.click()
            expect(panel).to_be_visible()
            agent.locator("#panel-title").click()
            expect(panel).to_be_hidden()
            expect(agent.locator("#input")).to_have_value("亲😊在的😄")

            agent.locator("#input").press("End")
            toggle.click()
            agent.get_by_role("button", name="玫瑰").click()
            agent.press("#input", "Enter")
            expect(buyer.locator(".msg-agent .bubble").last).to_have_text("亲😊在的😄🌹")
            expect(waiting).to_be_hidden()  # answered

            # The buyer's picker: 谢谢 then 🙏, sent; the agent sees it.
            buyer.fill("#input", "谢谢")
            buyer.get_by_role("button", name="表情").click()
            buyer.get_by_role("button", name="拜托谢谢").click()
            expect(buyer.locator("#input")).to_have_value("谢谢🙏")
            buyer.press("#input", "Enter")
            thread = agent.locator(".live-panel .chat-messages:not([hidden])")
            expect(thread.locator(".msg-buyer .bubble").last).to_have_text("谢谢🙏")
            assert errors == [], errors
        finally:
            browser.close()
    with Session(emoji_server["engine"]) as session:
        texts = list(session.scalars(select(Message.text).order_by(Message.id)))
    assert "亲😊在的😄🌹" in texts and "谢谢🙏" in texts
