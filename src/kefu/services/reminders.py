"""Payment reminders 催付, live (policies.md §1 "Running the reminders").

- `plan_order_reminders`: an unpaid order arriving gets the core plan stored as `reminders`
  rows (once: a re-import plans nothing new).
- `cancel_order_reminders`: the moment the order is paid or closed, its pending reminders
  (and any claimed but not yet sent) are cancelled.
- `dispatch_claimed`: sends one reminder a worker claimed. The reminder is marked `sent`
  and its effect (chat message, outbox SMS, phone task) written in ONE transaction, and
  only while the worker still holds the claim: a reminder is never sent twice, and a
  worker dying mid-send leaves a `sending` claim that another worker recovers (ADR 0002).
- `record_outcome`: the agent's outcome (paid / not, reason, expected pay time).
- `success_rates`: per agent, reminded orders paid within 24 h after a sent reminder.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kefu.core.errors import Conflict, InvalidInput, NotFound
from kefu.core.orders import plan_reminders, reminder_text
from kefu.core.records import Order as OrderRecord
from kefu.core.shopconfig import ShopConfig
from kefu.db.models import Order, Reminder, User
from kefu.db.models.reminders import OUTCOME_REASONS
from kefu.services import channels
from kefu.services.accounts import audit

log = logging.getLogger("kefu.reminders")

SUCCESS_WINDOW = timedelta(hours=24)  # policies.md §1: paid within 24 h after a sent reminder
OUTCOMES = ("paid", "not_paid")
LIVE = ("pending", "sending")  # not yet sent, still cancellable
# A reminder found this long past its time (the shop was down, an old order was imported)
# is not sent: "你还没付款" a day late reads as spam. It is kept as `cancelled`/`expired`.
EXPIRE_AFTER = timedelta(hours=12)


class OutcomeError(InvalidInput):
    """A bad outcome (unknown reason, reminder not sent); the message says which."""


def reminder_key(reminder_id: int) -> str:
    """The idempotency key of a reminder's effect (outbox row, chat message, task)."""
    return f"reminder:{reminder_id}"


def plan_order_reminders(
    session: Session,
    shop_id: str,
    shop: ShopConfig,
    order: Order,
    record: OrderRecord,
    *,
    agent_id: int | None = None,
) -> list[Reminder]:
    """Store the order's planned reminders unless it already has some (idempotent).

    `record` is the order as the core sees it (with `buyer_online` when the buyer has an
    open chat). `agent_id` is who calls for a `phone` reminder and who is credited.
    """
    plan = plan_reminders(record, shop)
    if not plan:
        return []
    already = session.scalar(select(Reminder.id).where(Reminder.order_pk == order.id).limit(1))
    if already is not None:
        return []
    rows = [
        Reminder(
            shop_id=shop_id,
            order_pk=order.id,
            order_id=order.order_id,
            seq=seq,
            channel=planned.channel,
            due_at=planned.at,
            status="pending",
            text=reminder_text(planned.channel, record, shop.name),
            agent_id=agent_id,
        )
        for seq, planned in enumerate(plan, start=1)
    ]
    session.add_all(rows)
    session.flush()
    return rows


