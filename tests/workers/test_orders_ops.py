"""Order operations when an order arrives or changes: reminders planned and cancelled,
follow-ups and deadline checks scheduled, tasks opened, problem-order flags stored."""

from __future__ import annotations

from decimal import Decimal

import pytest
from opsfactory import (
    SHOP,
    SHOP_ID,
    Clock,
    add_agent,
    add_chat,
    at,
    order_record,
    store_orders,
)
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kefu.core.orders import plan_reminders
from kefu.db.models import (
    AuditEntry,
    Message,
    OpsTask,
    Order,
    OrderFlag,
    OrderRemark,
    Reminder,
    ScheduledJob,
    User,
)
from kefu.services import orders_ops, shops
from kefu.services.accounts import PermissionDenied
from kefu.workers.scheduler import Scheduler


def changed(engine: Engine, pks: list[int], now) -> orders_ops.ChangeSummary:
    with Session(engine) as session, session.begin():
        return orders_ops.on_orders_changed(session, SHOP_ID, pks, now=now, shop=SHOP)


def reminders_of(engine: Engine, pk: int) -> list[Reminder]:
    with Session(engine) as session:
        return list(
            session.scalars(select(Reminder).where(Reminder.order_pk == pk).order_by(Reminder.seq))
        )


def jobs_of(engine: Engine, pk: int) -> dict[str, ScheduledJob]:
    with Session(engine) as session:
        return {
            j.kind: j
            for j in session.scalars(select(ScheduledJob).where(ScheduledJob.order_pk == pk))
        }


def tasks(engine: Engine, kind: str | None = None) -> list[OpsTask]:
    with Session(engine) as session:
        query = select(OpsTask).order_by(OpsTask.id)
        if kind:
            query = query.where(OpsTask.kind == kind)
        return list(session.scalars(query))


def test_unpaid_order_arriving_gets_the_core_plan_once(engine: Engine) -> None:
    # given a big unpaid order placed at 10:15 (morning slot; 500+ gets a second reminder)
    record = order_record("o1", amount=699.0)
    (pk,) = store_orders(engine, record)
    # when it arrives, twice (a re-import)
    first = changed(engine, [pk], at("2026-11-20 10:16"))
    second = changed(engine, [pk], at("2026-11-20 10:17"))
    # then the stored plan is the core's plan, stored once
    planned = reminders_of(engine, pk)
    expected = plan_reminders(record, SHOP)
    assert [(r.channel, r.due_at) for r in planned] == [(e.channel, e.at) for e in expected]
    assert [r.channel for r in planned] == ["sms", "phone"]
    assert planned[0].due_at == at("2026-11-20 11:30")
    assert first.reminders_planned == 2 and second.reminders_planned == 0
    assert planned[0].text.startswith(SHOP.name)  # the SMS starts with the shop name
    assert all(r.status == "pending" for r in planned)


def test_cod_and_paid_orders_get_no_reminders_and_cod_gets_a_confirmation_task(
    engine: Engine,
) -> None:
    pks = store_orders(
        engine,
        order_record("cod1", payment_method="cod"),
        order_record("paid1", status="paid", paid_at="2026-11-20T10:20:00+08:00"),
    )
    changed(engine, pks, at("2026-11-20 10:30"))
    assert reminders_of(engine, pks[0]) == [] and reminders_of(engine, pks[1]) == []
    (cod,) = tasks(engine, "cod_confirm")
    assert cod.order_id == "cod1" and cod.status == "open"


@pytest.mark.parametrize(("status", "reason"), [("paid", "paid"), ("closed", "closed")])
def test_reminders_are_cancelled_the_moment_the_order_is_paid_or_closed(
    engine: Engine, status: str, reason: str
) -> None:
    (pk,) = store_orders(engine, order_record("o2", amount=800.0))
    changed(engine, [pk], at("2026-11-20 10:16"))
    extra = {"paid_at": "2026-11-20T10:40:00+08:00"} if status == "paid" else {}
    store_orders(engine, order_record("o2", amount=800.0, status=status, **extra))
    summary = changed(engine, [pk], at("2026-11-20 10:41"))
    assert summary.reminders_cancelled == 2
    rows = reminders_of(engine, pk)
    assert {(r.status, r.cancel_reason) for r in rows} == {("cancelled", reason)}


def test_payment_schedules_confirmation_and_shipping_deadline_checks(engine: Engine) -> None:
    paid_at = at("2026-11-20 10:40")
    (pk,) = store_orders(engine, order_record("o3", status="paid", paid_at=paid_at.isoformat()))
    changed(engine, [pk], at("2026-11-20 10:41"))
    jobs = jobs_of(engine, pk)
    assert jobs["after_payment"].due_at == paid_at
    assert jobs["ship_risk"].due_at == at("2026-11-22 10:40")  # + ship_risk_hours (48)
    assert jobs["ship_late"].due_at == at("2026-11-23 10:40:01")  # just past 72 h


