"""Order operations, live: what happens when an order changes and as time passes.

`on_orders_changed` is the one entry point for a changed order, whoever changed it (an
import, the API, a platform connector; the worker's `order_sync` job also finds changes by
`updated_at`, so nothing is missed when a caller forgets). It is idempotent: every effect
is keyed (reminders by order and seq, jobs and tasks by `key`), so running it twice on the
same order changes nothing. It:
- plans payment reminders for an unpaid order and cancels them once it is paid or closed;
- schedules the follow-ups of policies.md §6 (address + courier confirmation after
  payment, shipping notice after shipping, check-in with a review invitation 3 days after
  delivery) and the deadline checks of §3 (at-risk alert, then a compensation task);
- schedules the logistics watch (no first courier scan after `no_scan_warn_hours` /
  `no_scan_risk_hours`) and opens a COD confirmation task;
- re-evaluates the problem-order flags (taxonomy.md) and stores them.

Job handlers (registered with `kefu.services.jobs`) run when a job falls due; each re-checks the order first, so a
check scheduled for an order that has since shipped does nothing.

Readings of the spec: follow-up messages are only scheduled for fresh events (within
`FRESH` of the payment, shipment or check-in time), so importing last month's history does
not message old buyers; the digest holds every open flag, counts per code and the flags
raised during the period.
"""

from __future__ import annotations

import csv
import io
import logging
import string
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from kefu.core import records
from kefu.core.errors import Conflict, InvalidInput, NotFound
from kefu.core.orders import assess_late_shipment, triage
from kefu.core.orders.late_shipment import ship_deadline
from kefu.core.orders.texts import full_address, item_label
from kefu.core.permissions import Permission
from kefu.core.privacy import mask_name, mask_phone
from kefu.core.regions import is_hmt
from kefu.core.shopconfig import ShopConfig
from kefu.core.timeutil import format_time, round_money, to_decimal
from kefu.core.vocabulary import Courier, label
from kefu.db.models import (
    OpsTask,
    Order,
    OrderFlag,
    OrderItem,
    OrderRemark,
    ProblemDigest,
    ScheduledJob,
    Shipment,
    Shop,
    Sku,
    TrackingEvent,
    User,
)
from kefu.db.models.orders import REMARK_FLAGS
from kefu.services import accounts, channels, jobs, reminders, shops
from kefu.services.accounts import audit

log = logging.getLogger("kefu.orders_ops")

FRESH = timedelta(hours=24)  # follow-up messages only for events this recent
CHECKIN_AFTER = timedelta(days=3)  # policies.md §6: 3 days after delivery
OPEN_STATUSES = ("unpaid", "paid")
SHIPPED_STATUSES = ("shipped", "signed", "completed")
IN_TRANSIT = ("collected", "in_transit", "out_for_delivery")
ORDER_SYNC_EVERY = 5  # seconds between two looks for changed orders
ORDER_SYNC_LAG = timedelta(seconds=30)  # a change committed late is still seen
ORDER_SYNC_BATCH = 2000  # orders handled per run (a big import is caught up in steps)
LOGISTICS_SWEEP_EVERY = 3600

TASK_KINDS = (
    "phone_reminder",  # 电话催付
    "cod_confirm",  # 货到付款确认
    "ship_late_risk",  # 发货超时预警: alert to the order's owner
    "late_compensation",  # 延迟发货赔付: pay the buyer `amount`
    "fake_shipping_warning",  # 虚假发货预警: no courier scan after no_scan_warn_hours
    "dispute_risk",  # 维权风险: no courier scan after no_scan_risk_hours
    "logistics_stalled",  # 物流停滞
    "logistics_returned",  # 退回
    "logistics_failed",  # 派送失败
)


# The shop's voice (seeds 000, 002): 亲, short, warm, never a promise it cannot keep.
# A shop overrides any of them in its config under "templates" (`set_template`).
DEFAULT_TEMPLATES: dict[str, str] = {
    "after_payment": (
        "亲，感谢您的支持～跟您核对一下收货信息：{receiver} {address}，"
        "默认发{courier}，地址或快递需要调整的话请尽快告诉我们哦😊"
    ),
    "after_shipping": (
        "亲，您的宝贝{item}已经发货啦～{courier}，运单号{tracking_no}，"
        "物流信息更新可能稍有延迟，请耐心等待哦😊"
    ),
    "checkin": (
        "亲，{item}收到几天了，用着还满意吗？有任何问题随时找我们哦～"
        "如果满意的话，麻烦给个五星好评，您的认可是我们最大的动力😊"
    ),
    "logistics_delay": (
        "亲，看到您的包裹（{courier} {tracking_no}）物流有几天没更新了，"
        "我们已经在联系快递核实，有进展马上告诉您，给您添麻烦了🙏"
    ),
    "logistics_failed": (
        "亲，您的包裹（{courier} {tracking_no}）派送没有成功，"
        "我们正在和快递联系重新派送，方便的话请留意一下电话哦🙏"
    ),
}
TEMPLATE_FIELDS = frozenset({"shop", "receiver", "address", "courier", "tracking_no", "item"})


