"""The pre-send guard in a real browser (Debian's Chromium): typing a full mobile number
blocks the send, a supervisor's password lets that exact text through.

The workspace has no compose box yet, so the test types into the QA page's 试一试 box,
which carries the same `data-qa-guard` attribute and script as any compose box will.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from qa_live_support import PASSWORD
from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.db.models import AuditEntry

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def migrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLite only here (the server thread and the test share one file)."""
    path = tmp_path / "kefu.sqlite3"
    shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def server(app: FastAPI) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


def test_typing_a_phone_number_blocks_the_send(
    server: str, chromium_path: str, session: Session
) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="zh-CN")
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{server}/login?next=/qa")
            page.fill("input[name=username]", "kf01")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{server}/qa")

            box = page.locator("#qa-try")
            send = page.locator("#qa-try-send")
            panel = page.locator(".qa-guard")
            expect(send).to_be_enabled()

            # A one-word reply: a hint with the suggested rewording, sending still allowed.
            box.fill("嗯")
            expect(panel.locator(".qa-guard-item[data-rule=QA_ONE_WORD]")).to_contain_text(
                "单字回复"
            )
            expect(send).to_be_enabled()

            # Typed key by key like an agent: the full number is caught and the send blocked.
            box.fill("")
            box.press_sequentially("亲，我的电话是13812345678", delay=10)
            leak = panel.locator(".qa-guard-item[data-rule=QA_PRIVACY_LEAK]")
            expect(leak).to_contain_text("泄露客户信息")
            expect(leak).to_contain_text("13812345678")
            expect(leak).to_contain_text("打码")
            expect(panel.locator(".qa-guard-block")).to_contain_text("已拦截")
            expect(send).to_be_disabled()
            expect(box).to_have_attribute("data-qa-blocked", "1")

            # Masking the number lifts the block.
            box.fill("亲，您的电话138****5678已经备注好了")
            expect(panel.locator(".qa-guard-item")).to_have_count(0)
            expect(send).to_be_enabled()

            # Blocked again; a wrong supervisor password is refused, the right one allows.
            box.fill("加我微信吧，电话13812345678")
            expect(send).to_be_disabled()
            allow = panel.locator(".qa-guard-allow")
            allow.locator("input").nth(0).fill("sup1")
            allow.locator("input[type=password]").fill("wrong")
            allow.locator("button").click()
            expect(allow.locator(".qa-guard-allow-error")).to_contain_text("放行失败")
            expect(send).to_be_disabled()
            allow.locator("input[type=password]").fill(PASSWORD)
            allow.locator("button").click()
            expect(panel.locator(".qa-guard-allowed")).to_contain_text("主管已放行")
            expect(send).to_be_enabled()

            # Any edit after the override needs a new one.
            box.press("End")
            box.type("!")
            expect(send).to_be_disabled()
            assert errors == []
        finally:
            browser.close()

    actions = list(
        session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.action.like("qa.allow%"))
            .order_by(AuditEntry.id)
        )
    )
    assert actions == ["qa.allow_refused", "qa.allow_send"]
