"""The live floor page 现场监控 (supervisor and above).

The full page under `/floor`; its board is an htmx partial under `/ui/floor` that the page
fetches again every 5 seconds. Both read `services.floor.floor_view`, as the API does.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from kefu.core.i18n import translate
from kefu.core.permissions import Permission, has_permission
from kefu.http.deps import Db, Lang, Now, OptionalUser
from kefu.services import accounts, floor, shops
from kefu.web.pages import _signin_redirect, render, shop_name

router = APIRouter(include_in_schema=False)


def _page(request: Request, db: Db, lang: str, now: Now, user: OptionalUser, name: str) -> Response:
    if user is None:
        return _signin_redirect(request)
    if not has_permission(user.role, Permission.FLOOR_VIEW):
        return HTMLResponse(translate(lang, "error.forbidden"), status_code=403)
    shop = shops.config(db, user.shop_id)
    return render(
        request,
        name,
        lang,
        {
            "me": accounts.user_public(user),
            "shop_name": shop_name(db, user.shop_id),
            "floor": floor.floor_view(db, user.shop_id, now),
            "fmt_wait": floor.format_wait,
            "now": now,
        },
        tz=shop.tz,
    )


@router.get("/floor", response_class=HTMLResponse, name="floor_page")
def floor_page(request: Request, db: Db, lang: Lang, now: Now, user: OptionalUser) -> Response:
    return _page(request, db, lang, now, user, "floor/floor.html")


@router.get("/ui/floor", response_class=HTMLResponse, name="ui_floor")
def ui_floor(request: Request, db: Db, lang: Lang, now: Now, user: OptionalUser) -> Response:
    return _page(request, db, lang, now, user, "floor/_board.html")