class OpsError(InvalidInput):
    """A refused order action (bad template, courier not allowed, bad remark)."""


# --- reading orders -------------------------------------------------------------------------


def order_record(order: Order, items: Sequence[OrderItem]) -> records.Order:
    """The core's view of a stored order (formats.md record, unmasked)."""
    return records.Order.model_validate(
        {
            "order_id": order.order_id,
            "platform": order.platform,
            "buyer_id": order.buyer_id,
            "status": order.status,
            "created_at": order.created_at,
            "paid_at": order.paid_at,
            "shipped_at": order.shipped_at,
            "signed_at": order.signed_at,
            "amount": float(order.amount),
            "shipping_fee": float(order.shipping_fee or 0),
            "free_shipping": bool(order.free_shipping),
            "payment_method": order.payment_method or "online",
            "items": [
                {
                    "sku": i.sku,
                    "title": i.title,
                    "category": i.category,
                    "qty": i.qty,
                    "price": float(i.price or 0),
                }
                for i in items
            ],
            "address": {
                "name": order.receiver_name,
                "phone": order.receiver_phone,
                "province": order.province,
                "city": order.city,
                "district": order.district,
                "detail": order.address_detail,
            },
            "courier": order.courier,
            "tracking_no": order.tracking_no,
            "buyer_note": order.buyer_note,
            "presale": bool(order.presale),
            "customized": bool(order.customized),
            "address_changed_after_payment": bool(order.address_changed_after_payment),
        }
    )


def _load_orders(session: Session, pks: Iterable[int]) -> list[tuple[Order, list[OrderItem]]]:
    ids = sorted(set(pks))
    out: list[tuple[Order, list[OrderItem]]] = []
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        items: dict[int, list[OrderItem]] = defaultdict(list)
        for item in session.scalars(
            select(OrderItem).where(OrderItem.order_pk.in_(chunk)).order_by(OrderItem.line_no)
        ):
            items[item.order_pk].append(item)
        for order in session.scalars(select(Order).where(Order.id.in_(chunk)).order_by(Order.id)):
            out.append((order, items[order.id]))
    return out


def _shipped(order: Order) -> bool:
    return order.shipped_at is not None or order.status in SHIPPED_STATUSES


# --- jobs -----------------------------------------------------------------------------------


def cancel_order_jobs(session: Session, order_pk: int, kinds: Sequence[str], now: datetime) -> None:
    for job in session.scalars(
        select(ScheduledJob).where(
            ScheduledJob.order_pk == order_pk,
            ScheduledJob.kind.in_(kinds),
            ScheduledJob.status == "pending",
        )
    ):
        job.status = "cancelled"
        job.done_at = now
        job.result = "order changed"


# --- the order change hook ------------------------------------------------------------------


@dataclass
class ChangeSummary:
    orders: int = 0
    reminders_planned: int = 0
    reminders_cancelled: int = 0
    jobs_scheduled: int = 0
    tasks_opened: int = 0
    flags: dict[int, list[str]] = field(default_factory=dict)


def on_orders_changed(
    session: Session,
    shop_id: str,
    order_pks: Iterable[int],
    *,
    now: datetime,
    shop: ShopConfig | None = None,
    online_buyers: frozenset[str] = frozenset(),
) -> ChangeSummary:
    """React to new or changed orders (idempotent); call in the changing transaction or
    right after it commits. `online_buyers`: buyers with an active chat (their first
    reminder is the im address check)."""
    shop = shop or shops.config(session, shop_id)
    summary = ChangeSummary()
    loaded = _load_orders(session, order_pks)
    for order, items in loaded:
        summary.orders += 1
        record = order_record(order, items)
        if order.buyer_id in online_buyers:
            record = record.model_copy(update={"buyer_online": True})
        _react(session, shop_id, shop, order, record, now, summary)
    summary.flags = refresh_flags(session, shop_id, shop, now, [o.id for o, _ in loaded])
    return summary