def test_presale_orders_have_no_shipping_deadline_jobs(engine: Engine) -> None:
    (pk,) = store_orders(
        engine,
        order_record("o4", status="paid", paid_at="2026-11-20T10:40:00+08:00", presale=True),
    )
    changed(engine, [pk], at("2026-11-20 10:41"))
    assert set(jobs_of(engine, pk)) == {"after_payment"}


def test_old_history_does_not_message_buyers(engine: Engine) -> None:
    # given an order paid and shipped a month ago, imported today
    (pk,) = store_orders(
        engine,
        order_record(
            "old",
            status="shipped",
            paid_at="2026-10-20T10:40:00+08:00",
            shipped_at="2026-10-21T10:40:00+08:00",
        ),
    )
    changed(engine, [pk], at("2026-11-20 10:41"))
    assert jobs_of(engine, pk) == {}


def test_late_shipment_alerts_the_owner_then_opens_a_compensation_task(
    engine: Engine, scheduler: Scheduler, clock: Clock
) -> None:
    agent = add_agent(engine)
    record = order_record(
        "o5", status="paid", paid_at="2026-11-20T10:40:00+08:00", amount=199.0, buyer_id="b5"
    )
    add_chat(engine, "b5", agent, at("2026-11-20 10:00"))
    (pk,) = store_orders(engine, record)
    changed(engine, [pk], at("2026-11-20 10:41"))
    # at 49 h after payment: the risk alert for the owner
    clock.now = at("2026-11-22 11:40")
    scheduler.run_until_idle()
    (risk,) = tasks(engine, "ship_late_risk")
    assert risk.assignee_id == agent and risk.status == "open"
    assert tasks(engine, "late_compensation") == []
    # past 72 h: compensation min(199 × 5 %, 30) = 9.95
    clock.now = at("2026-11-23 10:41")
    scheduler.run_until_idle()
    (comp,) = tasks(engine, "late_compensation")
    assert comp.amount == Decimal("9.95") and comp.assignee_id == agent
    with Session(engine) as session:
        codes = set(session.scalars(select(OrderFlag.code).where(OrderFlag.status == "open")))
    assert "SHIP_LATE" in codes and "SHIP_LATE_RISK" not in codes


def test_shipping_late_opens_a_capped_compensation_and_closes_the_risk_alert(
    engine: Engine,
) -> None:
    paid = {"paid_at": "2026-11-20T10:40:00+08:00", "amount": 2000.0}
    (pk,) = store_orders(engine, order_record("o6", status="paid", **paid))
    changed(engine, [pk], at("2026-11-20 10:41"))
    with Session(engine) as session, session.begin():
        job = session.scalars(select(ScheduledJob).where(ScheduledJob.kind == "ship_risk")).one()
        orders_ops.handle_ship_risk(session, job, SHOP, at("2026-11-22 11:00"))
    store_orders(
        engine,
        order_record("o6", status="shipped", shipped_at="2026-11-23T12:00:00+08:00", **paid),
    )
    changed(engine, [pk], at("2026-11-23 12:01"))
    (comp,) = tasks(engine, "late_compensation")
    assert comp.amount == Decimal("30.00")  # 5 % of 2000 is 100, capped at 30
    (risk,) = tasks(engine, "ship_late_risk")
    assert risk.status == "done" and risk.resolution == "shipped"
    jobs = jobs_of(engine, pk)
    assert jobs["ship_late"].status == "cancelled"
    assert jobs["after_shipping"].status == "pending"


def test_after_payment_message_is_masked_and_in_the_buyers_chat(
    engine: Engine, scheduler: Scheduler, clock: Clock
) -> None:
    (pk,) = store_orders(
        engine,
        order_record("o7", status="paid", paid_at="2026-11-20T10:40:00+08:00", buyer_id="b7"),
    )
    chat = add_chat(engine, "b7", None, at("2026-11-20 10:00"))
    changed(engine, [pk], at("2026-11-20 10:41"))
    clock.now = at("2026-11-20 10:42")
    scheduler.run_until_idle()
    with Session(engine) as session:
        (message,) = session.scalars(select(Message).where(Message.conversation_pk == chat))
    assert message.sender == "bot" and message.seq == 1
    assert "张*" in message.text and "138****5678" in message.text
    assert "13812345678" not in message.text and "张三" not in message.text
    assert "文三路123号" in message.text and "圆通" in message.text


