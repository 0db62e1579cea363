"""QA services on SQLite and PostgreSQL: scans stored and idempotent, appeals and audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from qa_live_support import BAD_CHAT, BAD_SCORE, GOOD_CHAT, NOW, add_closed
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kefu.core.errors import Conflict
from kefu.db.models import AuditEntry
from kefu.db.models.qa import QaFinding, QaResult
from kefu.services import accounts, qa_ops


def audit_actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_scan_stores_score_and_findings_and_rescan_is_idempotent(session, world) -> None:
    kf01 = world.users["kf01"]
    conv = add_closed(session, "c-bad", kf01, BAD_CHAT)
    result = qa_ops.do_scan_conversation(session, conv, now=NOW)
    session.commit()
    assert result.score == BAD_SCORE
    assert result.agent_id == "kf01"
    rules = sorted((f.rule, f.message_index) for f in result.findings)
    assert rules == [("QA_NO_CLOSING", None), ("QA_OFF_PLATFORM", 3), ("QA_PRIVACY_LEAK", 3)]
    assert {f.rule: f.deduction for f in result.findings}["QA_PRIVACY_LEAK"] == 6
    ids = sorted(f.id for f in result.findings)

    again = qa_ops.do_scan_conversation(session, conv, now=NOW + timedelta(minutes=5))
    session.commit()
    assert again.id == result.id
    assert sorted(f.id for f in again.findings) == ids  # same rows, nothing duplicated
    assert session.scalar(select(func.count()).select_from(QaResult)) == 1
    assert session.scalar(select(func.count()).select_from(QaFinding)) == 3


def test_rescan_replaces_findings_no_longer_found(session, world) -> None:
    conv = add_closed(session, "c-bad", world.users["kf01"], BAD_CHAT)
    qa_ops.do_scan_conversation(session, conv, now=NOW)
    session.commit()
    # The shop stops deducting for the farewell and the agent's last line now says thanks.
    last = conv.messages[-1]
    last.text = "好的，已经为您备注了，感谢您的支持"
    session.flush()
    result = qa_ops.do_scan_conversation(session, conv, now=NOW)
    session.commit()
    assert sorted(f.rule for f in result.findings) == ["QA_OFF_PLATFORM", "QA_PRIVACY_LEAK"]
    assert result.score == 88
    assert session.scalar(select(func.count()).select_from(QaFinding)) == 2


def test_scan_closed_conversations_catches_up_once(session, world) -> None:
    add_closed(session, "c-bad", world.users["kf01"], BAD_CHAT)
    add_closed(session, "c-good", world.users["kf02"], GOOD_CHAT)
    session.commit()
    # The world's own closed chat "c-closed" counts too; open ones are never scanned.
    assert qa_ops.scan_closed_conversations(session, now=NOW) == 3
    session.commit()
    assert qa_ops.scan_closed_conversations(session, now=NOW) == 0
    scores = dict(
        session.execute(
            select(QaResult.agent_id, QaResult.score).where(QaResult.agent_id.in_(["kf01", "kf02"]))
        ).all()
    )
    assert scores == {"kf01": BAD_SCORE, "kf02": 100}
    # Another shop's sweep leaves s1 alone.
    assert qa_ops.scan_closed_conversations(session, now=NOW, shop_id="s2") == 0


def test_appeal_accept_restores_points_and_is_audited(session, world) -> None:
    kf01, sup = world.users["kf01"], world.users["sup1"]
    conv = add_closed(session, "c-bad", kf01, BAD_CHAT)
    result = qa_ops.do_scan_conversation(session, conv, now=NOW)
    closing = next(f for f in result.findings if f.rule == "QA_NO_CLOSING")

    appeal = qa_ops.do_appeal(session, closing, kf01, "  买家先走了  ", now=NOW)
    assert appeal.reason == "买家先走了" and closing.status == "appealed"
    assert result.score == BAD_SCORE  # an appeal alone changes nothing
    with pytest.raises(Conflict):  # only once
        qa_ops.do_appeal(session, closing, kf01, "again", now=NOW)

    qa_ops.do_decide_appeal(session, appeal, sup, "accept", "同意", now=NOW)
    session.commit()
    assert appeal.status == "accepted" and appeal.decided_by_id == sup.id
    assert closing.status == "overturned"
    assert result.score == BAD_SCORE + 2
    with pytest.raises(Conflict):
        qa_ops.do_decide_appeal(session, appeal, sup, "reject", now=NOW)
    assert audit_actions(session)[-2:] == ["qa.appeal", "qa.appeal_accept"]
    row = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert row.before == {"status": "pending", "score": BAD_SCORE}
    assert row.after["score"] == BAD_SCORE + 2 and row.actor == "sup1"

    # The decision survives a re-scan: the finding keeps its row and its status.
    qa_ops.do_scan_conversation(session, conv, now=NOW)
    assert closing.status == "overturned" and result.score == BAD_SCORE + 2


def test_summary_team_agents_and_trend(session, world) -> None:
    kf01, kf02 = world.users["kf01"], world.users["kf02"]
    add_closed(session, "c-bad", kf01, BAD_CHAT, hours_ago=2)
    add_closed(session, "c-good", kf01, GOOD_CHAT, hours_ago=30)
    add_closed(session, "c-good-2", kf02, GOOD_CHAT, hours_ago=3)
    add_closed(session, "c-old", kf02, BAD_CHAT, hours_ago=24 * 40)  # outside 30 days
    qa_ops.scan_closed_conversations(session, now=NOW)
    session.commit()

    summary = qa_ops.qa_summary(session, world.users["sup1"], now=NOW)
    assert summary.team is not None
    team = summary.team
    # c-closed (world: kf02 "不客气" closed 10 h ago) counts too.
    assert team.conversations == 4
    kf01_stats = summary.agents["kf01"]
    assert kf01_stats.conversations == 2 and kf01_stats.mean == (BAD_SCORE + 100) / 2
    assert dict(kf01_stats.rules()) == {
        "QA_NO_CLOSING": 1,
        "QA_OFF_PLATFORM": 1,
        "QA_PRIVACY_LEAK": 1,
    }
    days = [day.isoformat() for day, _mean, _n in kf01_stats.trend()]
    assert days == ["2026-11-24", "2026-11-25"]  # shop-local days (Asia/Shanghai)

    own = qa_ops.qa_summary(session, kf01, now=NOW)
    assert own.team is None and list(own.agents) == ["kf01"]
    with pytest.raises(accounts.PermissionDenied):
        qa_ops.qa_summary(session, kf01, now=NOW, agent="kf02")
    with pytest.raises(accounts.PermissionDenied):
        qa_ops.qa_summary(session, world.users["admin1"], now=NOW)