def _react(
    session: Session,
    shop_id: str,
    shop: ShopConfig,
    order: Order,
    record: records.Order,
    now: datetime,
    summary: ChangeSummary,
) -> None:
    owner = channels.buyer_agent_id(session, shop_id, order.buyer_id)

    def job(kind: str, due_at: datetime, suffix: str = "") -> None:
        _, created = jobs.schedule(
            session,
            shop_id=shop_id,
            key=f"{kind}:{order.id}{suffix}",
            kind=kind,
            due_at=due_at,
            order_pk=order.id,
        )
        summary.jobs_scheduled += created

    def task(kind: str, title: str, **kw: Any) -> None:
        _, created = channels.create_task(
            session,
            shop_id=shop_id,
            key=f"{kind}:{order.id}",
            kind=kind,
            title=title,
            order_pk=order.id,
            order_id=order.order_id,
            assignee_id=owner,
            now=now,
            **kw,
        )
        summary.tasks_opened += created

    if order.status == "unpaid":
        summary.reminders_planned += len(
            reminders.plan_order_reminders(session, shop_id, shop, order, record, agent_id=owner)
        )
    else:
        reason = "closed" if order.status == "closed" else "paid"
        summary.reminders_cancelled += reminders.cancel_order_reminders(
            session, order.id, reason=reason, now=now
        )

    shipped = _shipped(order)
    if order.status == "paid" and not shipped:
        if order.paid_at is not None and now - order.paid_at <= FRESH:
            job("after_payment", order.paid_at)
        deadline = ship_deadline(record, shop)
        if deadline is not None and order.paid_at is not None:
            job("ship_risk", order.paid_at + timedelta(hours=shop.ship_risk_hours))
            job("ship_late", deadline + timedelta(seconds=1))  # late is "now > deadline"
    if order.payment_method == "cod" and not shipped and order.status in OPEN_STATUSES:
        task("cod_confirm", f"货到付款确认 订单{order.order_id}")

    if shipped:
        close_order_tasks(session, order.id, ("cod_confirm", "ship_late_risk"), "shipped", now)
        cancel_order_jobs(session, order.id, ("after_payment", "ship_risk", "ship_late"), now)
        verdict = assess_late_shipment(record, shop, now)
        if verdict.late and order.shipped_at is not None:
            _compensation_task(session, shop_id, order, verdict.compensation, owner, now)
        if order.status == "shipped" and order.shipped_at is not None:
            if now - order.shipped_at <= FRESH:
                job("after_shipping", order.shipped_at)
            watch = timedelta(hours=shop.logistics.no_scan_risk_hours)
            if now - order.shipped_at <= watch + FRESH:
                warn = timedelta(hours=shop.logistics.no_scan_warn_hours)
                job("no_scan_warn", order.shipped_at + warn)
                job("no_scan_risk", order.shipped_at + watch)
    if order.signed_at is not None and order.status in ("signed", "completed"):
        _schedule_checkin(session, shop_id, order, order.signed_at, now, summary)
    if order.status in ("closed", "refunding"):
        cancel_order_jobs(session, order.id, ("after_payment", "after_shipping", "checkin"), now)


def _schedule_checkin(
    session: Session,
    shop_id: str,
    order: Order,
    delivered_at: datetime,
    now: datetime,
    summary: ChangeSummary | None = None,
) -> None:
    due = delivered_at + CHECKIN_AFTER
    if now - due > FRESH:
        return
    _, created = jobs.schedule(
        session,
        shop_id=shop_id,
        key=f"checkin:{order.id}",
        kind="checkin",
        due_at=due,
        order_pk=order.id,
    )
    if summary is not None:
        summary.jobs_scheduled += created


def _compensation_task(
    session: Session,
    shop_id: str,
    order: Order,
    compensation: Decimal,
    owner: int | None,
    now: datetime,
) -> bool:
    amount = to_decimal(round_money(compensation))
    _, created = channels.create_task(
        session,
        shop_id=shop_id,
        key=f"late_compensation:{order.id}",
        kind="late_compensation",
        title=f"延迟发货赔付 订单{order.order_id}：{amount:.2f}元",
        detail="订单超过发货时限，按规则赔付买家",
        amount=amount,
        order_pk=order.id,
        order_id=order.order_id,
        assignee_id=owner,
        now=now,
    )
    return created


def close_order_tasks(
    session: Session, order_pk: int, kinds: Sequence[str], resolution: str, now: datetime
) -> None:
    for task in session.scalars(
        select(OpsTask).where(
            OpsTask.order_pk == order_pk, OpsTask.kind.in_(kinds), OpsTask.status == "open"
        )
    ):
        task.status = "done"
        task.done_at = now
        task.resolution = resolution


# --- templates ------------------------------------------------------------------------------


def templates(shop: ShopConfig) -> dict[str, str]:
    """The shop's message templates: the defaults, overridden by config `templates`."""
    own = (shop.model_extra or {}).get("templates") or {}
    return {**DEFAULT_TEMPLATES, **{k: v for k, v in own.items() if isinstance(v, str)}}