def test_shop_templates_are_editable_by_a_manager_only(
    engine: Engine, scheduler: Scheduler, clock: Clock
) -> None:
    manager = add_agent(engine, "boss", "manager")
    presale = add_agent(engine, "kf01", "presale")
    with Session(engine) as session, session.begin():
        boss = session.get(User, manager)
        assert boss is not None
        orders_ops.set_template(
            session,
            SHOP_ID,
            "after_shipping",
            "{shop}：亲，{item}已由{courier}发出，单号{tracking_no}～",
            actor=boss,
            now=clock.now,
        )
        with pytest.raises(orders_ops.OpsError, match="占位符"):
            orders_ops.set_template(
                session, SHOP_ID, "checkin", "亲 {phone_number}", actor=boss, now=clock.now
            )
        clerk = session.get(User, presale)
        assert clerk is not None
        with pytest.raises(PermissionDenied):
            orders_ops.set_template(session, SHOP_ID, "checkin", "亲～", actor=clerk, now=clock.now)
    shipped = {
        "status": "shipped",
        "paid_at": "2026-11-20T10:40:00+08:00",
        "shipped_at": "2026-11-20T15:00:00+08:00",
        "tracking_no": "YT123",
    }
    (pk,) = store_orders(engine, order_record("o8", **shipped))
    with Session(engine) as session, session.begin():
        shop = shops.config(session, SHOP_ID)
        orders_ops.on_orders_changed(session, SHOP_ID, [pk], now=at("2026-11-20 15:01"), shop=shop)
    clock.now = at("2026-11-20 15:02")
    scheduler.run_until_idle()
    with Session(engine) as session:
        texts = list(session.scalars(select(Message.text)))
        audited = session.scalars(select(AuditEntry.action)).all()
    assert f"{SHOP.name}：亲，「纯棉圆领T恤 黑色 M」已由圆通速递发出，单号YT123～" in texts
    assert "shop.template" in audited


def test_checkin_three_days_after_delivery(
    engine: Engine, scheduler: Scheduler, clock: Clock
) -> None:
    signed = {
        "status": "signed",
        "paid_at": "2026-11-20T10:40:00+08:00",
        "shipped_at": "2026-11-20T15:00:00+08:00",
        "signed_at": "2026-11-22T09:00:00+08:00",
    }
    (pk,) = store_orders(engine, order_record("o9", **signed))
    changed(engine, [pk], at("2026-11-22 09:30"))
    assert jobs_of(engine, pk)["checkin"].due_at == at("2026-11-25 09:00")
    clock.now = at("2026-11-24 09:00")
    scheduler.run_until_idle()
    with Session(engine) as session:
        assert session.scalars(select(Message)).all() == []
    clock.now = at("2026-11-25 09:00")
    scheduler.run_until_idle()
    with Session(engine) as session:
        (message,) = session.scalars(select(Message))
    assert "好评" in message.text


def test_flags_are_stored_cleared_and_reopened(engine: Engine) -> None:
    hk = {"province": "香港", "city": "香港", "district": "", "detail": "九龙弥敦道100号"}
    record = order_record("hk1", address={"name": "陈大文", "phone": "91234567", **hk})
    (pk,) = store_orders(engine, record)
    summary = changed(engine, [pk], at("2026-11-20 10:16"))
    assert summary.flags[pk] == ["HMT_NON_SF"]
    agent = add_agent(engine, "kf02", "insale")
    with Session(engine) as session, session.begin():
        order = session.get(Order, pk)
        user = session.get(User, agent)
        assert order is not None and user is not None
        with pytest.raises(orders_ops.OpsError, match="SF"):
            orders_ops.set_courier(
                session, order, "ZTO", actor=user, shop=SHOP, now=at("2026-11-20 10:20")
            )
        orders_ops.set_courier(
            session, order, "SF", actor=user, shop=SHOP, now=at("2026-11-20 10:20")
        )
    with Session(engine) as session:
        (flag,) = session.scalars(select(OrderFlag))
    assert flag.status == "cleared" and flag.code == "HMT_NON_SF"
    # the platform then sends the order with another non-SF courier
    store_orders(engine, record.model_copy(update={"courier": "STO"}))
    changed(engine, [pk], at("2026-11-20 11:00"))
    with Session(engine) as session:
        (flag,) = session.scalars(select(OrderFlag))
    assert flag.status == "open" and flag.times_raised == 2


