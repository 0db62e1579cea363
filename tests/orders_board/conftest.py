"""The board tests use the API tests' fixtures (`world`, `app`, `client`, `login_as`) on
SQLite, loaded by path as tests/web/conftest.py does, plus real flags on the world's orders.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.db.models import Order
from kefu.services import orders_ops, shops

_path = Path(__file__).resolve().parents[1] / "api" / "conftest.py"
_spec = importlib.util.spec_from_file_location("kefu_board_test_fixtures", _path)
assert _spec is not None and _spec.loader is not None
api_fixtures = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = api_fixtures  # dataclasses look their module up there
_spec.loader.exec_module(api_fixtures)

NOW = api_fixtures.NOW
world = api_fixtures.world
app = api_fixtures.app
client = api_fixtures.client
login_as = api_fixtures.login_as
_fast_password_hashing = api_fixtures._fast_password_hashing

LUCY_ORDER = "3712345678901234567"
BOB_ORDER = "3712345678901234568"


@pytest.fixture
def migrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    path = tmp_path / "kefu.sqlite3"
    shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def flagged(world):  # type: ignore[no-untyped-def]
    """Lucy's order gets a buyer note (BUYER_NOTE), Bob's loses its city
    (ADDRESS_INCOMPLETE), the other shop's order a note too; the live triage stores the
    flags. Adds `ks01`, an insale agent."""
    with Session(world.engine) as session:
        orders = {o.order_id: o for o in session.scalars(select(Order))}
        orders[LUCY_ORDER].buyer_note = "周五前一定要到哦"
        orders[BOB_ORDER].city = ""
        orders["9999"].buyer_note = "别家的留言"
        world.users["ks01"] = api_fixtures.add_user(session, "s1", "ks01", "insale")
        for shop_id in ("s1", "s2"):
            shop = shops.config(session, shop_id)
            orders_ops.refresh_flags(session, shop_id, shop, NOW)
        session.commit()
    return world