def check_template(key: str, text: str) -> None:
    if key not in DEFAULT_TEMPLATES:
        raise OpsError(
            "unknown_template", f"没有这个模板：{key}（可选 {'、'.join(DEFAULT_TEMPLATES)}）"
        )
    if not text.strip():
        raise OpsError("empty_template", "模板不能为空")
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise OpsError("bad_template", f"模板 {key} 格式不正确：{exc}") from None
    unknown = sorted(name for name in names if name not in TEMPLATE_FIELDS)
    if unknown:
        raise OpsError("bad_template", f"模板 {key} 含未知占位符 {{{unknown[0]}}}")


def set_template(
    session: Session, shop_id: str, key: str, text: str, *, actor: User, now: datetime
):
    """Change one of the shop's templates (managers, like any config change; audited)."""
    accounts.check(actor, Permission.ORDERS_TEMPLATES)
    check_template(key, text)
    shop = session.get(Shop, shop_id)
    if shop is None:
        raise NotFound("not_found", f"店铺不存在：{shop_id}")
    config = dict(shop.config or {})
    own = dict(config.get("templates") or {})
    before = own.get(key)
    own[key] = text
    config["templates"] = own
    shop.config = config  # a new dict: the JSON column notices the change
    audit(
        session,
        shop_id=shop_id,
        actor_id=actor.id,
        action="shop.template",
        target=key,
        target_type="shop",
        before={"text": before},
        detail={"text": text},
        now=now,
    )


def render(shop: ShopConfig, key: str, order: Order, items: Sequence[OrderItem]) -> str:
    """A template filled in for the order; name and phone masked (no QA_PRIVACY_LEAK)."""
    record = order_record(order, items)
    receiver = " ".join(
        p for p in (mask_name(order.receiver_name), mask_phone(order.receiver_phone)) if p
    )
    values = {
        "shop": shop.name,
        "receiver": receiver,
        "address": full_address(record),
        "courier": label(Courier, (order.courier or "").upper()) if order.courier else "默认快递",
        "tracking_no": order.tracking_no or "",
        "item": item_label(record),
    }
    text = templates(shop)[key]
    try:
        return text.format_map(values)
    except (KeyError, ValueError, IndexError):  # a broken shop template: fall back
        return DEFAULT_TEMPLATES[key].format_map(values)


def _message_order(
    session: Session, shop: ShopConfig, order: Order, key: str, now: datetime, job_key: str
) -> str:
    items = list(
        session.scalars(
            select(OrderItem).where(OrderItem.order_pk == order.id).order_by(OrderItem.line_no)
        )
    )
    message = channels.post_to_buyer_chat(
        session,
        shop_id=order.shop_id,
        buyer_id=order.buyer_id,
        order_id=order.order_id,
        text=render(shop, key, order, items),
        key=job_key,
        now=now,
    )
    return f"message {message.id}"


# --- job handlers ---------------------------------------------------------------------------


def _job_order(session: Session, job: ScheduledJob) -> Order | None:
    return session.get(Order, job.order_pk) if job.order_pk is not None else None


def handle_after_payment(
    session: Session, job: ScheduledJob, shop: ShopConfig, now: datetime
) -> str:
    order = _job_order(session, job)
    if order is None or order.status != "paid" or _shipped(order):
        return "skipped: no longer paid and unshipped"
    return _message_order(session, shop, order, "after_payment", now, job.key)


def handle_after_shipping(
    session: Session, job: ScheduledJob, shop: ShopConfig, now: datetime
) -> str:
    order = _job_order(session, job)
    if order is None or order.status not in SHIPPED_STATUSES:
        return "skipped: not shipped"
    return _message_order(session, shop, order, "after_shipping", now, job.key)


def handle_checkin(session: Session, job: ScheduledJob, shop: ShopConfig, now: datetime) -> str:
    order = _job_order(session, job)
    if order is None or order.status in ("closed", "refunding"):
        return "skipped: closed or refunding"
    return _message_order(session, shop, order, "checkin", now, job.key)


def _owner(session: Session, order: Order) -> int | None:
    return channels.buyer_agent_id(session, order.shop_id, order.buyer_id)


def handle_ship_risk(session: Session, job: ScheduledJob, shop: ShopConfig, now: datetime) -> str:
    """At `ship_risk_hours` after payment, still unshipped: alert the order's owner."""
    order = _job_order(session, job)
    if order is None or order.status != "paid" or _shipped(order) or order.paid_at is None:
        return "skipped: shipped or not paid"
    deadline = order.paid_at + timedelta(hours=shop.ship_within_hours)
    hours_left = max((deadline - now).total_seconds() / 3600, 0)
    _, created = channels.create_task(
        session,
        shop_id=order.shop_id,
        key=f"ship_late_risk:{order.id}",
        kind="ship_late_risk",
        title=f"发货超时预警 订单{order.order_id}：距发货时限还剩{hours_left:.0f}小时",
        order_pk=order.id,
        order_id=order.order_id,
        assignee_id=_owner(session, order),
        due_at=deadline,
        now=now,
    )
    refresh_flags(session, order.shop_id, shop, now, [order.id])
    return "alerted" if created else "already alerted"


