"""QA live tests reuse the API tests' world (`world`, `app`, `client`, `login_as`); the
helpers that add closed conversations are in `qa_live_support.py` (a unique module name:
several test folders have a `conftest`, so `from conftest import` is ambiguous).

tests/ has no packages, so tests/api/conftest.py is loaded by path (as tests/web does).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import qa_live_support

_path = Path(__file__).resolve().parents[1] / "api" / "conftest.py"
_name = "kefu_api_test_fixtures"
if _name in sys.modules:  # tests/web loaded it already in this run
    api_fixtures = sys.modules[_name]
else:
    _spec = importlib.util.spec_from_file_location(_name, _path)
    assert _spec is not None and _spec.loader is not None
    api_fixtures = importlib.util.module_from_spec(_spec)
    sys.modules[_name] = api_fixtures  # dataclasses look their module up there
    _spec.loader.exec_module(api_fixtures)

world = api_fixtures.world
app = api_fixtures.app
client = api_fixtures.client
login_as = api_fixtures.login_as
_fast_password_hashing = api_fixtures._fast_password_hashing

# The helpers' copies of the world's clock and password must be the world's.
assert (qa_live_support.NOW, qa_live_support.PASSWORD) == (api_fixtures.NOW, api_fixtures.PASSWORD)
