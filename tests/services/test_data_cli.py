"""`kefu migrate / import / export / users / demo` against a real database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from kefu.cli.main import main
from kefu.db.session import make_engine
from kefu.settings import get_settings

ORDER = {
    "order_id": "1",
    "buyer_id": "tb_lucy88",
    "status": "unpaid",
    "created_at": "2026-11-20T10:15:00+08:00",
    "amount": 10.0,
    "items": [{"sku": "A", "qty": 1, "price": 10.0}],
    "address": {"name": "张三", "phone": "13812345678", "district": "西湖区", "detail": "x"},
}


def kefu(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


@pytest.fixture
def use_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("KEFU_DATABASE_URL", db_url)
    get_settings.cache_clear()
    return db_url


def test_import_before_migrate_says_to_migrate(use_db: str, tmp_path: Path, capsys) -> None:
    path = tmp_path / "o.jsonl"
    path.write_text(json.dumps(ORDER) + "\n", encoding="utf-8")
    code, _, err = kefu(capsys, "import", "orders", str(path))
    assert code == 2
    assert err.strip().endswith("has no kefu tables yet: run `kefu migrate`")
    assert len(err.strip().splitlines()) == 1


def test_migrate_import_export_round(use_db: str, tmp_path: Path, capsys) -> None:
    path = tmp_path / "o.jsonl"
    path.write_text(json.dumps(ORDER) + "\n" + "oops\n", encoding="utf-8")

    assert kefu(capsys, "migrate")[0] == 0
    code, out, err = kefu(capsys, "import", "orders", str(path), "--shop-id", "demo")
    assert code == 1  # a bad line: reported, the rest imported
    assert out.strip() == "orders: 1 added, 0 updated, 0 unchanged, 1 errors"
    assert json.loads(err.strip()) == {"line": 2, "error": "invalid JSON: Expecting value"}
    code, out, _ = kefu(capsys, "import", "orders", str(path))
    assert out.strip() == "orders: 0 added, 0 updated, 1 unchanged, 1 errors"

    code, out, _ = kefu(capsys, "export", "orders")
    assert code == 0
    assert json.loads(out)["address"]["phone"] == "138****5678"

    code, _, err = kefu(capsys, "export", "orders", "--unmasked")
    assert code == 2 and "--by" in err
    assert (
        kefu(capsys, "users", "add", "boss", "--role", "manager", "--password", "boss-pass-1")[0]
        == 0
    )
    out_file = tmp_path / "out.jsonl"
    code, _, _ = kefu(
        capsys, "export", "orders", "--unmasked", "--by", "boss", "--out", str(out_file)
    )
    assert code == 0
    assert json.loads(out_file.read_text(encoding="utf-8"))["address"]["phone"] == "13812345678"
    engine = make_engine(use_db)
    with engine.connect() as conn:
        actions = conn.execute(text("SELECT action FROM audit_log ORDER BY id")).scalars().all()
    engine.dispose()
    assert actions == ["user.add", "export.unmasked"]


def test_older_migration_is_one_line(sqlite_url: str, monkeypatch, tmp_path: Path, capsys) -> None:
    monkeypatch.setenv("KEFU_DATABASE_URL", sqlite_url)
    assert kefu(capsys, "migrate")[0] == 0
    monkeypatch.setattr("kefu.db.migrate.head_revision", lambda: "9999")
    code, _, err = kefu(capsys, "export", "orders")
    assert code == 2
    assert "older migration" in err and "run `kefu migrate`" in err
    assert len(err.strip().splitlines()) == 1


def test_unreachable_database_is_one_line(monkeypatch, capsys) -> None:
    monkeypatch.setenv("KEFU_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/x")
    code, _, err = kefu(capsys, "users", "list")
    assert code == 2
    assert err.startswith("kefu: error: cannot reach the database")
    assert len(err.strip().splitlines()) == 1


def test_bad_setting_is_one_line(monkeypatch, capsys) -> None:
    monkeypatch.setenv("KEFU_DATABASE_URL", "nonsense")
    code, _, err = kefu(capsys, "migrate")
    assert code == 2
    assert err.strip() == (
        "kefu: error: bad setting: KEFU_DATABASE_URL: malformed database URL 'nonsense'"
    )


def test_users_commands(sqlite_url: str, monkeypatch, capsys) -> None:
    monkeypatch.setenv("KEFU_DATABASE_URL", sqlite_url)
    kefu(capsys, "migrate")
    code, _, err = kefu(capsys, "users", "add", "kf99", "--password", "long-enough-1")
    assert code == 2 and err.strip() == "kefu: error: 店铺不存在：demo"
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO shops (id, name, platform, timezone, config, is_active) "
                "VALUES ('demo', 'd', 'taobao', 'Asia/Shanghai', '{}', 1)"
            )
        )
    engine.dispose()

    assert (
        kefu(
            capsys, "users", "add", "kf99", "--agent-no", "客服99号", "--password", "long-enough-1"
        )[0]
        == 0
    )
    assert kefu(capsys, "users", "add", "kf99", "--password", "long-enough-1")[0] == 2
    assert (
        kefu(capsys, "users", "add", "x", "--role", "boss", "--password", "long-enough-1")[0] == 2
    )
    assert kefu(capsys, "users", "set-password", "kf99", "--password", "short")[0] == 2
    assert kefu(capsys, "users", "set-password", "kf99", "--password", "new-pass-123")[0] == 0
    assert kefu(capsys, "users", "disable", "kf99")[0] == 0
    assert kefu(capsys, "users", "disable", "nobody")[0] == 2
    code, out, _ = kefu(capsys, "users", "list")
    assert out.split("\n")[0].split("\t") == [
        "kf99",
        "客服99号",
        "-",
        "presale",
        "offline",
        "disabled",
    ]


def test_demo_command_is_idempotent(sqlite_url: str, monkeypatch, capsys) -> None:
    monkeypatch.setenv("KEFU_DATABASE_URL", sqlite_url)
    code, out, _ = kefu(capsys, "demo")
    assert code == 0 and "orders +" in out
    code, out, _ = kefu(capsys, "demo")
    assert code == 0 and "nothing new" in out
