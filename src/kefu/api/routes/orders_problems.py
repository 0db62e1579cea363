"""`/api/v1/orders/problems`: the problem-order board 问题订单 (insale role and above).

Counts per taxonomy flag and a filtered list, resolve with a note and assign (both audited
by `orders_ops`), and the latest after-sales digest as JSON or a CSV download. Buyers on
the rows are shown as policies.md §5 lets the caller see them (`orders_board`): in full
for supervisors and above, audited; masked for agents, except buyers whose open
conversation they hold.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import Field
from sqlalchemy.orm import Session

from kefu.api.schemas import Input
from kefu.core.errors import NotFound
from kefu.core.permissions import Permission
from kefu.core.shopconfig import ShopConfig
from kefu.core.timeutil import format_time
from kefu.db.models import Order, OrderFlag, User
from kefu.http.deps import MAX_ROW_ID, Db, Now, RowId, require
from kefu.services import orders_board, orders_ops, shops

router = APIRouter(prefix="/api/v1/orders/problems", tags=["orders"])

Board = Annotated[User, require(Permission.ORDERS_PROBLEM_BOARD)]


class ResolveIn(Input):
    note: str = Field(max_length=2000)


class AssignIn(Input):
    assignee_id: int | None = Field(ge=1, le=MAX_ROW_ID)


def _time(value: datetime | None, shop: ShopConfig) -> str | None:
    return format_time(value, shop.tz) if value is not None else None


def flag_out(view: dict[str, Any], shop: ShopConfig) -> dict[str, Any]:
    """A board row for JSON: times with the shop's offset (formats.md)."""
    return {
        **view,
        "since": _time(view["since"], shop),
        "resolved_at": _time(view["resolved_at"], shop),
    }


def _flag(db: Session, user: User, flag_id: int) -> tuple[OrderFlag, Order]:
    return orders_board.find_flag(db, user, flag_id)


def _row_out(
    db: Session, user: User, flag: OrderFlag, order: Order, now: datetime
) -> dict[str, Any]:
    """The changed row, its buyer as `user` may see it (audited when in full)."""
    [row] = orders_board.viewed_rows(db, user, [(flag, order)], now=now, where=f"problem:{flag.id}")
    return flag_out(row, shops.config(db, user.shop_id))


@router.get("")
def list_problems(
    db: Db,
    user: Board,
    now: Now,
    flag: Annotated[str | None, Query()] = None,
    flag_status: Annotated[str, Query(alias="status")] = "open",
) -> dict[str, Any]:
    """Open flags per code, and the flags matching `flag` / `status` (open by default)."""
    board = orders_board.problem_board(
        db, user.shop_id, flag=flag or None, status=flag_status, viewer=user, now=now
    )
    shop = shops.config(db, user.shop_id)
    return {"counts": board.counts, "items": [flag_out(item, shop) for item in board.items]}


@router.get("/digest", response_model=None)
def get_digest(
    db: Db,
    user: Board,
    fmt: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
    flag: Annotated[str | None, Query()] = None,
) -> Response | dict[str, Any]:
    """The latest after-sales digest 问题订单汇总 (only the orders carrying `flag` when
    given); `?format=csv` downloads it. `kefu orders digest` exports the same."""
    digest = orders_board.digest_export(db, user.shop_id, flag=flag or None)
    if digest is None:
        raise NotFound("no_digest", "还没有生成问题订单汇总")
    shop = shops.config(db, user.shop_id)
    if fmt == "csv":
        name = orders_board.digest_filename(digest, shop)
        return Response(
            orders_ops.digest_csv(digest, shop),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return orders_board.digest_document(digest, shop)


@router.post("/{flag_id}/resolve")
def resolve_problem(
    flag_id: RowId, body: ResolveIn, db: Db, user: Board, now: Now
) -> dict[str, Any]:
    """Close a problem with a note saying how (kept on the flag and in the audit log)."""
    _, order = _flag(db, user, flag_id)
    flag = orders_ops.resolve_flag(db, flag_id, actor=user, note=body.note, now=now)
    return _row_out(db, user, flag, order, now)


@router.post("/{flag_id}/assign")
def assign_problem(flag_id: RowId, body: AssignIn, db: Db, user: Board, now: Now) -> dict[str, Any]:
    """Hand a problem to a colleague of the same shop (null: unassign)."""
    _, order = _flag(db, user, flag_id)
    flag = orders_ops.assign_flag(db, flag_id, actor=user, assignee_id=body.assignee_id, now=now)
    return _row_out(db, user, flag, order, now)