def test_multi_address_flags_both_orders_of_the_buyer(engine: Engine) -> None:
    other = {"name": "张三", "phone": "13812345678", "province": "江苏", "city": "南京市",
             "district": "鼓楼区", "detail": "中山路1号"}  # fmt: skip
    pks = store_orders(
        engine,
        order_record("m1", buyer_id="same"),
        order_record("m2", buyer_id="same", address=other),
    )
    summary = changed(engine, [pks[1]], at("2026-11-20 10:16"))
    assert summary.flags[pks[0]] == ["MULTI_ADDRESS"] == summary.flags[pks[1]]
    with Session(engine) as session:
        assert orders_ops.flag_counts(session, SHOP_ID) == {"MULTI_ADDRESS": 2}


def test_resolving_and_assigning_a_flag_needs_a_note_and_is_audited(engine: Engine) -> None:
    (pk,) = store_orders(engine, order_record("n1", buyer_note="请发顺丰"))
    changed(engine, [pk], at("2026-11-20 10:16"))
    agent = add_agent(engine, "kf03", "aftersale")
    with Session(engine) as session, session.begin():
        user = session.get(User, agent)
        assert user is not None
        (flag,) = session.scalars(select(OrderFlag))
        assert flag.code == "BUYER_NOTE"
        with pytest.raises(orders_ops.OpsError):
            orders_ops.resolve_flag(
                session, flag.id, actor=user, note="  ", now=at("2026-11-20 11:00")
            )
        orders_ops.assign_flag(
            session, flag.id, actor=user, assignee_id=agent, now=at("2026-11-20 11:00")
        )
        orders_ops.resolve_flag(
            session, flag.id, actor=user, note="已备注顺丰", now=at("2026-11-20 11:00")
        )
    with Session(engine) as session:
        (flag,) = session.scalars(select(OrderFlag))
        actions = set(session.scalars(select(AuditEntry.action)))
    assert (flag.status, flag.note, flag.resolved_by_id, flag.assignee_id) == (
        "resolved",
        "已备注顺丰",
        agent,
        agent,
    )
    assert {"order_flag.resolve", "order_flag.assign"} <= actions
    # a resolved flag that still fires stays resolved (a person said it is handled)
    changed(engine, [pk], at("2026-11-20 12:00"))
    with Session(engine) as session:
        assert session.scalars(select(OrderFlag.status)).one() == "resolved"


def test_digest_every_period_as_data_and_export(engine: Engine) -> None:
    pks = store_orders(
        engine,
        order_record("d1", buyer_note="加急"),
        order_record("d2", address={"province": "火星", "city": "", "detail": "x"}),
    )
    changed(engine, pks, at("2026-11-20 10:16"))
    with Session(engine, expire_on_commit=False) as session, session.begin():
        digest = orders_ops.generate_digest(session, SHOP_ID, SHOP, at("2026-11-20 11:00"))
        again = orders_ops.generate_digest(session, SHOP_ID, SHOP, at("2026-11-20 11:30"))
        assert again.id == digest.id  # one digest per period
        csv_text = orders_ops.digest_csv(digest, SHOP)
        rows = list(orders_ops.digest_rows(digest, SHOP))
    # 2-hour periods on the epoch grid: 08:00-10:00 Shanghai is [00:00, 02:00) UTC
    assert digest.period_end == at("2026-11-20 10:00")
    assert digest.counts == {"ADDRESS_INCOMPLETE": 1, "BUYER_NOTE": 1}
    assert {r["order_id"]: r["flags"] for r in rows} == {
        "d1": ["BUYER_NOTE"],
        "d2": ["ADDRESS_INCOMPLETE"],
    }
    assert rows[0]["since"].endswith("+08:00")
    assert (
        csv_text.splitlines()[0] == "order_id,flags,since" and "d2,ADDRESS_INCOMPLETE" in csv_text
    )


def test_remarks_with_flag_reason_author_and_time(engine: Engine, clock: Clock) -> None:
    (pk,) = store_orders(engine, order_record("r1"))
    agent = add_agent(engine, "kf04", "insale")
    with Session(engine) as session, session.begin():
        order, user = session.get(Order, pk), session.get(User, agent)
        assert order is not None and user is not None
        orders_ops.add_remark(
            session, order, actor=user, text="买家要求改地址", flag="red",
            reason="address_change", now=clock.now,
        )  # fmt: skip
        with pytest.raises(orders_ops.OpsError, match="旗帜"):
            orders_ops.add_remark(session, order, actor=user, text="x", flag="pink", now=clock.now)
    with Session(engine) as session:
        (remark,) = session.scalars(select(OrderRemark))
    assert (remark.flag, remark.reason, remark.author_id, remark.created_at) == (
        "red",
        "address_change",
        agent,
        clock.now,
    )
