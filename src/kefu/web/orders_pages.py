"""The problem-order board page 问题订单 (insale role and above).

Same pattern as `qa_pages.py`: the full page under `/orders/problems`, an htmx partial under
`/ui/orders/problems` answering with the row it changed; both call the API's services.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response, status
from fastapi.responses import HTMLResponse

from kefu.core.i18n import translate
from kefu.core.permissions import Permission, has_permission
from kefu.http.deps import Db, Lang, Now, OptionalUser, RowId, same_origin
from kefu.services import accounts, orders_board, orders_ops, shops
from kefu.web.pages import _signin_redirect, render, shop_name

router = APIRouter(include_in_schema=False)


def _allowed(role: str) -> bool:
    return has_permission(role, Permission.ORDERS_PROBLEM_BOARD)


@router.get("/orders/problems", response_class=HTMLResponse, name="orders_problems_page")
def orders_problems_page(
    request: Request,
    db: Db,
    lang: Lang,
    now: Now,
    user: OptionalUser,
    flag: Annotated[str, Query()] = "",
    flag_status: Annotated[str, Query(alias="status")] = "open",
) -> Response:
    if user is None:
        return _signin_redirect(request)
    if not _allowed(user.role):
        return HTMLResponse(translate(lang, "error.forbidden"), status_code=403)
    try:
        board = orders_board.problem_board(
            db, user.shop_id, flag=flag or None, status=flag_status, viewer=user, now=now
        )
    except orders_ops.OpsError:  # a hand-edited filter: show the default board
        flag, flag_status = "", "open"
        board = orders_board.problem_board(db, user.shop_id, viewer=user, now=now)
    shop = shops.config(db, user.shop_id)
    return render(
        request,
        "orders/problems.html",
        lang,
        {
            "me": accounts.user_public(user),
            "shop_name": shop_name(db, user.shop_id),
            "board": board,
            "codes": orders_board.FLAG_CODES,
            "statuses": orders_board.BOARD_STATUSES,
            "flag": flag,
            "status": flag_status,
        },
        tz=shop.tz,
    )


@router.post("/ui/orders/problems/{flag_id}/resolve", name="ui_orders_problem_resolve")
def ui_orders_problem_resolve(
    flag_id: RowId,
    request: Request,
    db: Db,
    now: Now,
    lang: Lang,
    user: OptionalUser,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    if user is None:
        return _signin_redirect(request)
    if not same_origin(request) or not request.headers.get("hx-request"):
        return Response("cross-site request refused", status_code=status.HTTP_403_FORBIDDEN)
    if not _allowed(user.role):
        return HTMLResponse(translate(lang, "error.forbidden"), status_code=403)
    try:
        flag, order = orders_board.find_flag(db, user, flag_id)
    except accounts.NotFound:
        return HTMLResponse(translate(lang, "error.not_found"), status_code=404)
    error = None
    try:
        orders_ops.resolve_flag(db, flag_id, actor=user, note=note, now=now)
    except orders_ops.OpsError:
        error = translate(lang, "problems.note_required")
    return render(
        request,
        "orders/_problem_row.html",
        lang,
        {
            "item": orders_board.viewed_rows(
                db, user, [(flag, order)], now=now, where=f"problem:{flag_id}"
            )[0],
            "error": error,
        },
        tz=shops.config(db, user.shop_id).tz,
    )
