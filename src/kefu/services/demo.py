"""Persist the generated demo shop (`kefu.demo.generate_demo_shop`) into the database.

Idempotent: everything is upserted by its natural key, so loading twice adds nothing.
Agents get the demo password hashed with argon2 on creation only: a password changed
afterwards is kept. Orders, tracking events and conversations go through the same upserts
as `kefu import`, so the demo data obeys exactly the rules imported data does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.core import records
from kefu.core.privacy import mask_phone
from kefu.core.shopconfig import ShopConfig, build_shop_config
from kefu.core.timeutil import parse_time
from kefu.db.base import Base
from kefu.db.models import (
    Buyer,
    FaqArticle,
    Product,
    Promotion,
    QuickReply,
    Shop,
    Sku,
    User,
)
from kefu.demo import DEMO_PASSWORD, DemoShop
from kefu.services import imports, passwords

M = TypeVar("M", bound=Base)
R = TypeVar("R", bound=BaseModel)
CHUNK = 500


@dataclass
class DemoLoadSummary:
    """Rows added per kind (0 everywhere on a second load)."""

    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def one_line(self) -> str:
        parts = [f"{kind} +{n}" for kind, n in self.added.items() if n]
        changed = [f"{kind} ~{n}" for kind, n in self.updated.items() if n]
        return ", ".join(parts + changed) or "nothing new"


def _money(value: Any) -> Decimal:
    return imports.money(float(value or 0), "price")


def _time(value: str | None, shop: ShopConfig) -> datetime | None:
    return parse_time(value, shop.tz) if value else None


def _upsert(
    session: Session,
    model: type[M],
    shop_id: str,
    key: str,
    rows: Iterable[dict[str, Any]],
    *,
    keep: frozenset[str] = frozenset(),
) -> tuple[int, int]:
    """Add rows missing by `key`, update the changed columns of the others (except `keep`)."""
    rows = list(rows)
    column = getattr(model, key)
    stored = {
        getattr(obj, key): obj
        for obj in session.scalars(
            select(model)
            .where(model.shop_id == shop_id)  # type: ignore[attr-defined]
            .where(column.in_([row[key] for row in rows]))
        )
    }
    added = updated = 0
    for row in rows:
        obj = stored.get(row[key])
        if obj is None:
            session.add(model(shop_id=shop_id, **row))
            added += 1
            continue
        changes = {
            name: value
            for name, value in row.items()
            if name not in keep and getattr(obj, name) != value
        }
        for name, value in changes.items():
            setattr(obj, name, value)
        updated += bool(changes)
    session.flush()
    return added, updated


def _records(model: type[R], items: list[dict[str, Any]], shop: ShopConfig) -> list[R]:
    context = {"tz": shop.tz}
    return [model.model_validate(item, context=context) for item in items]


def load_demo_shop(session: Session, demo: DemoShop) -> DemoLoadSummary:
    """Write the demo shop in the caller's transaction (the caller commits)."""
    summary = DemoLoadSummary()
    shop = build_shop_config(demo.config)
    shop_id = shop.shop_id

    row = session.get(Shop, shop_id)
    if row is None:
        session.add(
            Shop(
                id=shop_id,
                name=shop.name,
                platform=shop.platform,
                timezone=shop.timezone,
                config=demo.config,
            )
        )
        session.flush()
        summary.added["shops"] = 1
    elif row.config != demo.config:
        row.config, row.name = demo.config, shop.name
        summary.updated["shops"] = 1

    def count(kind: str, result: tuple[int, int]) -> None:
        summary.added[kind] = summary.added.get(kind, 0) + result[0]
        summary.updated[kind] = summary.updated.get(kind, 0) + result[1]

    # Agents: hash the password only for new users (argon2 is slow on purpose).
    known = set(session.scalars(select(User.username).where(User.shop_id == shop_id)))
    agents = []
    # One hash serves every new demo agent: the demo password is public, and argon2 is slow
    # on purpose (a dozen hashes would dominate the load time).
    demo_hash: str | None = None
    for agent in demo.agents:
        username = agent.get("username") or agent["agent_id"]
        row_data = {
            "username": username,
            "display_name": agent.get("display_name", ""),
            "agent_no": agent.get("agent_no"),
            "role": agent.get("role", "presale"),
            "queues": list(agent.get("queues") or []),
            "status": agent.get("status", "offline"),
        }
        if username not in known:
            demo_hash = demo_hash or passwords.hash_password(DEMO_PASSWORD)
            row_data["password_hash"] = demo_hash
        agents.append(row_data)
    # Live state (status, display name edits) belongs to the users once created.
    count(
        "users",
        _upsert(
            session,
            User,
            shop_id,
            "username",
            agents,
            keep=frozenset({"status", "display_name", "password_hash"}),
        ),
    )

    products = [
        {
            "product_id": p["product_id"],
            "title": p["title"],
            "category": p.get("category", "other"),
            "price": _money(p.get("price")),
            "attributes": dict(p.get("attributes") or {}),
            "size_chart": p.get("size_chart"),
            "description": p.get("description", ""),
            "weight_kg": Decimal(str(p["weight_kg"])) if p.get("weight_kg") is not None else None,
            "dims_cm": p.get("dims_cm"),
        }
        for p in demo.products
    ]
    count(
        "products",
        _upsert(session, Product, shop_id, "product_id", products, keep=frozenset({"weight_kg"})),
    )
    product_pks = dict(
        session.execute(
            select(Product.product_id, Product.id).where(Product.shop_id == shop_id)
        ).all()
    )
    skus = [
        {
            "product_id": product_pks[p["product_id"]],
            "sku": s["sku"],
            "category": p.get("category", "other"),
            "color": s.get("color", ""),
            "size": s.get("size", ""),
            "attributes": {
                k: v for k, v in (("颜色", s.get("color")), ("尺码", s.get("size"))) if v
            },
            "price": _money(s.get("price")),
            "stock": int(s.get("stock", 0)),
        }
        for p in demo.products
        for s in p.get("skus") or []
    ]
    # Stock moves with sales once the shop runs: a reload must not reset it.
    count("skus", _upsert(session, Sku, shop_id, "sku", skus, keep=frozenset({"stock"})))

    buyers = [
        {
            "buyer_id": b["buyer_id"],
            "platform": b.get("platform", "taobao"),
            "nickname": b.get("nickname", ""),
            "name": b.get("name", ""),
            "phone": b.get("phone", ""),
            "phone_masked": mask_phone(b.get("phone", "")),
            "addresses": list(b.get("addresses") or []),
            "tags": list(b.get("tags") or []),
            "notes": b.get("notes", ""),
            "vip_level": int(b.get("vip_level", 0)),
        }
        for b in demo.buyers
    ]
    # Tags and notes are the agents' own archive 客户档案 once the shop runs.
    count(
        "buyers",
        _upsert(session, Buyer, shop_id, "buyer_id", buyers, keep=frozenset({"tags", "notes"})),
    )

    for chunk in _chunks(_records(records.Order, demo.orders, shop)):
        c = imports.upsert_orders(session, shop_id, [(r, imports.record_hash(r)) for r in chunk])
        count("orders", (c.added, c.updated))
    for events in _chunks(_records(records.TrackingEvent, demo.tracking_events, shop)):
        c = imports.upsert_tracking_events(session, shop_id, events)
        count("tracking_events", (c.added, c.updated))
    agent_ids = dict(
        session.execute(select(User.username, User.id).where(User.shop_id == shop_id)).all()
    )
    for chats in _chunks(_records(records.Conversation, demo.conversations, shop)):
        c = imports.upsert_conversations(
            session, shop_id, [(r, imports.record_hash(r)) for r in chats], agent_ids
        )
        count("conversations", (c.added, c.updated))

    faqs = [
        {
            "faq_id": f["faq_id"],
            "question": f["question"],
            "answer": f["answer"],
            "category": f.get("category", "service"),
            "keywords": list(f.get("keywords") or []),
        }
        for f in demo.faqs
    ]
    count("faqs", _upsert(session, FaqArticle, shop_id, "faq_id", faqs))
    replies = [
        {
            "quick_reply_id": q["quick_reply_id"],
            "title": q.get("title", ""),
            "text": q["text"],
            "category": q.get("category", "welcome"),
            "shortcut": q.get("shortcut"),
        }
        for q in demo.quick_replies
    ]
    count("quick_replies", _upsert(session, QuickReply, shop_id, "quick_reply_id", replies))
    promotions = [
        {
            "promotion_id": p["promotion_id"],
            "title": p["title"],
            "kind": p.get("kind", "coupon"),
            "rule": p.get("rule", ""),
            "starts_at": _time(p.get("starts_at"), shop),
            "ends_at": _time(p.get("ends_at"), shop),
        }
        for p in demo.promotions
    ]
    count("promotions", _upsert(session, Promotion, shop_id, "promotion_id", promotions))
    session.flush()
    return summary


def _chunks(items: list[R]) -> Iterable[list[R]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
