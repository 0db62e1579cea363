"""The logistics watch: no first courier scan (fake-shipping warning, then dispute risk),
parcels that stop moving, returned or failed deliveries, and the check-in after delivery."""

from __future__ import annotations

from opsfactory import SHOP_ID, Clock, at, order_record, store_events, store_orders
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kefu.db.models import Message, OpsTask, ScheduledJob
from kefu.services import orders_ops, shops
from kefu.workers.scheduler import Scheduler

SHIPPED = {
    "status": "shipped",
    "paid_at": "2026-11-20T10:40:00+08:00",
    "shipped_at": "2026-11-20T15:00:00+08:00",
    "courier": "YTO",
    "tracking_no": "YT0001",
    "buyer_id": "b-ship",
}


def ship(engine: Engine, order_id: str = "s1", **changes) -> int:
    (pk,) = store_orders(engine, order_record(order_id, **{**SHIPPED, **changes}))
    with Session(engine) as session, session.begin():
        orders_ops.on_orders_changed(session, SHOP_ID, [pk], now=at("2026-11-20 15:01"))
    return pk


def event(status: str, when: str, tracking_no: str = "YT0001", order_id: str = "s1") -> dict:
    return {
        "tracking_no": tracking_no,
        "courier": "YTO",
        "order_id": order_id,
        "ts": when,
        "status": status,
        "location": "杭州转运中心",
        "desc": "",
    }


def task_kinds(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(OpsTask.kind).order_by(OpsTask.id)))


def test_no_scan_warns_at_24h_and_flags_dispute_risk_at_72h(
    engine: Engine, scheduler: Scheduler, clock: Clock
) -> None:
    ship(engine)
    clock.now = at("2026-11-21 14:59")
    scheduler.run_until_idle()
    assert task_kinds(engine) == []
    clock.now = at("2026-11-21 15:00")
    scheduler.run_until_idle()
    assert task_kinds(engine) == ["fake_shipping_warning"]
    clock.now = at("2026-11-23 15:00")
    scheduler.run_until_idle()
    assert task_kinds(engine) == ["fake_shipping_warning", "dispute_risk"]


def test_a_courier_scan_silences_the_no_scan_checks(
    engine: Engine, scheduler: Scheduler, clock: Clock
) -> None:
    ship(engine)
    store_events(engine, event("collected", "2026-11-20T18:00:00+08:00"))
    clock.now = at("2026-11-23 16:00")
    scheduler.run_until_idle()
    assert "fake_shipping_warning" not in task_kinds(engine)
    with Session(engine) as session:
        results = dict(
            session.execute(
                select(ScheduledJob.kind, ScheduledJob.result).where(
                    ScheduledJob.kind.in_(("no_scan_warn", "no_scan_risk"))
                )
            ).all()
        )
    assert results == {"no_scan_warn": "skipped: scanned", "no_scan_risk": "skipped: scanned"}


def test_a_stalled_parcel_gets_a_task_and_the_buyer_a_message_once(
    engine: Engine, clock: Clock
) -> None:
    ship(engine)
    store_events(
        engine,
        event("collected", "2026-11-20T18:00:00+08:00"),
        event("in_transit", "2026-11-21T08:00:00+08:00"),
    )
    with Session(engine) as session, session.begin():
        shop = shops.config(session, SHOP_ID)
        # 2 days 23 h without movement: not yet stalled (stalled_days = 3)
        assert orders_ops.check_shipments(session, SHOP_ID, shop, at("2026-11-24 07:00")) == 0
        assert orders_ops.check_shipments(session, SHOP_ID, shop, at("2026-11-24 08:00")) == 1
        assert orders_ops.check_shipments(session, SHOP_ID, shop, at("2026-11-24 09:00")) == 0
    assert task_kinds(engine) == ["logistics_stalled"]
    with Session(engine) as session:
        (message,) = session.scalars(select(Message))
    assert "YT0001" in message.text and message.sender == "bot"
    # it moves, then stalls again: a new task for the new stall
    store_events(engine, event("in_transit", "2026-11-24T10:00:00+08:00"))
    with Session(engine) as session, session.begin():
        shop = shops.config(session, SHOP_ID)
        assert orders_ops.check_shipments(session, SHOP_ID, shop, at("2026-11-27 10:00")) == 1


def test_returned_and_failed_deliveries_become_tasks_as_they_arrive(engine: Engine) -> None:
    ship(engine)
    ship(engine, "s2", tracking_no="YT0002", buyer_id="b2")
    store_events(
        engine,
        event("returned", "2026-11-21T09:00:00+08:00"),
        event("failed", "2026-11-21T10:00:00+08:00", tracking_no="YT0002", order_id="s2"),
    )
    with Session(engine) as session, session.begin():
        opened = orders_ops.on_tracking_events(
            session, SHOP_ID, ["YT0001", "YT0002"], now=at("2026-11-21 10:05")
        )
        again = orders_ops.on_tracking_events(
            session, SHOP_ID, ["YT0001", "YT0002"], now=at("2026-11-21 10:06")
        )
    assert (opened, again) == (2, 0)
    assert sorted(task_kinds(engine)) == ["logistics_failed", "logistics_returned"]
    with Session(engine) as session:
        texts = list(session.scalars(select(Message.text)))
    assert len(texts) == 1 and "派送没有成功" in texts[0]  # only the failed one tells the buyer


def test_delivery_event_schedules_the_checkin(engine: Engine, scheduler, clock: Clock) -> None:
    pk = ship(engine)
    store_events(engine, event("delivered", "2026-11-22T11:00:00+08:00"))
    with Session(engine) as session, session.begin():
        orders_ops.on_tracking_events(session, SHOP_ID, ["YT0001"], now=at("2026-11-22 11:01"))
    with Session(engine) as session:
        job = session.scalars(
            select(ScheduledJob).where(ScheduledJob.order_pk == pk, ScheduledJob.kind == "checkin")
        ).one()
    assert job.due_at == at("2026-11-25 11:00")
