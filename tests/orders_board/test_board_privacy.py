"""Who sees the buyer on the problem-order board (policies.md §5): supervisors and above
in full, audited; agents masked, except buyers whose open conversation they hold."""

from __future__ import annotations

import sys

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.db.models import AuditEntry, OrderFlag

LUCY_ORDER = "3712345678901234567"
BOB_ORDER = "3712345678901234568"
URL = "/api/v1/orders/problems"
LUCY_FULL, LUCY_MASKED = "张三 13812345678", "张* 138****5678"
BOB_FULL, BOB_MASKED = "李四 13987654321", "李* 139****4321"


def _buyers(client) -> dict[str, tuple[str, bool]]:  # type: ignore[no-untyped-def]
    items = client.get(URL).json()["items"]
    return {i["order_id"]: (i["buyer"], i["buyer_masked"]) for i in items}


def _viewed(world) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with Session(world.engine) as session:
        return list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "buyer.contact_viewed")
                .order_by(AuditEntry.id)
            )
        )


def test_an_insale_agent_sees_every_buyer_masked_and_nothing_is_audited(flagged, login_as) -> None:
    assert _buyers(login_as("ks01")) == {
        LUCY_ORDER: (LUCY_MASKED, True),
        BOB_ORDER: (BOB_MASKED, True),
    }
    assert _viewed(flagged) == []


def test_an_agent_holding_the_buyers_open_chat_sees_that_buyer(flagged, login_as) -> None:
    # kf03 (aftersale) holds Bob's open after-sales chat, not Lucy's.
    assert _buyers(login_as("kf03")) == {
        LUCY_ORDER: (LUCY_MASKED, True),
        BOB_ORDER: (BOB_FULL, False),
    }
    [entry] = _viewed(flagged)
    assert entry.actor == "kf03" and entry.target_type == "order_board"
    assert entry.after == {"fields": ["name", "phone"], "buyers": ["tb_bob"]}


def test_supervisor_and_manager_see_buyers_in_full_audited(flagged, login_as) -> None:
    api_fixtures = sys.modules["kefu_board_test_fixtures"]  # tests/api/conftest.py
    with Session(flagged.engine) as session:
        api_fixtures.add_user(session, "s1", "boss", "manager")
        session.commit()
    expected = {LUCY_ORDER: (LUCY_FULL, False), BOB_ORDER: (BOB_FULL, False)}
    assert _buyers(login_as("sup1")) == expected
    assert _buyers(login_as("boss")) == expected
    entries = _viewed(flagged)
    assert [e.actor for e in entries] == ["sup1", "boss"]
    assert entries[0].after == {"fields": ["name", "phone"], "buyers": ["tb_bob", "tb_lucy88"]}


def test_resolve_answers_with_the_row_as_the_actor_may_see_it(flagged, login_as) -> None:
    with Session(flagged.engine) as session:
        flag_id = session.scalars(
            select(OrderFlag.id).where(OrderFlag.order_id == LUCY_ORDER)
        ).one()
    agent = login_as("ks01").post(f"{URL}/{flag_id}/resolve", json={"note": "已电话确认"})
    assert agent.json()["buyer"] == LUCY_MASKED
    supervisor = login_as("sup1").post(f"{URL}/{flag_id}/assign", json={"assignee_id": None})
    assert supervisor.json()["buyer"] == LUCY_FULL
    assert [e.target_id for e in _viewed(flagged)] == [f"problem:{flag_id}"]
