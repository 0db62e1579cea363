"""The demo accounts shown on the sign-in page — only when demo mode is on.

The demo shop (kefu.demo) gives every agent the same password, `DEMO_PASSWORD`. Outside
demo mode nothing here is shown, whatever the database holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.db.models.accounts import User
from kefu.db.models.shops import Shop
from kefu.demo import DEMO_PASSWORD, DEMO_SHOP_ID
from kefu.services.accounts import ALL_ROLES
from kefu.settings import Settings


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    agent_no: str | None


def for_login_page(db: Session, settings: Settings) -> list[DemoLogin]:
    """One demo account per role, in the order of authority (empty unless demo mode)."""
    if not settings.demo:
        return []
    users = db.scalars(
        select(User)
        .where(User.shop_id == DEMO_SHOP_ID, User.is_active.is_(True))
        .where(User.password_hash.is_not(None))
        .order_by(User.id)
    )
    first: dict[str, User] = {}
    for user in users:
        first.setdefault(user.role, user)
    return [
        DemoLogin(first[r].username, DEMO_PASSWORD, r, first[r].agent_no)
        for r in ALL_ROLES
        if r in first
    ]


def single_shop_name(db: Session) -> str:
    """The shop's name on the sign-in page when the server holds exactly one shop."""
    names = list(db.scalars(select(Shop.name).limit(2)))
    return names[0] if len(names) == 1 else ""
