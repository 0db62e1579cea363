"""Exports give back formats.md records: masked by default, exact when unmasked."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from kefu.core.records import Conversation, Order
from kefu.core.shopconfig import build_shop_config
from kefu.services.exports import export_conversations, export_orders
from kefu.services.imports import import_file

SHOP = build_shop_config()
ORDER = {
    "order_id": "3712345678901234567",
    "platform": "taobao",
    "buyer_id": "tb_lucy88",
    "status": "shipped",
    "created_at": "2026-11-20T10:15:00+08:00",
    "paid_at": "2026-11-20T10:20:00+08:00",
    "shipped_at": "2026-11-21T09:00:00+08:00",
    "signed_at": None,
    "amount": 12.5,
    "shipping_fee": 0.0,
    "free_shipping": True,
    "payment_method": "online",
    "items": [
        {
            "sku": "TS-001-M-BLK",
            "title": "纯棉圆领T恤 黑色 M",
            "category": "apparel",
            "qty": 1,
            "price": 12.5,
        }
    ],
    "address": {
        "name": "张三",
        "phone": "13812345678",
        "province": "浙江省",
        "city": "杭州市",
        "district": "西湖区",
        "detail": "文三路123号",
    },
    "courier": "YTO",
    "tracking_no": "YT1",
    "buyer_note": "",
    "presale": False,
    "customized": False,
    "address_changed_after_payment": False,
}
CHAT = {
    "conversation_id": "c-1",
    "platform": "taobao",
    "buyer_id": "tb_lucy88",
    "agent_id": "kf08",
    "order_ids": ["3712345678901234567"],
    "messages": [
        {
            "sender": "buyer",
            "text": "电话13812345678",
            "ts": "2026-11-20T10:00:00+08:00",
            "quick_reply": False,
        },
        {"sender": "agent", "text": "好的", "ts": "2026-11-20T10:00:06+08:00", "quick_reply": True},
    ],
    "closed_by": "agent",
    "rating": 5,
}


def load(engine: Engine, tmp_path: Path, kind: str, record: dict) -> None:
    path = tmp_path / f"{kind}.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    assert import_file(engine, kind, str(path), SHOP).added == 1


def test_unmasked_order_export_round_trips_exactly(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, "orders", ORDER)
    with Session(engine) as session:
        (exported,) = export_orders(session, "demo", SHOP, unmasked=True)
    assert exported == ORDER
    Order.model_validate(exported)  # still a valid formats.md record


def test_masked_order_export_hides_name_phone_and_street(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, "orders", ORDER)
    with Session(engine) as session:
        (exported,) = export_orders(session, "demo", SHOP)
    assert exported["address"] == {
        "name": "张*",
        "phone": "138****5678",
        "province": "浙江省",
        "city": "杭州市",
        "district": "西湖区",
        "detail": "****",
    }
    assert "13812345678" not in json.dumps(exported, ensure_ascii=False)


def test_conversation_export(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, "conversations", CHAT)
    with Session(engine) as session:
        (unmasked,) = export_conversations(session, "demo", SHOP, unmasked=True)
        (masked,) = export_conversations(session, "demo", SHOP)
    assert unmasked == CHAT
    Conversation.model_validate(unmasked)
    assert masked["messages"][0]["text"] == "电话138****5678"


def test_export_of_another_shop_is_empty(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, "orders", ORDER)
    with Session(engine) as session:
        assert list(export_orders(session, "other", SHOP)) == []
