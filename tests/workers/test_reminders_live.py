"""Reminders run by the durable scheduler: sent when due through the right channel, never
twice, never lost (a dead worker's claim is taken over), cancelled once paid; outcomes and
the success rate per agent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from opsfactory import SHOP, SHOP_ID, Clock, add_agent, add_chat, at, order_record, store_orders
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from kefu.db.base import utcnow
from kefu.db.models import Message, OpsTask, Order, Reminder, SmsOutbox, User
from kefu.services import jobs, orders_ops
from kefu.services import reminders as service
from kefu.workers.scheduler import Scheduler, WorkerConfig, claim_due


def arrive(engine: Engine, *records, now=None, online: frozenset[str] = frozenset()) -> list[int]:
    pks = store_orders(engine, *records)
    with Session(engine) as session, session.begin():
        orders_ops.on_orders_changed(
            session, SHOP_ID, pks, now=now or at("2026-11-20 10:16"), shop=SHOP,
            online_buyers=online,
        )  # fmt: skip
    return pks


def statuses(engine: Engine) -> list[tuple[str, int, str]]:
    with Session(engine) as session:
        rows = session.execute(
            select(Reminder.order_id, Reminder.seq, Reminder.status).order_by(
                Reminder.order_id, Reminder.seq
            )
        ).all()
    return [tuple(r) for r in rows]


def count(engine: Engine, model) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_nothing_is_sent_before_it_is_due(engine: Engine, scheduler: Scheduler, clock: Clock):
    arrive(engine, order_record("o1"))
    clock.now = at("2026-11-20 11:29:59")
    assert scheduler.run_until_idle().reminders == {}
    assert statuses(engine) == [("o1", 1, "pending")]


def test_due_reminders_go_out_through_their_channels(
    engine: Engine, scheduler: Scheduler, clock: Clock
) -> None:
    agent = add_agent(engine)
    add_chat(engine, "b-big", agent, at("2026-11-20 09:00"))
    arrive(
        engine,
        order_record("sms1"),  # 10:15 silent -> sms at 11:30
        order_record("big", buyer_id="b-big", amount=900.0),  # sms 11:30, phone 14:30
        order_record("online", buyer_id="b-on"),  # online buyer -> im at 10:25
        online=frozenset({"b-on"}),
    )
    clock.now = at("2026-11-20 14:30")
    result = scheduler.run_until_idle()
    assert result.reminders["sent"] == 4
    assert {s for *_, s in statuses(engine)} == {"sent"}
    with Session(engine) as session:
        outbox = {row.idempotency_key: row for row in session.scalars(select(SmsOutbox))}
        (message,) = session.scalars(select(Message))
        (task,) = session.scalars(select(OpsTask))
        by_order = {r.order_id + str(r.seq): r.id for r in session.scalars(select(Reminder))}
    assert set(outbox) == {f"reminder:{by_order['sms11']}", f"reminder:{by_order['big1']}"}
    assert all(row.phone == "13812345678" for row in outbox.values())
    assert all(row.text.startswith(SHOP.name) for row in outbox.values())
    assert result.sms_delivered == 2 and {r.status for r in outbox.values()} == {"sent"}
    assert message.sender == "bot" and "138****5678" in message.text  # the address check
    assert (task.kind, task.assignee_id, task.order_id) == ("phone_reminder", agent, "big")


def test_two_workers_never_send_twice(engine: Engine, clock: Clock) -> None:
    arrive(engine, *(order_record(f"o{i}") for i in range(30)))
    clock.now = at("2026-11-20 12:00")
    config = WorkerConfig(batch=7)
    a = Scheduler(engine, config, clock=clock, worker_id="a")
    b = Scheduler(engine, config, clock=clock, worker_id="b")
    total = 0
    for _ in range(10):
        total += a.run_reminders()["sent"] + b.run_reminders()["sent"]
    assert total == 30
    assert count(engine, SmsOutbox) == 30
    assert a.run_until_idle().reminders == {} == b.run_until_idle().reminders


def test_a_dead_workers_claim_is_taken_over_once(engine: Engine, clock: Clock) -> None:
    arrive(engine, order_record("o1"), order_record("o2"))
    clock.now = at("2026-11-20 12:00")
    # given a worker that claimed both reminders and died before sending
    with Session(engine) as session, session.begin():
        claimed = claim_due(
            session, Reminder, busy="sending", now=clock.now, limit=10,
            stale_after=timedelta(minutes=2), token="dead",
        )  # fmt: skip
    assert len(claimed) == 2
    fresh = Scheduler(engine, WorkerConfig(stale_after=timedelta(minutes=2)), clock=clock)
    # then, within the claim timeout, nobody else touches them
    clock.advance(seconds=60)
    assert fresh.run_reminders() == {}
    # after it, another worker sends them, once
    clock.advance(seconds=61)
    assert fresh.run_reminders()["sent"] == 2
    # and the dead worker, had it woken up, would find its claim gone and do nothing
    with Session(engine) as session, session.begin():
        outcomes = {service.dispatch_claimed(session, i, "dead", now=clock.now) for i in claimed}
    assert outcomes == {"lost"}
    assert count(engine, SmsOutbox) == 2


def test_paid_after_the_claim_sends_nothing(engine: Engine, clock: Clock) -> None:
    (pk,) = arrive(engine, order_record("o1"))
    clock.now = at("2026-11-20 12:00")
    with Session(engine) as session, session.begin():
        (rid,) = claim_due(
            session, Reminder, busy="sending", now=clock.now, limit=10,
            stale_after=timedelta(minutes=2), token="w1",
        )  # fmt: skip
    # the order is paid (an import, say) before the worker sends
    with Session(engine) as session, session.begin():
        session.execute(
            update(Order).where(Order.id == pk).values(status="paid", paid_at=clock.now)
        )
    with Session(engine) as session, session.begin():
        assert service.dispatch_claimed(session, rid, "w1", now=clock.now) == "cancelled"
    assert statuses(engine) == [("o1", 1, "cancelled")]
    assert count(engine, SmsOutbox) == 0


def test_cancelling_a_claimed_reminder_makes_its_worker_back_off(
    engine: Engine, clock: Clock
) -> None:
    (pk,) = arrive(engine, order_record("o1"))
    clock.now = at("2026-11-20 12:00")
    with Session(engine) as session, session.begin():
        (rid,) = claim_due(
            session, Reminder, busy="sending", now=clock.now, limit=10,
            stale_after=timedelta(minutes=2), token="w1",
        )  # fmt: skip
        assert service.cancel_order_reminders(session, pk, reason="paid", now=clock.now) == 1
    with Session(engine) as session, session.begin():
        assert service.dispatch_claimed(session, rid, "w1", now=clock.now) == "lost"
    assert count(engine, SmsOutbox) == 0


def test_a_reminder_found_long_past_due_expires(engine: Engine, clock: Clock, scheduler) -> None:
    arrive(engine, order_record("o1"))
    clock.now = at("2026-11-21 00:00")  # 12.5 h after 11:30
    assert scheduler.run_reminders() == {"expired": 1}
    with Session(engine) as session:
        (row,) = session.scalars(select(Reminder))
    assert (row.status, row.cancel_reason) == ("cancelled", "expired")


def test_sms_without_a_phone_goes_to_the_chat(engine: Engine, clock: Clock, scheduler) -> None:
    address = {
        "name": "李四",
        "phone": "",
        "province": "上海",
        "city": "上海市",
        "detail": "南京西路1号",
    }
    arrive(engine, order_record("o1", address=address))
    clock.now = at("2026-11-20 11:30")
    assert scheduler.run_reminders() == {"sent": 1}
    assert count(engine, SmsOutbox) == 0 and count(engine, Message) == 1


def test_outcome_and_success_rate_per_agent(engine: Engine, clock: Clock, scheduler) -> None:
    agent = add_agent(engine)
    for buyer in ("b1", "b2", "b3"):
        add_chat(engine, buyer, agent, at("2026-11-20 09:00"))
    pks = arrive(
        engine,
        order_record("p1", buyer_id="b1"),
        order_record("p2", buyer_id="b2"),
        order_record("p3", buyer_id="b3"),
    )
    clock.now = at("2026-11-20 11:30")
    assert scheduler.run_reminders() == {"sent": 3}
    with Session(engine) as session, session.begin():
        user = session.get(User, agent)
        assert user is not None
        _, r2, _ = session.scalars(select(Reminder).order_by(Reminder.order_id)).all()
        r2_id = r2.id
        with pytest.raises(service.OutcomeError, match="reason"):
            service.record_outcome(session, r2.id, agent=user, outcome="not_paid", now=clock.now)
        with pytest.raises(service.OutcomeError, match="outcome"):
            service.record_outcome(session, r2.id, agent=user, outcome="maybe", now=clock.now)
        service.record_outcome(
            session, r2.id, agent=user, outcome="not_paid", reason="payment_problem",
            expected_pay_at=at("2026-11-20 20:00"), note="花呗额度不够", now=clock.now,
        )  # fmt: skip
        # p1 paid 2 h after the reminder (a success), p2 paid 25 h after (not one)
        session.execute(
            update(Order).where(Order.id == pks[0]).values(paid_at=at("2026-11-20 13:30"))
        )
        session.execute(
            update(Order).where(Order.id == pks[1]).values(paid_at=at("2026-11-21 12:31"))
        )
    with Session(engine) as session:
        row = session.get(Reminder, r2_id)
        assert row is not None
        assert (row.outcome, row.outcome_reason, row.expected_pay_at) == (
            "not_paid",
            "payment_problem",
            at("2026-11-20 20:00"),
        )
        rates = service.success_rates(
            session, SHOP_ID, start=at("2026-11-20 00:00"), end=at("2026-11-21 00:00")
        )
    assert set(rates) == {agent}
    assert (rates[agent].reminded_orders, rates[agent].paid_orders) == (3, 1)
    assert rates[agent].rate == pytest.approx(1 / 3)


def test_outbox_delivery_retries_a_failing_provider(engine: Engine, clock: Clock) -> None:
    class Flaky:
        calls: list[str] = []

        def send(self, *, phone: str, text: str, idempotency_key: str) -> str:
            self.calls.append(idempotency_key)
            if len(self.calls) == 1:
                raise RuntimeError("gateway timeout")
            return "msg-1"

    provider = Flaky()
    arrive(engine, order_record("o1"))
    clock.now = at("2026-11-20 11:30")
    worker = Scheduler(engine, WorkerConfig(sms_provider=provider), clock=clock)
    worker.run_until_idle()
    with Session(engine) as session:
        (row,) = session.scalars(select(SmsOutbox))
    assert (row.status, row.attempts, row.provider_msg_id) == ("sent", 2, "msg-1")
    assert row.last_error == "gateway timeout"
    assert provider.calls == [row.idempotency_key] * 2  # same key: the gateway can dedupe


def test_recurring_jobs_keep_one_row_and_move_on(engine: Engine, clock: Clock, scheduler) -> None:
    store_orders(engine, order_record("o1"))
    scheduler.run_until_idle()
    clock.advance(hours=2)
    scheduler.ensure_recurring(force=True)
    scheduler.run_until_idle()
    from kefu.db.models import ProblemDigest, ScheduledJob

    with Session(engine) as session:
        jobs = {j.kind: j for j in session.scalars(select(ScheduledJob))}
        digests = session.scalars(select(ProblemDigest)).all()
    assert set(jobs) == {"digest", "logistics_sweep", "order_sync", "qa_sweep"}
    assert all(j.status == "pending" and j.due_at > clock.now for j in jobs.values())
    assert len(digests) == 1 and digests[0].counts == {}


def test_order_sync_finds_orders_changed_by_anyone(engine: Engine, clock: Clock) -> None:
    # given orders imported with no hook called (a connector that knows nothing of us)
    worker = Scheduler(engine, WorkerConfig(), worker_id="sync")  # the wall clock
    store_orders(engine, order_record("o1"), order_record("o2", amount=600.0))
    worker.ensure_recurring(force=True)
    with Session(engine) as session, session.begin():
        job = session.scalars(
            select(orders_ops.ScheduledJob).where(orders_ops.ScheduledJob.kind == "order_sync")
        ).one()
        job.payload = {**job.payload, "watermark": "2000-01-01T00:00:00+00:00"}
        job.due_at = job.due_at - timedelta(minutes=5)
        # the changes were committed a minute ago (the sync looks 30 s behind the clock)
        session.execute(update(Order).values(updated_at=utcnow() - timedelta(minutes=1)))
    worker.run_jobs()
    assert len(statuses(engine)) == 3  # o1: one reminder; o2 (≥ 500): two


def test_order_sync_catches_up_in_steps_across_equal_times(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given 5 orders imported in one batch (one `updated_at`), synced 2 at a time
    monkeypatch.setattr(orders_ops, "ORDER_SYNC_BATCH", 2)
    store_orders(engine, *(order_record(f"s{i}") for i in range(5)))
    stamp = at("2026-11-20 10:15")
    with Session(engine) as session, session.begin():
        session.execute(update(Order).values(updated_at=stamp))
        jobs.ensure_recurring(session, SHOP_ID, SHOP, stamp - timedelta(minutes=1))
    runs = []
    with Session(engine) as session, session.begin():
        job = session.scalars(
            select(orders_ops.ScheduledJob).where(orders_ops.ScheduledJob.kind == "order_sync")
        ).one()
        for minute in range(4):
            now = stamp + timedelta(minutes=1 + minute)
            runs.append(orders_ops.handle_order_sync(session, job, SHOP, now))
    assert runs == ["2 orders", "2 orders", "1 orders", "0 orders"]
    assert len(statuses(engine)) == 5
