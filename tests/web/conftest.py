"""The web page tests use the API tests' fixtures (`world`, `app`, `client`, `login_as`).

tests/ has no packages (no __init__.py), so the module is loaded by path; pytest then
registers the fixtures it defines because they are names of this conftest.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

_path = Path(__file__).resolve().parents[1] / "api" / "conftest.py"
_spec = importlib.util.spec_from_file_location("kefu_api_test_fixtures", _path)
assert _spec is not None and _spec.loader is not None
api_fixtures = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = api_fixtures  # dataclasses look their module up there
_spec.loader.exec_module(api_fixtures)

world = api_fixtures.world
app = api_fixtures.app
client = api_fixtures.client
login_as = api_fixtures.login_as
_fast_password_hashing = api_fixtures._fast_password_hashing


@pytest.fixture
def migrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The page tests run on SQLite only (overriding tests/conftest.py's SQLite-then-
    PostgreSQL parameter): the queries behind them are the API's, tested on both."""
    path = tmp_path / "kefu.sqlite3"
    shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
    return f"sqlite:///{path}"