def cancel_order_reminders(session: Session, order_pk: int, *, reason: str, now: datetime) -> int:
    """Cancel the order's reminders not yet sent; returns how many.

    A `sending` one is cancelled too: the worker holding it then fails its conditional
    "mark sent" and sends nothing.
    """
    result = session.execute(
        update(Reminder)
        .where(Reminder.order_pk == order_pk, Reminder.status.in_(LIVE))
        .values(status="cancelled", cancelled_at=now, cancel_reason=reason[:64], updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def dispatch_claimed(session: Session, reminder_id: int, token: str, *, now: datetime) -> str:
    """Send one reminder claimed with `token`; returns what happened (see `dispatch_batch`)."""
    return dispatch_batch(session, [reminder_id], token, now=now)[reminder_id]


def dispatch_batch(
    session: Session, reminder_ids: Sequence[int], token: str, *, now: datetime
) -> dict[int, str]:
    """Send the reminders claimed with `token`; returns each one's outcome.

    Call inside a transaction and commit after: the state changes and the effects commit
    together or not at all. Outcomes: `sent`; `cancelled` (the order is no longer unpaid);
    `expired` (found more than EXPIRE_AFTER past due); `lost` (the claim was taken over or
    the reminder cancelled meanwhile: nothing done for it).

    Set-wise, so a batch costs a few round trips, not a few per reminder: one read, one
    conditional UPDATE ... RETURNING that marks `sent` only what is still under our claim
    (on PostgreSQL it locks those rows, so a concurrent take-over of a stale claim waits
    for our commit and then finds them sent), one multi-row outbox INSERT; chat messages
    and phone tasks are written one by one.
    """
    outcomes = dict.fromkeys(reminder_ids, "lost")
    rows = session.execute(
        select(
            Reminder.id,
            Reminder.shop_id,
            Reminder.status,
            Reminder.claim_token,
            Reminder.channel,
            Reminder.text,
            Reminder.due_at,
            Reminder.agent_id,
            Order.id.label("order_pk"),
            Order.order_id,
            Order.status.label("order_status"),
            Order.buyer_id,
            Order.receiver_phone,
        )
        .outerjoin(Order, Order.id == Reminder.order_pk)
        .where(Reminder.id.in_(list(reminder_ids)))
    ).all()
    mine = [r for r in rows if r.status == "sending" and r.claim_token == token]
    to_cancel: dict[str, list[int]] = defaultdict(list)  # reason -> ids
    due = []
    for row in mine:
        if row.order_status != "unpaid":
            to_cancel[row.order_status or "deleted"].append(row.id)
        elif now - row.due_at > EXPIRE_AFTER:
            to_cancel["expired"].append(row.id)
        else:
            due.append(row)
    for reason, ids in to_cancel.items():
        for reminder_id in _take(session, ids, token, now, status="cancelled", reason=reason):
            outcomes[reminder_id] = "expired" if reason == "expired" else "cancelled"
    taken = set(_take(session, [r.id for r in due], token, now, status="sent"))
    outbox: list[dict[str, object]] = []
    for row in due:
        if row.id not in taken:
            continue
        outcomes[row.id] = "sent"
        key = reminder_key(row.id)
        phone = (row.receiver_phone or "").strip()
        if row.channel == "sms" and phone:
            outbox.append(
                channels.outbox_row(
                    shop_id=row.shop_id,
                    key=key,
                    phone=phone,
                    text=row.text,
                    now=now,
                    reminder_id=row.id,
                )  # fmt: skip
            )
        elif row.channel in ("sms", "im"):  # an SMS with no number goes to the chat instead
            channels.post_to_buyer_chat(
                session,
                shop_id=row.shop_id,
                buyer_id=row.buyer_id,
                order_id=row.order_id,
                text=row.text,
                key=key,
                now=now,
            )
        else:
            channels.create_task(
                session,
                shop_id=row.shop_id,
                key=key,
                kind="phone_reminder",
                title=f"电话催付 订单{row.order_id}",
                detail=row.text,
                order_pk=row.order_pk,
                order_id=row.order_id,
                assignee_id=row.agent_id,
                reminder_id=row.id,
                now=now,
            )
    channels.queue_sms_rows(session, outbox)
    return outcomes


def _take(
    session: Session,
    reminder_ids: Sequence[int],
    token: str,
    now: datetime,
    *,
    status: str,
    reason: str = "",
) -> list[int]:
    """Move reminders still `sending` under `token` to `status`; returns the ids moved."""
    if not reminder_ids:
        return []
    values: dict[str, object] = {"status": status, "updated_at": now}
    if status == "sent":
        values["sent_at"] = now
    else:
        values.update(cancelled_at=now, cancel_reason=reason[:64])
    return list(
        session.scalars(
            update(Reminder)
            .where(
                Reminder.id.in_(list(reminder_ids)),
                Reminder.status == "sending",
                Reminder.claim_token == token,
            )
            .values(**values)
            .returning(Reminder.id)
            .execution_options(synchronize_session=False)
        )
    )


def fail_claimed(session: Session, reminder_id: int, token: str, *, now: datetime, error: str):
    """Give up on a claimed reminder whose sending raised (kept visible as `failed`)."""
    session.execute(
        update(Reminder)
        .where(
            Reminder.id == reminder_id,
            Reminder.status == "sending",
            Reminder.claim_token == token,
        )
        .values(status="failed", cancel_reason=f"error: {error}"[:64], updated_at=now)
        .execution_options(synchronize_session=False)
    )


def record_outcome(
    session: Session,
    reminder_id: int,
    *,
    agent: User,
    outcome: str,
    reason: str | None = None,
    expected_pay_at: datetime | None = None,
    note: str = "",
    now: datetime,
) -> Reminder:
    """The agent's outcome of a sent reminder: `paid` or `not_paid`, and for not paid
    the reason (service | payment_problem | found_better | other) and when the buyer
    said they would pay. Audited."""
    reminder = session.get(Reminder, reminder_id)
    if reminder is None or reminder.shop_id != agent.shop_id:
        raise NotFound("not_found", "催付记录不存在")
    if reminder.status != "sent":
        raise Conflict("not_sent", f"这条催付还未发出（{reminder.status}），不能记录结果")
    if outcome not in OUTCOMES:
        raise OutcomeError("bad_outcome", f"outcome 须为 {'、'.join(OUTCOMES)} 之一")
    if outcome == "not_paid" and reason not in OUTCOME_REASONS:
        raise OutcomeError("bad_reason", f"reason 须为 {'、'.join(OUTCOME_REASONS)} 之一")
    if outcome == "paid" and reason is not None and reason not in OUTCOME_REASONS:
        raise OutcomeError("bad_reason", f"reason 须为 {'、'.join(OUTCOME_REASONS)} 之一")
    before = {"outcome": reminder.outcome, "outcome_reason": reminder.outcome_reason}
    reminder.outcome = outcome
    reminder.outcome_reason = reason
    reminder.expected_pay_at = expected_pay_at if outcome == "not_paid" else None
    reminder.outcome_note = note
    reminder.outcome_by_id = agent.id
    reminder.outcome_at = now
    audit(
        session,
        shop_id=reminder.shop_id,
        actor_id=agent.id,
        action="reminder.outcome",
        target=str(reminder_id),
        target_type="reminder",
        before=before,
        detail={"outcome": outcome, "reason": reason, "order_id": reminder.order_id},
        now=now,
    )
    session.flush()
    return reminder


@dataclass(frozen=True)
class SuccessRate:
    agent_id: int | None  # None: reminders nobody is credited with (no serving agent)
    reminded_orders: int
    paid_orders: int

    @property
    def rate(self) -> float | None:
        return self.paid_orders / self.reminded_orders if self.reminded_orders else None


def success_rates(
    session: Session, shop_id: str, *, start: datetime, end: datetime
) -> dict[int | None, SuccessRate]:
    """Per agent, over orders with a reminder sent in [start, end): how many were paid
    within 24 h after one of their sent reminders (policies.md §1). The agent credited is
    the one who recorded the outcome, else the one the reminder was planned for."""
    rows = session.execute(
        select(
            Reminder.order_pk,
            Reminder.sent_at,
            Reminder.outcome_by_id,
            Reminder.agent_id,
            Order.paid_at,
        )
        .join(Order, Order.id == Reminder.order_pk)
        .where(
            Reminder.shop_id == shop_id,
            Reminder.status == "sent",
            Reminder.sent_at >= start,
            Reminder.sent_at < end,
        )
    ).all()
    reminded: dict[int | None, set[int]] = defaultdict(set)
    paid: dict[int | None, set[int]] = defaultdict(set)
    for row in rows:
        agent = row.outcome_by_id if row.outcome_by_id is not None else row.agent_id
        reminded[agent].add(row.order_pk)
        if row.paid_at is not None and row.sent_at <= row.paid_at <= row.sent_at + SUCCESS_WINDOW:
            paid[agent].add(row.order_pk)
    return {
        agent: SuccessRate(agent, len(orders), len(paid[agent]))
        for agent, orders in reminded.items()
    }
