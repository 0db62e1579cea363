"""More QA service behaviour, on SQLite only (the queries are those of test_qa_ops.py, run
there on PostgreSQL too): shop config, rejected appeals and roles, guard overrides."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from qa_live_support import BAD_CHAT, BAD_SCORE, NOW, add_closed
from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.db.models import AuditEntry, Shop
from kefu.db.models.qa import QaAppeal
from kefu.services import accounts, qa_ops, shops


@pytest.fixture
def migrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    path = tmp_path / "kefu.sqlite3"
    shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
    return f"sqlite:///{path}"


def audit_actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_shop_deductions_and_extra_words_are_used(session, world) -> None:
    shop = session.get(Shop, "s1")
    shop.config = {
        "qa": {
            "deductions": {"QA_PRIVACY_LEAK": 20},
            "extra_words": {"QA_RUDE": ["你自己琢磨"]},
        }
    }
    session.flush()
    shops.CONFIGS.forget("s1")  # what the config-changing action's event does
    conv = add_closed(
        session,
        "c-extra",
        world.users["kf01"],
        [("buyer", "怎么用", 0), ("agent", "您好，你自己琢磨吧，谢谢", 3)],
    )
    result = qa_ops.do_scan_conversation(session, conv, now=NOW)
    assert [f.rule for f in result.findings] == ["QA_RUDE"]
    assert result.score == 90  # QA_RUDE keeps its default 10


def test_appeal_reject_keeps_score_and_roles_are_enforced(session, world) -> None:
    kf01, kf02, sup = world.users["kf01"], world.users["kf02"], world.users["sup1"]
    conv = add_closed(session, "c-bad", kf01, BAD_CHAT)
    result = qa_ops.do_scan_conversation(session, conv, now=NOW)
    leak = next(f for f in result.findings if f.rule == "QA_PRIVACY_LEAK")
    with pytest.raises(accounts.PermissionDenied):  # not kf02's conversation
        qa_ops.do_appeal(session, leak, kf02, "not mine", now=NOW)
    with pytest.raises(qa_ops.QaError):
        qa_ops.do_appeal(session, leak, kf01, "   ", now=NOW)
    appeal = qa_ops.do_appeal(session, leak, kf01, "号码是买家让我核对的", now=NOW)
    with pytest.raises(accounts.PermissionDenied):  # agents do not decide
        qa_ops.do_decide_appeal(session, appeal, kf01, "accept", now=NOW)
    qa_ops.do_decide_appeal(session, appeal, sup, "reject", "泄露就是泄露", now=NOW)
    assert leak.status == "upheld" and result.score == BAD_SCORE
    assert session.get(QaAppeal, appeal.id).status == "rejected"
    assert "qa.appeal_reject" in audit_actions(session)


def test_allow_blocked_needs_a_supervisor_and_binds_the_text(session, world) -> None:
    kf01, sup = world.users["kf01"], world.users["sup1"]
    text = "我电话13812345678"
    with pytest.raises(accounts.PermissionDenied):
        qa_ops.do_allow_blocked(
            session,
            kf01,
            text,
            ["QA_PRIVACY_LEAK"],
            secret="s" * 20,
            now=NOW,
            supervisor_username="kf02",  # an agent cannot allow
            supervisor_password="correct-horse-42",
        )
    token = qa_ops.do_allow_blocked(
        session,
        kf01,
        text,
        ["QA_PRIVACY_LEAK"],
        secret="s" * 20,
        now=NOW,
        supervisor_username="sup1",
        supervisor_password="correct-horse-42",
    )
    assert qa_ops.check_allow_token("s" * 20, token, kf01, text)
    assert not qa_ops.check_allow_token("s" * 20, token, kf01, text + "!")
    assert not qa_ops.check_allow_token("s" * 20, token, world.users["kf02"], text)
    assert not qa_ops.check_allow_token("x" * 20, token, kf01, text)
    rows = session.scalars(select(AuditEntry).where(AuditEntry.action.like("qa.allow%"))).all()
    assert [(r.action, r.actor) for r in rows] == [
        ("qa.allow_refused", "kf01"),
        ("qa.allow_send", "sup1"),
    ]
    assert rows[1].after["agent"] == "kf01"
    # A supervisor allows their own draft without a second password.
    assert qa_ops.do_allow_blocked(session, sup, text, [], secret="s" * 20, now=NOW)


def test_highlight_cuts_text_at_the_evidence() -> None:
    pieces = qa_ops.highlight(
        "加我微信吧，电话13812345678", [("加我微信", "A"), ("13812345678", "B")]
    )
    assert pieces == [("加我微信", "A"), ("吧，电话", None), ("13812345678", "B")]
    assert qa_ops.highlight("abc", [("zz", "A")]) == [("abc", None)]
    assert qa_ops.highlight("", []) == [("", None)]
    # Overlapping evidence: the first wins, the text is never duplicated.
    assert "".join(p for p, _ in qa_ops.highlight("abcdef", [("bcd", "A"), ("cde", "B")])) == (
        "abcdef"
    )
