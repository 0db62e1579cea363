"""Imports: idempotent upserts by natural key, bad lines reported and skipped, on both DBs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from kefu.core.errors import InvalidInput
from kefu.core.shopconfig import build_shop_config
from kefu.db.models import (
    Conversation,
    Message,
    Order,
    OrderItem,
    OrderStatusChange,
    Rating,
    Shipment,
    TrackingEvent,
)
from kefu.services.imports import import_file

SHOP = build_shop_config()


def order(order_id: str, **changes: Any) -> dict[str, Any]:
    record = {
        "order_id": order_id,
        "buyer_id": "tb_lucy88",
        "status": "unpaid",
        "created_at": "2026-11-20T10:15:00+08:00",
        "amount": 199.0,
        "items": [
            {"sku": "TS-001-M-BLK", "title": "T恤", "category": "apparel", "qty": 1, "price": 199.0}
        ],
        "address": {
            "name": "张三",
            "phone": "13812345678",
            "province": "浙江省",
            "city": "杭州市",
            "district": "西湖区",
            "detail": "文三路123号",
        },
    }
    record.update(changes)
    return record


def write(path: Path, lines: list[Any]) -> str:
    path.write_text(
        "".join(
            (x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in lines
        ),
        encoding="utf-8",
    )
    return str(path)


def count(engine: Engine, model: Any) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_same_file_twice_adds_nothing(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path / "o.jsonl", [order(str(n)) for n in range(5)])

    first = import_file(engine, "orders", path, SHOP, batch_size=2)
    second = import_file(engine, "orders", path, SHOP, batch_size=2)

    assert (first.added, first.updated, first.unchanged, first.errors) == (5, 0, 0, [])
    assert (second.added, second.updated, second.unchanged, second.errors) == (0, 0, 5, [])
    assert count(engine, Order) == 5
    assert count(engine, OrderItem) == 5


def test_changed_order_is_updated_with_status_history(engine: Engine, tmp_path: Path) -> None:
    import_file(engine, "orders", write(tmp_path / "a.jsonl", [order("1")]), SHOP)
    two_items = [{"sku": "A", "qty": 2, "price": 10.005}, {"sku": "B", "qty": 1, "price": 5}]
    newer = order("1", status="paid", paid_at="2026-11-20T10:20:00", items=two_items)

    summary = import_file(engine, "orders", write(tmp_path / "b.jsonl", [newer]), SHOP)

    assert (summary.added, summary.updated) == (0, 1)
    with Session(engine) as session:
        stored = session.scalars(select(Order)).one()
        assert stored.status == "paid"
        assert stored.paid_at is not None and stored.paid_at.isoformat() == (
            "2026-11-20T02:20:00+00:00"  # read in the shop's zone, stored in UTC
        )
        items = session.scalars(select(OrderItem).order_by(OrderItem.line_no)).all()
        assert [(i.sku, i.qty, str(i.price)) for i in items] == [
            ("A", 2, "10.01"),
            ("B", 1, "5.00"),
        ]
        history = session.scalars(select(OrderStatusChange)).all()
        assert [(h.from_status, h.to_status) for h in history] == [("unpaid", "paid")]


def test_bad_lines_are_reported_and_the_rest_goes_in(engine: Engine, tmp_path: Path) -> None:
    path = write(
        tmp_path / "o.jsonl",
        [
            order("1"),
            "{not json",
            order("2", amount="199"),  # wrong type
            {k: v for k, v in order("3").items() if k != "buyer_id"},  # missing field
            order("x" * 65),  # too long for the column
            order("5", amount=1e12),  # too large for Numeric(12, 2)
            "[1, 2]",
            order("6"),
        ],
    )

    summary = import_file(engine, "orders", path, SHOP, batch_size=3)

    assert summary.added == 2
    assert [(e.line, e.error) for e in summary.errors] == [
        (2, "invalid JSON: Expecting property name enclosed in double quotes"),
        (3, "amount: Input should be a valid number"),
        (4, "missing required field: buyer_id"),
        (5, "order_id: longer than 64 characters"),
        (6, "amount: too large"),
        (7, "not a JSON object"),
    ]
    with Session(engine) as session:
        assert sorted(session.scalars(select(Order.order_id))) == ["1", "6"]


def test_duplicate_order_ids_in_one_file(engine: Engine, tmp_path: Path) -> None:
    # An identical repeat is harmless; a different second state is ambiguous: reported.
    path = write(tmp_path / "o.jsonl", [order("1"), order("1"), order("1", status="paid")])

    summary = import_file(engine, "orders", path, SHOP)

    assert (summary.added, summary.unchanged) == (1, 1)
    assert [(e.line, e.error) for e in summary.errors] == [
        (3, "duplicate order_id 1 (first on line 1)")
    ]
    with Session(engine) as session:
        assert session.scalars(select(Order.status)).one() == "unpaid"


def test_a_batch_the_database_refuses_leaves_nothing_half_written(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a record whose item the database refuses (NOT NULL), past every check
    from kefu.services import imports

    real_item_rows = imports._item_rows

    def item_rows(record: Any) -> list[dict[str, Any]]:
        rows = real_item_rows(record)
        if record.order_id == "2":
            rows[0]["qty"] = None
        return rows

    monkeypatch.setattr(imports, "_item_rows", item_rows)
    monkeypatch.setattr(imports.OrderWriter, "check", lambda self, record: None)
    bad = order("2")
    path = write(tmp_path / "o.jsonl", [order("1"), bad, order("3")])

    summary = import_file(engine, "orders", path, SHOP)

    # Then the batch is retried record by record: only the culprit is reported and skipped,
    # and no order is left without its items.
    assert summary.added == 2
    assert [e.line for e in summary.errors] == [2]
    assert summary.errors[0].error.startswith("rejected: ")
    with Session(engine) as session:
        assert sorted(session.scalars(select(Order.order_id))) == ["1", "3"]
        assert count(engine, OrderItem) == 2


def test_missing_file_is_a_usage_error(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such file"):
        import_file(engine, "orders", str(tmp_path / "nope.jsonl"), SHOP)


def conversation(cid: str, messages: list[tuple[str, str, str]], **changes: Any) -> dict:
    record = {
        "conversation_id": cid,
        "buyer_id": "tb_lucy88",
        "agent_id": "kf08",
        "order_ids": ["1"],
        "messages": [{"sender": s, "text": t, "ts": ts} for s, t, ts in messages],
        "closed_by": None,
        "rating": None,
    }
    record.update(changes)
    return record


def test_conversations_merge_messages_and_keep_seq(engine: Engine, tmp_path: Path) -> None:
    hello = ("buyer", "在吗", "2026-11-20T10:00:00+08:00")
    reply = ("agent", "您好，我是客服8号", "2026-11-20T10:00:06+08:00")
    thanks = ("buyer", "好的谢谢", "2026-11-20T10:01:00+08:00")
    first = write(tmp_path / "a.jsonl", [conversation("c1", [hello, reply])])
    later = write(
        tmp_path / "b.jsonl",
        [conversation("c1", [hello, reply, thanks], closed_by="agent", rating=5)],
    )

    assert import_file(engine, "conversations", first, SHOP).added == 1
    assert import_file(engine, "conversations", first, SHOP).unchanged == 1
    summary = import_file(engine, "conversations", later, SHOP)
    again = import_file(engine, "conversations", later, SHOP)

    assert (summary.updated, again.unchanged) == (1, 1)
    with Session(engine) as session:
        chat = session.scalars(select(Conversation)).one()
        assert (chat.status, chat.closed_by, chat.last_seq) == ("closed", "agent", 3)
        assert chat.started_at is not None
        messages = session.scalars(select(Message).order_by(Message.seq)).all()
        assert [(m.seq, m.text) for m in messages] == [
            (1, "在吗"),
            (2, "您好，我是客服8号"),
            (3, "好的谢谢"),
        ]
        assert session.scalars(select(Rating.rating)).all() == [5]


def test_tracking_events_upsert_by_number_time_and_status(engine: Engine, tmp_path: Path) -> None:
    def event(ts: str, status: str, **changes: Any) -> dict[str, Any]:
        record = {
            "tracking_no": "SF1",
            "courier": "SF",
            "order_id": "1",
            "ts": ts,
            "status": status,
            "location": "杭州",
            "desc": "",
        }
        record.update(changes)
        return record

    events = [
        event("2026-11-21T08:00:00", "collected"),
        event("2026-11-21T20:00:00", "in_transit"),
        event("2026-11-22T09:00:00", "delivered"),
    ]
    path = write(tmp_path / "t.jsonl", events)
    assert import_file(engine, "tracking", path, SHOP).added == 3
    assert import_file(engine, "tracking", path, SHOP).unchanged == 3
    fixed = write(
        tmp_path / "u.jsonl", [event("2026-11-21T20:00:00", "in_transit", location="上海转运中心")]
    )
    assert import_file(engine, "tracking", fixed, SHOP).updated == 1

    assert count(engine, TrackingEvent) == 3
    with Session(engine) as session:
        shipment = session.scalars(select(Shipment)).one()
        assert shipment.status == "delivered"
        assert shipment.delivered_at is not None and shipment.collected_at is not None
        assert shipment.delivered_at.isoformat() == "2026-11-22T01:00:00+00:00"