def handle_ship_late(session: Session, job: ScheduledJob, shop: ShopConfig, now: datetime) -> str:
    """Past the deadline, still unshipped: a compensation task with the amount (§3)."""
    loaded = _load_orders(session, [job.order_pk] if job.order_pk is not None else [])
    if not loaded:
        return "skipped: no order"
    order, items = loaded[0]
    if _shipped(order):
        return "skipped: shipped"
    verdict = assess_late_shipment(order_record(order, items), shop, now)
    if not verdict.late:
        return "skipped: not late"
    created = _compensation_task(
        session, order.shop_id, order, verdict.compensation, _owner(session, order), now
    )
    refresh_flags(session, order.shop_id, shop, now, [order.id])
    return "compensation task" if created else "already has a compensation task"


def _has_scan(session: Session, order: Order) -> bool:
    conditions = [Shipment.order_pk == order.id]
    if order.tracking_no:
        conditions.append(Shipment.tracking_no == order.tracking_no)
    found = session.scalar(
        select(TrackingEvent.id)
        .join(Shipment, Shipment.id == TrackingEvent.shipment_id)
        .where(Shipment.shop_id == order.shop_id, or_(*conditions))
        .limit(1)
    )
    return found is not None


def _no_scan(kind: str, title: str):
    def handle(session: Session, job: ScheduledJob, shop: ShopConfig, now: datetime) -> str:
        order = _job_order(session, job)
        if order is None or order.status != "shipped":
            return "skipped: not in transit"
        if _has_scan(session, order):
            return "skipped: scanned"
        _, created = channels.create_task(
            session,
            shop_id=order.shop_id,
            key=f"{kind}:{order.id}",
            kind=kind,
            title=f"{title} 订单{order.order_id} 运单{order.tracking_no or '-'}",
            order_pk=order.id,
            order_id=order.order_id,
            assignee_id=_owner(session, order),
            now=now,
        )
        return "task" if created else "already a task"

    return handle


handle_no_scan_warn = _no_scan("fake_shipping_warning", "虚假发货预警：发货后无揽收记录")
handle_no_scan_risk = _no_scan("dispute_risk", "维权风险：发货后长时间无揽收记录")


def handle_logistics_sweep(
    session: Session, job: ScheduledJob, shop: ShopConfig, now: datetime
) -> str:
    found = check_shipments(session, job.shop_id, shop, now)
    return f"{found} new tasks"


def check_shipments(
    session: Session,
    shop_id: str,
    shop: ShopConfig,
    now: datetime,
    shipment_ids: Sequence[int] | None = None,
) -> int:
    """Stalled, returned and failed parcels become tasks (once per event), with a message
    to the buyer before they complain; a delivered one schedules the check-in."""
    stalled_before = now - timedelta(days=shop.logistics.stalled_days)
    proactive = bool((shop.logistics.model_extra or {}).get("proactive_message", True))
    query = select(Shipment).where(Shipment.shop_id == shop_id)
    if shipment_ids is not None:
        query = query.where(Shipment.id.in_(shipment_ids))
    else:
        query = query.where(
            or_(
                Shipment.status.in_(("returned", "failed", "delivered")),
                Shipment.last_event_at <= stalled_before,
            )
        )
    opened = 0
    for shipment in session.scalars(query):
        order = _shipment_order(session, shipment)
        if shipment.status == "delivered":
            if order is not None and order.signed_at is None and shipment.delivered_at:
                _schedule_checkin(session, shop_id, order, shipment.delivered_at, now)
            continue
        if shipment.status in ("returned", "failed"):
            kind = f"logistics_{shipment.status}"
            title = "包裹退回" if shipment.status == "returned" else "派送失败"
            stamp = int(shipment.last_event_at.timestamp()) if shipment.last_event_at else 0
            template = "logistics_failed" if shipment.status == "failed" else None
        elif (
            shipment.status in IN_TRANSIT
            and shipment.last_event_at is not None
            and shipment.last_event_at <= stalled_before
        ):
            kind, title, template = "logistics_stalled", "物流停滞", "logistics_delay"
            stamp = int(shipment.last_event_at.timestamp())
        else:
            continue
        key = f"{kind}:{shipment.id}:{stamp}"
        _, created = channels.create_task(
            session,
            shop_id=shop_id,
            key=key,
            kind=kind,
            title=f"{title} 运单{shipment.tracking_no} {shipment.last_location}".strip(),
            order_pk=order.id if order else None,
            order_id=shipment.order_id,
            assignee_id=_owner(session, order) if order else None,
            now=now,
        )
        opened += created
        if created and proactive and template and order is not None:
            _message_order(session, shop, order, template, now, f"notify:{key}")
    return opened


