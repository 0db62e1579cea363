"""The problem-order board 问题订单: what the API and the page read about stored flags.

The flags themselves are kept by `orders_ops.refresh_flags`; people act on them with
`orders_ops.resolve_flag` / `assign_flag` (both audited). This module reads: the open
count per taxonomy code, a filtered list, and the latest digest's period for the export
link.

The buyer on a row (policies.md §5): name and phone in full for supervisors and above, and
for an agent on the rows of buyers whose open conversation that agent holds (the rule of
`workspace.may_see_contact`, asked here for all the rows at once); masked (`张* 138****5678`)
for everyone else. A board showing any buyer in full writes one audit row
(`buyer.contact_viewed`, the buyers shown), as the workspace's buyer panel does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kefu.core.errors import NotFound
from kefu.core.orders.triage import (
    ADDRESS_CHANGED,
    ADDRESS_INCOMPLETE,
    BUYER_NOTE,
    COD_CONFIRM,
    FREE_SHIPPING_INELIGIBLE,
    HMT_NON_SF,
    MULTI_ADDRESS,
    OUT_OF_AREA,
    OUT_OF_STOCK,
    SHIP_LATE,
    SHIP_LATE_RISK,
)
from kefu.core.permissions import Permission, has_permission
from kefu.core.privacy import mask_name, mask_phone
from kefu.core.shopconfig import ShopConfig
from kefu.core.timeutil import format_time
from kefu.db.base import utcnow
from kefu.db.models import Conversation, Order, OrderFlag, ProblemDigest, User
from kefu.db.models.jobs import FLAG_STATUSES
from kefu.services import accounts
from kefu.services.orders_ops import OpsError, digest_rows, flag_counts, latest_digest
from kefu.services.workspace import OPEN_STATUSES as OPEN_CONVERSATIONS

# taxonomy.md's problem-order flags, in the spec's order (the board's columns).
FLAG_CODES = (
    MULTI_ADDRESS,
    ADDRESS_INCOMPLETE,
    OUT_OF_AREA,
    HMT_NON_SF,
    OUT_OF_STOCK,
    FREE_SHIPPING_INELIGIBLE,
    BUYER_NOTE,
    COD_CONFIRM,
    SHIP_LATE_RISK,
    SHIP_LATE,
    ADDRESS_CHANGED,
)
BOARD_STATUSES = (*FLAG_STATUSES, "all")
BOARD_LIMIT = 500  # rows shown; the counts are always complete


@dataclass
class Board:
    counts: dict[str, int]  # open flags per code, every code present
    items: list[dict[str, Any]] = field(default_factory=list)
    digest: ProblemDigest | None = None


def masked_buyer(order: Order) -> str:
    """`张*  138****5678`: enough to recognise the buyer, not to contact them."""
    parts = [mask_name(order.receiver_name), mask_phone(order.receiver_phone)]
    return " ".join(p for p in parts if p) or "—"


def full_buyer(order: Order) -> str:
    parts = [" ".join((order.receiver_name or "").split()), (order.receiver_phone or "").strip()]
    return " ".join(p for p in parts if p) or "—"


def flag_view(flag: OrderFlag, order: Order, *, unmasked: bool = False) -> dict[str, Any]:
    return {
        "id": flag.id,
        "order_id": flag.order_id,
        "code": flag.code,
        "status": flag.status,
        "buyer": full_buyer(order) if unmasked else masked_buyer(order),
        "buyer_masked": not unmasked,
        "since": flag.raised_at,
        "assignee_id": flag.assignee_id,
        "resolved_at": flag.resolved_at,
        "note": flag.note or "",
    }


def contact_visible(session: Session, viewer: User | None, buyer_ids: Iterable[str]) -> set[str]:
    """The buyers among `buyer_ids` whose contact `viewer` may see in full (policies.md §5):
    all of them from supervisor up; for an agent, those whose open conversation the agent
    holds (one query for the whole board, the rule of `workspace.may_see_contact`)."""
    wanted = set(buyer_ids)
    if viewer is None or not wanted:
        return set()
    if has_permission(viewer.role, Permission.CONTACT_UNMASKED):
        return wanted
    held = session.scalars(
        select(Conversation.buyer_id)
        .where(
            Conversation.shop_id == viewer.shop_id,
            Conversation.status.in_(OPEN_CONVERSATIONS),
            or_(Conversation.assignee_id == viewer.id, Conversation.agent_id == viewer.username),
        )
        .distinct()
    )
    return wanted & set(held)


def viewed_rows(
    session: Session,
    viewer: User | None,
    rows: list[tuple[OrderFlag, Order]],
    *,
    now: datetime,
    where: str,
) -> list[dict[str, Any]]:
    """Board rows as `viewer` may see them; any buyer shown in full is audited (one row)."""
    visible = contact_visible(session, viewer, (o.buyer_id for _, o in rows))
    shown = sorted(
        {
            o.buyer_id
            for _, o in rows
            if o.buyer_id in visible and (o.receiver_name or o.receiver_phone)
        }
    )
    if viewer is not None and shown:
        accounts.audit(
            session,
            shop_id=viewer.shop_id,
            actor_id=viewer.id,
            action="buyer.contact_viewed",
            target=where,
            target_type="order_board",
            detail={"fields": ["name", "phone"], "buyers": shown},
            now=now,
        )
    return [flag_view(f, o, unmasked=o.buyer_id in visible) for f, o in rows]


def problem_board(
    session: Session,
    shop_id: str,
    *,
    flag: str | None = None,
    status: str = "open",
    limit: int = BOARD_LIMIT,
    viewer: User | None = None,
    now: datetime | None = None,
) -> Board:
    """Counts per code (open flags) and the flags matching `flag`/`status`, oldest first.

    Buyers are shown as `viewer` may see them (masked for all without a viewer)."""
    check_flag(flag)
    if status not in BOARD_STATUSES:
        raise OpsError("bad_filter", f"未知的状态：{status}")
    counts = {code: 0 for code in FLAG_CODES}
    counts.update(flag_counts(session, shop_id))
    query = (
        select(OrderFlag, Order)
        .join(Order, Order.id == OrderFlag.order_pk)
        .where(OrderFlag.shop_id == shop_id)
        .order_by(OrderFlag.raised_at, OrderFlag.order_id, OrderFlag.code)
        .limit(limit)
    )
    if flag is not None:
        query = query.where(OrderFlag.code == flag)
    if status != "all":
        query = query.where(OrderFlag.status == status)
    rows = [(f, o) for f, o in session.execute(query)]
    where = f"problems?flag={flag or ''}&status={status}"
    items = viewed_rows(session, viewer, rows, now=now or utcnow(), where=where)
    return Board(counts=counts, items=items, digest=latest_digest(session, shop_id))


def find_flag(session: Session, actor: User, flag_id: int) -> tuple[OrderFlag, Order]:
    """The flag with its order, in the actor's shop only (another shop's is "not found")."""
    flag = session.get(OrderFlag, flag_id)
    order = session.get(Order, flag.order_pk) if flag is not None else None
    if flag is None or order is None or flag.shop_id != actor.shop_id:
        raise NotFound("not_found", "问题订单不存在")
    return flag, order


# --- the digest export (API `/digest` and `kefu orders digest`) -----------------------------


def check_flag(flag: str | None) -> None:
    if flag is not None and flag not in FLAG_CODES:
        raise OpsError("bad_filter", f"未知的问题类型：{flag}")


def digest_export(
    session: Session, shop_id: str, *, flag: str | None = None
) -> ProblemDigest | None:
    """The shop's latest digest, or None before the first one; with `flag`, restricted to
    the orders carrying that flag (the counts stay the whole digest's).

    The restricted digest is a copy that is never added to the session. The digest names
    orders and flags only, no buyer contact data, so it needs no masking (policies.md §5).
    """
    check_flag(flag)
    digest = latest_digest(session, shop_id)
    if digest is None or flag is None:
        return digest
    return ProblemDigest(
        shop_id=digest.shop_id,
        period_start=digest.period_start,
        period_end=digest.period_end,
        generated_at=digest.generated_at,
        counts=dict(digest.counts),
        new_counts=dict(digest.new_counts),
        items=[entry for entry in digest.items if flag in entry["flags"]],
    )


def digest_document(digest: ProblemDigest, shop: ShopConfig) -> dict[str, Any]:
    """The digest as one JSON object: period, counts per code, one row per problem order."""
    return {
        "period_start": format_time(digest.period_start, shop.tz),
        "period_end": format_time(digest.period_end, shop.tz),
        "generated_at": format_time(digest.generated_at, shop.tz),
        "counts": digest.counts,
        "new_counts": digest.new_counts,
        "items": list(digest_rows(digest, shop)),
    }


def digest_filename(digest: ProblemDigest, shop: ShopConfig) -> str:
    """`problem-digest-20261125-1200.csv`: named by the end of its period, shop time."""
    stamp = digest.period_end.astimezone(shop.tz).strftime("%Y%m%d-%H%M")
    return f"problem-digest-{stamp}.csv"
