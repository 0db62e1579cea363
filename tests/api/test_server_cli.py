"""`kefu run` and `kefu serve`: what happens before the server starts listening."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kefu.cli import server as server_cli
from kefu.cli.main import main
from kefu.db.migrate import upgrade
from kefu.db.models import Conversation, Shop, User
from kefu.db.session import make_engine
from kefu.settings import Settings


def run_cli(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    return int(exc.value.code or 0)


@pytest.fixture
def served(monkeypatch) -> list[Settings]:
    """Replace uvicorn: record the settings the server would have started with."""
    calls: list[Settings] = []
    # `_serve(settings, *, with_scheduler=...)`: the settings are what the tests check.
    monkeypatch.setattr(server_cli, "_serve", lambda settings, **_options: calls.append(settings))
    return calls


@pytest.mark.slow
def test_run_migrates_loads_the_demo_once_and_prints_logins(
    served, sqlite_url, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("KEFU_DATABASE_URL", sqlite_url)
    assert run_cli(["run", "--bind", "127.0.0.1:8123"]) == 0
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8123" in out
    assert "kefu-demo" in out and "客服1号" in out
    assert len(served) == 1 and served[0].demo and served[0].port == 8123
    engine = make_engine(sqlite_url)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Shop)) == 1
        users = s.scalar(select(func.count()).select_from(User))
        conversations = s.scalar(select(func.count()).select_from(Conversation))
    assert users and conversations
    # A second start finds data and loads nothing more.
    assert run_cli(["run", "--bind", "127.0.0.1:8123"]) == 0
    assert "loading the demo shop" not in capsys.readouterr().out
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(User)) == users
    engine.dispose()


def test_run_without_demo_loads_nothing(served, sqlite_url, monkeypatch, capsys) -> None:
    monkeypatch.setenv("KEFU_DATABASE_URL", sqlite_url)
    assert run_cli(["run", "--no-demo"]) == 0
    assert "演示账号" not in capsys.readouterr().out
    engine = make_engine(sqlite_url)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Shop)) == 0
    engine.dispose()
    assert len(served) == 1 and not served[0].demo


def test_serve_refuses_a_missing_or_default_secret(served, sqlite_url, monkeypatch, capsys):
    monkeypatch.setenv("KEFU_DATABASE_URL", sqlite_url)
    assert run_cli(["serve"]) == 2
    assert "KEFU_SECRET_KEY" in capsys.readouterr().err
    monkeypatch.setenv("KEFU_SECRET_KEY", "changeme")
    assert run_cli(["serve"]) == 2
    assert served == []


def test_serve_refuses_an_unmigrated_database(served, sqlite_url, monkeypatch, capsys):
    monkeypatch.setenv("KEFU_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("KEFU_SECRET_KEY", "a-long-random-production-secret")
    assert run_cli(["serve"]) == 1
    err = capsys.readouterr().err
    assert "kefu migrate" in err and len(err.strip().splitlines()) == 1
    assert served == []
    upgrade(sqlite_url)
    assert run_cli(["serve"]) == 0
    assert len(served) == 1 and not served[0].demo


def test_bad_bind_is_a_usage_error(served, capsys) -> None:
    assert run_cli(["run", "--bind", "nowhere"]) == 2
    assert "KEFU_BIND" in capsys.readouterr().err
    assert served == []