def _shipment_order(session: Session, shipment: Shipment) -> Order | None:
    if shipment.order_pk is not None:
        return session.get(Order, shipment.order_pk)
    found = None
    if shipment.order_id:
        found = session.scalars(
            select(Order).where(
                Order.shop_id == shipment.shop_id, Order.order_id == shipment.order_id
            )
        ).first()
    if found is None:
        found = session.scalars(
            select(Order).where(
                Order.shop_id == shipment.shop_id, Order.tracking_no == shipment.tracking_no
            )
        ).first()
    return found


def on_tracking_events(
    session: Session, shop_id: str, tracking_nos: Iterable[str], *, now: datetime
) -> int:
    """After tracking events came in (import or a courier adapter): react at once."""
    shop = shops.config(session, shop_id)
    ids = list(
        session.scalars(
            select(Shipment.id).where(
                Shipment.shop_id == shop_id, Shipment.tracking_no.in_(sorted(set(tracking_nos)))
            )
        )
    )
    return check_shipments(session, shop_id, shop, now, ids) if ids else 0


def handle_digest(session: Session, job: ScheduledJob, shop: ShopConfig, now: datetime) -> str:
    digest = generate_digest(session, job.shop_id, shop, now)
    return f"digest {digest.id}: {len(digest.items)} orders"


def handle_order_sync(session: Session, job: ScheduledJob, shop: ShopConfig, now: datetime) -> str:
    """Orders changed since the watermark (by `updated_at`) go through `on_orders_changed`.

    The window ends `ORDER_SYNC_LAG` before now, so a change whose transaction commits a
    little after its `updated_at` is still inside a later window. At most
    `ORDER_SYNC_BATCH` orders a run, in (`updated_at`, id) order: the watermark is that
    pair, since an import gives a whole batch of orders the same `updated_at`.
    """
    payload = job.payload or {}
    raw = payload.get("watermark")
    since = datetime.fromisoformat(raw) if raw else now - ORDER_SYNC_LAG
    since_id = int(payload.get("watermark_id") or 0)
    until = now - ORDER_SYNC_LAG
    if until <= since:
        return "nothing yet"
    rows = session.execute(
        select(Order.id, Order.updated_at)
        .where(
            Order.shop_id == job.shop_id,
            or_(Order.updated_at > since, and_(Order.updated_at == since, Order.id > since_id)),
            Order.updated_at <= until,
        )
        .order_by(Order.updated_at, Order.id)
        .limit(ORDER_SYNC_BATCH)
    ).all()
    if rows:
        on_orders_changed(session, job.shop_id, [r.id for r in rows], now=now, shop=shop)
    if len(rows) == ORDER_SYNC_BATCH:  # more to come: resume after the last one
        mark, mark_id = rows[-1].updated_at, rows[-1].id
    else:
        mark, mark_id = until, 0
    job.payload = {**payload, "watermark": mark.isoformat(), "watermark_id": mark_id}
    return f"{len(rows)} orders"


# The kinds this domain schedules (kefu.services.jobs): per order, and recurring per shop.
jobs.job("after_payment")(handle_after_payment)
jobs.job("after_shipping")(handle_after_shipping)
jobs.job("checkin")(handle_checkin)
jobs.job("ship_risk")(handle_ship_risk)
jobs.job("ship_late")(handle_ship_late)
jobs.job("no_scan_warn")(handle_no_scan_warn)
jobs.job("no_scan_risk")(handle_no_scan_risk)
jobs.job("logistics_sweep", every=lambda _shop: timedelta(seconds=LOGISTICS_SWEEP_EVERY))(
    handle_logistics_sweep
)
jobs.job("digest", every=lambda shop: timedelta(hours=shop.digest_every_hours), start="grid")(
    handle_digest
)
jobs.job(
    "order_sync",
    every=lambda _shop: timedelta(seconds=ORDER_SYNC_EVERY),
    first_payload=lambda now: {"watermark": now.isoformat()},
)(handle_order_sync)


# --- problem-order flags --------------------------------------------------------------------


