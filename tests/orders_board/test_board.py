"""The problem-order board 问题订单: API, page, resolve with a note, digest export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.db.models import AuditEntry, OrderFlag
from kefu.services import orders_ops, shops

# The world of tests/api/conftest.py: its clock and its two orders of shop s1.
NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
LUCY_ORDER = "3712345678901234567"
BOB_ORDER = "3712345678901234568"

URL = "/api/v1/orders/problems"
HTMX = {"HX-Request": "true"}


def _flag_id(world, order_id: str, code: str) -> int:  # type: ignore[no-untyped-def]
    with Session(world.engine) as session:
        return session.scalars(
            select(OrderFlag.id).where(OrderFlag.order_id == order_id, OrderFlag.code == code)
        ).one()


def test_counts_every_code_and_lists_open_flags_of_own_shop(flagged, login_as) -> None:
    body = login_as("ks01").get(URL).json()
    assert len(body["counts"]) == 11
    assert body["counts"]["BUYER_NOTE"] == 1  # the other shop's note is not counted
    assert body["counts"]["ADDRESS_INCOMPLETE"] == 1
    assert body["counts"]["SHIP_LATE"] == 0
    assert {(i["order_id"], i["code"]) for i in body["items"]} == {
        (LUCY_ORDER, "BUYER_NOTE"),
        (BOB_ORDER, "ADDRESS_INCOMPLETE"),
    }
    lucy = next(i for i in body["items"] if i["order_id"] == LUCY_ORDER)
    assert lucy["buyer"] == "张* 138****5678"  # masked (policies.md §5)
    assert lucy["since"] == "2026-11-25T12:00:00+08:00"  # shop offset
    assert lucy["status"] == "open"


def test_filter_by_flag_and_status(flagged, login_as) -> None:
    client = login_as("kf03")  # aftersale is above insale
    items = client.get(URL, params={"flag": "BUYER_NOTE"}).json()["items"]
    assert [i["order_id"] for i in items] == [LUCY_ORDER]
    assert client.get(URL, params={"status": "resolved"}).json()["items"] == []
    assert len(client.get(URL, params={"status": "all"}).json()["items"]) == 2
    bad = client.get(URL, params={"flag": "NOT_A_FLAG"})
    assert bad.status_code == 422 and bad.json()["code"] == "bad_filter"


def test_resolve_requires_a_note_and_is_audited(flagged, login_as) -> None:
    client = login_as("ks01")
    flag_id = _flag_id(flagged, LUCY_ORDER, "BUYER_NOTE")
    refused = client.post(f"{URL}/{flag_id}/resolve", json={"note": "   "})
    assert refused.status_code == 422 and refused.json()["code"] == "note_required"
    done = client.post(f"{URL}/{flag_id}/resolve", json={"note": "已电话确认，周四发顺丰"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "resolved"
    assert done.json()["note"] == "已电话确认，周四发顺丰"
    assert client.get(URL).json()["counts"]["BUYER_NOTE"] == 0
    with Session(flagged.engine) as session:
        entries = list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == "order_flag.resolve"))
        )
    assert len(entries) == 1  # the refused attempt left no trace
    assert entries[0].actor == "ks01"
    assert entries[0].target_id == f"{LUCY_ORDER}:BUYER_NOTE"
    assert entries[0].after == {"status": "resolved", "note": "已电话确认，周四发顺丰"}


def test_assign_and_other_shops_flag_is_not_found(flagged, login_as) -> None:
    client = login_as("ks01")
    flag_id = _flag_id(flagged, BOB_ORDER, "ADDRESS_INCOMPLETE")
    kf03 = flagged.users["kf03"].id
    assigned = client.post(f"{URL}/{flag_id}/assign", json={"assignee_id": kf03})
    assert assigned.status_code == 200 and assigned.json()["assignee_id"] == kf03
    stranger = flagged.users["other"].id  # another shop's agent
    assert client.post(f"{URL}/{flag_id}/assign", json={"assignee_id": stranger}).status_code == 422
    foreign = _flag_id(flagged, "9999", "BUYER_NOTE")
    assert client.post(f"{URL}/{foreign}/resolve", json={"note": "x"}).status_code == 404


def test_presale_and_anonymous_are_refused(flagged, client, login_as) -> None:
    assert client.get(URL).status_code == 401
    presale = login_as("kf01")
    assert presale.get(URL).status_code == 403
    flag_id = _flag_id(flagged, LUCY_ORDER, "BUYER_NOTE")
    assert presale.post(f"{URL}/{flag_id}/resolve", json={"note": "x"}).status_code == 403
    assert presale.get(f"{URL}/digest").status_code == 403
    assert presale.get("/orders/problems").status_code == 403
    assert 'id="nav-problems"' not in presale.get("/").text


def test_page_renders_in_chinese_and_resolves_through_htmx(flagged, login_as) -> None:
    client = login_as("sup1")
    assert 'id="nav-problems"' in client.get("/").text
    page = client.get("/orders/problems")
    assert page.status_code == 200
    html = page.text
    for label in ("问题订单", "买家留言", "地址不详", "港澳台非顺丰", "发货超时预警"):
        assert label in html
    assert "张三 13812345678" in html  # a supervisor sees buyers in full (audited)
    assert "还没有生成问题订单汇总" in html  # no digest yet: no dead link
    filtered = client.get("/orders/problems", params={"flag": "ADDRESS_INCOMPLETE"}).text
    assert BOB_ORDER in filtered and LUCY_ORDER not in filtered

    flag_id = _flag_id(flagged, LUCY_ORDER, "BUYER_NOTE")
    path = f"/ui/orders/problems/{flag_id}/resolve"
    assert client.post(path, data={"note": "ok"}).status_code == 403  # not htmx
    empty = client.post(path, data={"note": ""}, headers=HTMX)
    assert "请填写处理说明" in empty.text and 'data-status="open"' in empty.text
    row = client.post(path, data={"note": "已联系买家"}, headers=HTMX)
    assert row.status_code == 200
    assert 'data-status="resolved"' in row.text and "已联系买家" in row.text


def test_digest_json_and_csv_export(flagged, login_as) -> None:
    client = login_as("ks01")
    missing = client.get(f"{URL}/digest")
    assert missing.status_code == 404 and missing.json()["code"] == "no_digest"
    with Session(flagged.engine) as session:
        orders_ops.generate_digest(session, "s1", shops.config(session, "s1"), NOW)
        session.commit()
    body = client.get(f"{URL}/digest").json()
    assert body["counts"] == {"ADDRESS_INCOMPLETE": 1, "BUYER_NOTE": 1}
    assert {row["order_id"] for row in body["items"]} == {LUCY_ORDER, BOB_ORDER}
    exported = client.get(f"{URL}/digest", params={"format": "csv"})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {(r["order_id"], r["flags"]) for r in rows} == {
        (LUCY_ORDER, "BUYER_NOTE"),
        (BOB_ORDER, "ADDRESS_INCOMPLETE"),
    }
    assert all(r["since"].endswith("+08:00") for r in rows)
    assert "format=csv" in client.get("/orders/problems").text  # the page links it
