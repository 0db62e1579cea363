"""The problem-order board 问题订单: what the API and the page read about stored flags.

The flags themselves are kept by `orders_ops.refresh_flags`; people act on them with
`orders_ops.resolve_flag` / `assign_flag` (both audited). This module only reads: the open
count per taxonomy code, a filtered list with the buyer masked (policies.md §5, a board is
seen by the whole after-sales team), and the latest digest's period for the export link.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

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
from kefu.core.privacy import mask_name, mask_phone
from kefu.db.models import Order, OrderFlag, ProblemDigest, User
from kefu.db.models.jobs import FLAG_STATUSES
from kefu.services.accounts import NotFound
from kefu.services.orders_ops import OpsError, flag_counts, latest_digest

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


def flag_view(flag: OrderFlag, order: Order) -> dict[str, Any]:
    return {
        "id": flag.id,
        "order_id": flag.order_id,
        "code": flag.code,
        "status": flag.status,
        "buyer": masked_buyer(order),
        "since": flag.raised_at,
        "assignee_id": flag.assignee_id,
        "resolved_at": flag.resolved_at,
        "note": flag.note or "",
    }


def problem_board(
    session: Session,
    shop_id: str,
    *,
    flag: str | None = None,
    status: str = "open",
    limit: int = BOARD_LIMIT,
) -> Board:
    """Counts per code (open flags) and the flags matching `flag`/`status`, oldest first."""
    if flag is not None and flag not in FLAG_CODES:
        raise OpsError(f"unknown flag {flag}")
    if status not in BOARD_STATUSES:
        raise OpsError(f"unknown status {status}")
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
    items = [flag_view(f, o) for f, o in session.execute(query).tuples()]
    return Board(counts=counts, items=items, digest=latest_digest(session, shop_id))


def find_flag(session: Session, actor: User, flag_id: int) -> tuple[OrderFlag, Order]:
    """The flag with its order, in the actor's shop only (another shop's is "not found")."""
    flag = session.get(OrderFlag, flag_id)
    order = session.get(Order, flag.order_pk) if flag is not None else None
    if flag is None or order is None or flag.shop_id != actor.shop_id:
        raise NotFound(str(flag_id))
    return flag, order