def refresh_flags(
    session: Session,
    shop_id: str,
    shop: ShopConfig,
    now: datetime,
    order_pks: Iterable[int] | None = None,
) -> dict[int, list[str]]:
    """Triage the shop's open orders plus `order_pks` as one batch (stock and same-buyer
    addresses depend on the other open orders) and store the flags; returns pk -> flags."""
    open_pks = set(
        session.scalars(
            select(Order.id).where(Order.shop_id == shop_id, Order.status.in_(OPEN_STATUSES))
        )
    )
    loaded = _load_orders(session, open_pks | set(order_pks or ()))
    if not loaded:
        return {}
    stock = dict(session.execute(select(Sku.sku, Sku.stock).where(Sku.shop_id == shop_id)).all())
    found = triage([order_record(o, items) for o, items in loaded], shop, now, stock or None)
    result = {order.id: flags for (order, _), flags in zip(loaded, found, strict=True)}
    stored: dict[int, dict[str, OrderFlag]] = defaultdict(dict)
    pks = list(result)
    for start in range(0, len(pks), 1000):
        for row in session.scalars(
            select(OrderFlag).where(OrderFlag.order_pk.in_(pks[start : start + 1000]))
        ):
            stored[row.order_pk][row.code] = row
    for order, _ in loaded:
        firing = set(result[order.id])
        for code in firing:
            flag = stored[order.id].get(code)
            if flag is None:
                session.add(
                    OrderFlag(
                        shop_id=shop_id,
                        order_pk=order.id,
                        order_id=order.order_id,
                        code=code,
                        status="open",
                        raised_at=now,
                        last_seen_at=now,
                        created_at=now,
                        updated_at=now,
                    )
                )
            elif flag.status == "cleared":  # fires again: open again
                flag.status = "open"
                flag.raised_at = now
                flag.cleared_at = None
                flag.times_raised += 1
                flag.last_seen_at = now
            else:
                flag.last_seen_at = now
        for code, flag in stored[order.id].items():
            if code not in firing and flag.status != "cleared":
                flag.status = "cleared"
                flag.cleared_at = now
    session.flush()
    return result


def _flag(session: Session, flag_id: int, actor: User) -> OrderFlag:
    flag = session.get(OrderFlag, flag_id)
    if flag is None or flag.shop_id != actor.shop_id:
        raise NotFound("not_found", "问题订单不存在")
    return flag


def resolve_flag(
    session: Session, flag_id: int, *, actor: User, note: str, now: datetime
) -> OrderFlag:
    """A person closes a problem with a note (kept on the flag and in the audit log)."""
    if not note.strip():
        raise OpsError("note_required", "请填写处理说明")
    flag = _flag(session, flag_id, actor)
    before = {"status": flag.status}
    flag.status = "resolved"
    flag.resolved_by_id = actor.id
    flag.resolved_at = now
    flag.note = note.strip()
    audit(
        session,
        shop_id=flag.shop_id,
        actor_id=actor.id,
        action="order_flag.resolve",
        target=f"{flag.order_id}:{flag.code}",
        target_type="order",
        before=before,
        detail={"status": "resolved", "note": flag.note},
        now=now,
    )
    return flag


def assign_flag(
    session: Session, flag_id: int, *, actor: User, assignee_id: int | None, now: datetime
) -> OrderFlag:
    flag = _flag(session, flag_id, actor)
    if assignee_id is not None:
        assignee = session.get(User, assignee_id)
        if assignee is None or assignee.shop_id != flag.shop_id:
            raise OpsError("bad_assignee", "店铺中没有这位客服")
    before = {"assignee_id": flag.assignee_id}
    flag.assignee_id = assignee_id
    audit(
        session,
        shop_id=flag.shop_id,
        actor_id=actor.id,
        action="order_flag.assign",
        target=f"{flag.order_id}:{flag.code}",
        target_type="order",
        before=before,
        detail={"assignee_id": assignee_id},
        now=now,
    )
    return flag


def flag_counts(session: Session, shop_id: str) -> dict[str, int]:
    """Open problem orders per flag code (the board's header)."""
    rows = session.execute(
        select(OrderFlag.code, func.count())
        .where(OrderFlag.shop_id == shop_id, OrderFlag.status == "open")
        .group_by(OrderFlag.code)
    ).all()
    return dict(sorted(rows))


# --- the digest -----------------------------------------------------------------------------


def generate_digest(
    session: Session, shop_id: str, shop: ShopConfig, now: datetime
) -> ProblemDigest:
    """The after-sales digest for the period ending now (one per period: a second call in
    the same period returns the first). Flags are refreshed first, since SHIP_LATE_RISK and
    SHIP_LATE change with time alone."""
    every = timedelta(hours=shop.digest_every_hours)
    end = jobs.grid_after(now, every) - every if every.total_seconds() > 0 else now
    if end > now:
        end = now
    start = end - every
    existing = session.scalars(
        select(ProblemDigest).where(
            ProblemDigest.shop_id == shop_id, ProblemDigest.period_start == start
        )
    ).first()
    if existing is not None:
        return existing
    refresh_flags(session, shop_id, shop, now)
    open_flags = list(
        session.scalars(
            select(OrderFlag)
            .where(OrderFlag.shop_id == shop_id, OrderFlag.status == "open")
            .order_by(OrderFlag.raised_at, OrderFlag.order_id, OrderFlag.code)
        )
    )
    counts: dict[str, int] = defaultdict(int)
    new_counts: dict[str, int] = defaultdict(int)
    by_order: dict[str, dict[str, Any]] = {}
    for flag in open_flags:
        counts[flag.code] += 1
        if flag.raised_at >= start:
            new_counts[flag.code] += 1
        entry = by_order.setdefault(
            flag.order_id,
            {"order_id": flag.order_id, "flags": [], "since": flag.raised_at.isoformat()},
        )
        entry["flags"].append(flag.code)
    items = sorted(by_order.values(), key=lambda e: (e["since"], e["order_id"]))
    for entry in items:
        entry["flags"].sort()
    digest = ProblemDigest(
        shop_id=shop_id,
        period_start=start,
        period_end=end,
        generated_at=now,
        counts=dict(sorted(counts.items())),
        new_counts=dict(sorted(new_counts.items())),
        items=items,
    )
    session.add(digest)
    session.flush()
    return digest


