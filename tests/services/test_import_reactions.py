"""`kefu import orders` reacts at once: reminders, flags and jobs exist right after the
import, without waiting for the worker's `order_sync` job (which stays as a safety net)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.cli.main import main
from kefu.core.shopconfig import build_shop_config
from kefu.db.models import Order, OrderFlag, Reminder, ScheduledJob
from kefu.db.session import make_engine
from kefu.services import imports
from kefu.settings import get_settings

SHOP = build_shop_config()


def order(order_id: str, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "order_id": order_id,
        "buyer_id": f"tb_buyer{order_id}",
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


def write(path: Path, records: list[dict[str, Any]]) -> str:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    return str(path)


def kefu(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def test_imported_unpaid_order_has_its_reminders_at_once(
    migrated_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("KEFU_DATABASE_URL", migrated_url)
    get_settings.cache_clear()
    path = write(tmp_path / "o.jsonl", [order("1"), order("2", buyer_note="周五前一定要到哦")])
    code, out, _ = kefu(capsys, "import", "orders", path, "--shop-id", "demo")
    assert (code, out.strip()) == (0, "orders: 2 added, 0 updated, 0 unchanged, 0 errors")

    engine = make_engine(migrated_url)
    with Session(engine) as session:
        planned = session.execute(
            select(Reminder.order_id, Reminder.seq, Reminder.channel, Reminder.status).order_by(
                Reminder.order_id, Reminder.seq
            )
        ).all()
        # a 10:15 order, 199 yuan: one reminder, the 11:30 SMS (policies.md §1)
        assert [tuple(r) for r in planned] == [
            ("1", 1, "sms", "pending"),
            ("2", 1, "sms", "pending"),
        ]
        flags = session.execute(select(OrderFlag.order_id, OrderFlag.code)).all()
        assert [tuple(f) for f in flags] == [("2", "BUYER_NOTE")]

    # Paid in a later import: the pending reminder is cancelled right away, and the paid
    # order's deadline checks are scheduled.
    paid = order("1", status="paid", paid_at="2026-11-20T10:40:00+08:00")
    code, out, _ = kefu(capsys, "import", "orders", write(tmp_path / "p.jsonl", [paid]))
    assert out.strip() == "orders: 0 added, 1 updated, 0 unchanged, 0 errors"
    with Session(engine) as session:
        pk = session.scalars(select(Order.id).where(Order.order_id == "1")).one()
        status = session.scalars(select(Reminder.status).where(Reminder.order_pk == pk)).all()
        assert status == ["cancelled"]
        kinds = set(session.scalars(select(ScheduledJob.kind).where(ScheduledJob.order_pk == pk)))
        assert {"ship_risk", "ship_late"} <= kinds
    engine.dispose()


def test_a_bulk_import_reacts_to_its_first_orders_only(
    migrated_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond `REACT_LIMIT` orders, the rest is left to the worker's `order_sync` job."""
    monkeypatch.setattr(imports, "REACT_LIMIT", 3)
    path = write(tmp_path / "o.jsonl", [order(str(n)) for n in range(1, 6)])
    engine = make_engine(migrated_url)
    summary = imports.import_file(engine, "orders", path, SHOP, shop_id="demo", batch_size=2)
    assert summary.added == 5
    with Session(engine) as session:
        reminded = sorted(session.scalars(select(Reminder.order_id).distinct()))
    assert reminded == ["1", "2", "3"]
    engine.dispose()


def test_a_failing_reaction_keeps_the_imported_orders(
    migrated_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    from kefu.services import orders_ops

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(orders_ops, "on_orders_changed", broken)
    engine = make_engine(migrated_url)
    path = write(tmp_path / "o.jsonl", [order("1")])
    summary = imports.import_file(engine, "orders", path, SHOP, shop_id="demo")
    assert (summary.added, summary.errors) == (1, [])
    assert "order_sync will retry" in caplog.text
    with Session(engine) as session:
        assert session.scalars(select(Order.order_id)).all() == ["1"]
        assert session.scalars(select(Reminder.id)).all() == []
    engine.dispose()
