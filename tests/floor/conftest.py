"""The floor tests use the API tests' fixtures (`world`, `app`, `client`, `login_as`) on
SQLite, loaded by path as tests/orders_board/conftest.py does, plus a busier floor."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.db.models import Shop, User

_path = Path(__file__).resolve().parents[1] / "api" / "conftest.py"
_spec = importlib.util.spec_from_file_location("kefu_floor_test_fixtures", _path)
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


@pytest.fixture
def migrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    path = tmp_path / "kefu.sqlite3"
    shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def floor_world(world):  # type: ignore[no-untyped-def]
    """The API world plus: kf01 online with a personal limit of 3 and a second open chat
    (still `pending`), kf03 busy, sup1 away, a manager `mgr1`; waiting buyers: a pending
    pre-sale one (10 min), an in-sale one (4 min) and one in no known queue (1 min, counted
    as pre-sale, as the inbox routes it); the shop's first-response target is 300 s."""
    with Session(world.engine) as session:
        users = {u.username: u for u in session.scalars(select(User))}
        users["kf01"].status = "online"
        users["kf01"].max_open = 3
        users["kf03"].status = "busy"
        users["sup1"].status = "away"
        world.users["mgr1"] = api_fixtures.add_user(session, "s1", "mgr1", "manager")
        session.get_one(Shop, "s1").config = {"qa": {"first_response_seconds": 300}}
        add = api_fixtures.add_conversation
        add(
            session,
            "s1",
            "c-pre-3",
            "tb_lucy88",
            "presale",
            [("buyer", "在吗", 10)],
            status="pending",
        )
        add(
            session,
            "s1",
            "c-pre-4",
            "tb_bob",
            "presale",
            [("buyer", "发货了吗", 1)],
            assignee=users["kf01"],
            status="pending",
        )
        add(session, "s1", "c-in-1", "tb_bob", "insale", [("buyer", "改地址", 4)], status="pending")
        add(session, "s1", "c-odd", "tb_bob", None, [("buyer", "人呢", 1)], status="pending")
        session.commit()
    return world
