"""The demo shop loads completely, and loading it again adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kefu.db.models import Buyer, Order, Product, Shop, Sku, TrackingEvent, User
from kefu.demo import DEMO_PASSWORD, generate_demo_shop
from kefu.services.demo import load_demo_shop
from kefu.services.passwords import verify_password


def test_demo_shop_loads_once(session: Session) -> None:
    demo = generate_demo_shop()

    first = load_demo_shop(session, demo)
    session.commit()
    second = load_demo_shop(session, demo)
    session.commit()

    assert first.added["users"] == len(demo.agents) > 0
    assert first.added["orders"] == len(demo.orders)
    assert second.one_line() == "nothing new"

    def count(model: type) -> int:
        return session.scalar(select(func.count()).select_from(model)) or 0

    assert count(Shop) == 1
    assert count(User) == len(demo.agents)
    assert count(Product) == len(demo.products)
    assert count(Sku) == sum(len(p["skus"]) for p in demo.products)
    assert count(Buyer) == len(demo.buyers)
    assert count(Order) == len(demo.orders)
    assert count(TrackingEvent) == len(demo.tracking_events)
    agent = session.scalars(select(User).order_by(User.username)).first()
    assert agent is not None and agent.agent_no
    assert verify_password(agent.password_hash, DEMO_PASSWORD)


def test_reload_keeps_what_the_shop_changed(session: Session) -> None:
    demo = generate_demo_shop()
    load_demo_shop(session, demo)
    sku = session.scalars(select(Sku).order_by(Sku.sku)).first()
    user = session.scalars(select(User).order_by(User.username)).first()
    assert sku is not None and user is not None
    sku.stock, user.password_hash = 12345, "changed"
    session.commit()

    load_demo_shop(session, demo)
    session.commit()

    session.refresh(sku)
    session.refresh(user)
    assert (sku.stock, user.password_hash) == (12345, "changed")