def latest_digest(session: Session, shop_id: str) -> ProblemDigest | None:
    return session.scalars(
        select(ProblemDigest)
        .where(ProblemDigest.shop_id == shop_id)
        .order_by(ProblemDigest.period_start.desc())
        .limit(1)
    ).first()


def digest_rows(digest: ProblemDigest, shop: ShopConfig) -> Iterator[dict[str, Any]]:
    """The digest as JSON Lines rows: one per problem order, times with the shop offset."""
    for entry in digest.items:
        since = datetime.fromisoformat(entry["since"])
        yield {
            "order_id": entry["order_id"],
            "flags": list(entry["flags"]),
            "since": format_time(since, shop.tz),
            "period_end": format_time(digest.period_end, shop.tz),
        }


def digest_csv(digest: ProblemDigest, shop: ShopConfig) -> str:
    """The digest as CSV for the after-sales team (订单号, 问题, 发现时间)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["order_id", "flags", "since"])
    for row in digest_rows(digest, shop):
        writer.writerow([row["order_id"], " ".join(row["flags"]), row["since"]])
    return out.getvalue()


# --- remarks, courier, tasks ----------------------------------------------------------------


def add_remark(
    session: Session,
    order: Order,
    *,
    actor: User,
    text: str,
    flag: str | None = None,
    reason: str = "",
    now: datetime,
) -> OrderRemark:
    """A seller remark 备注 with the platform's colour flag 旗帜, the reason, who and when."""
    if not text.strip():
        raise OpsError("note_required", "备注内容不能为空")
    if flag is not None and flag not in REMARK_FLAGS:
        raise OpsError("bad_flag", f"旗帜须为 {'、'.join(REMARK_FLAGS)} 之一")
    if order.shop_id != actor.shop_id:
        raise NotFound("not_found", "订单不存在")
    remark = OrderRemark(
        shop_id=order.shop_id,
        order_pk=order.id,
        text=text.strip(),
        flag=flag,
        reason=reason[:64],
        author_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(remark)
    audit(
        session,
        shop_id=order.shop_id,
        actor_id=actor.id,
        action="order.remark",
        target=order.order_id,
        target_type="order",
        detail={"text": remark.text, "flag": flag, "reason": reason},
        now=now,
    )
    session.flush()
    return remark


def set_courier(
    session: Session, order: Order, courier: str, *, actor: User, shop: ShopConfig, now: datetime
) -> Order:
    """Choose the order's courier; 港澳台 ship by `hmt_courier` (SF) only (policies §4)."""
    code = courier.strip().upper()
    if code not in records.COURIERS:
        raise OpsError("unknown_courier", f"店铺未配置该快递：{courier}")
    if is_hmt(order.province) and code != shop.hmt_courier.strip().upper():
        raise OpsError("hmt_courier", f"港澳台订单只能发{shop.hmt_courier}")
    before = {"courier": order.courier}
    order.courier = code
    order.updated_at = now
    audit(
        session,
        shop_id=order.shop_id,
        actor_id=actor.id,
        action="order.courier",
        target=order.order_id,
        target_type="order",
        before=before,
        detail={"courier": code},
        now=now,
    )
    on_orders_changed(session, order.shop_id, [order.id], now=now, shop=shop)
    return order


def complete_task(
    session: Session, task_id: int, *, actor: User, resolution: str, now: datetime
) -> OpsTask:
    task = session.get(OpsTask, task_id)
    if task is None or task.shop_id != actor.shop_id:
        raise NotFound("not_found", "任务不存在")
    if task.status != "open":
        raise Conflict("conflict", f"该任务已是{task.status}状态")
    task.status = "done"
    task.done_at = now
    task.done_by_id = actor.id
    task.resolution = resolution
    audit(
        session,
        shop_id=task.shop_id,
        actor_id=actor.id,
        action="task.done",
        target=str(task_id),
        target_type="task",
        detail={"kind": task.kind, "resolution": resolution},
        now=now,
    )
    return task
