"""`kefu orders digest`: the latest problem-order digest from the database, the same
document the API serves at `/api/v1/orders/problems/digest`."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from kefu.cli.main import main
from kefu.db.session import make_engine
from kefu.services import orders_ops, shops
from kefu.settings import get_settings

NOW = datetime(2026, 11, 25, 4, 10, tzinfo=UTC)  # 12:10 in the shop: the 10:00-12:00 digest
ORDER = {
    "buyer_id": "tb_lucy88",
    "status": "paid",
    "created_at": "2026-11-25T09:15:00+08:00",
    "paid_at": "2026-11-25T09:20:00+08:00",
    "amount": 199.0,
    "items": [
        {"sku": "TS-001-M-BLK", "title": "T恤", "category": "apparel", "qty": 1, "price": 199.0}
    ],
    "address": {
        "name": "张三",
        "phone": "13812345678",
        "province": "浙江省",
        "city": "杭州市",
        "district": "西湖区",
        "detail": "文三路123号",
    },
}
NOTE = {**ORDER, "order_id": "101", "buyer_note": "周五前一定要到哦"}
NO_CITY = {
    **ORDER,
    "order_id": "102",
    "buyer_id": "tb_bob",
    "address": {**ORDER["address"], "city": ""},
}


def kefu(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


@pytest.fixture
def shop_db(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> str:
    """Two problem orders imported into the demo shop (the import stores their flags)."""
    monkeypatch.setenv("KEFU_DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    path = tmp_path / "orders.jsonl"
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in (NOTE, NO_CITY)),
        encoding="utf-8",
    )
    assert kefu(capsys, "migrate")[0] == 0
    assert kefu(capsys, "import", "orders", str(path), "--shop-id", "demo")[0] == 0
    return sqlite_url


def _generate(url: str) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        orders_ops.generate_digest(session, "demo", shops.config(session, "demo"), NOW)
        session.commit()
    engine.dispose()


def test_no_digest_yet_is_exit_1(shop_db: str, capsys) -> None:
    code, out, err = kefu(capsys, "orders", "digest")
    assert (code, out) == (1, "")
    assert err.strip() == "kefu: no problem-order digest yet in shop demo"


def test_json_is_the_api_document(shop_db: str, capsys) -> None:
    _generate(shop_db)
    code, out, _ = kefu(capsys, "orders", "digest")
    assert code == 0
    document = json.loads(out)
    assert document["period_start"] == "2026-11-25T10:00:00+08:00"
    assert document["period_end"] == "2026-11-25T12:00:00+08:00"
    assert document["counts"] == {"ADDRESS_INCOMPLETE": 1, "BUYER_NOTE": 1}
    assert sorted((i["order_id"], i["flags"][0]) for i in document["items"]) == [
        ("101", "BUYER_NOTE"),
        ("102", "ADDRESS_INCOMPLETE"),
    ]
    # Orders and flags only: nothing of the buyer's contact data (policies.md §5).
    assert "13812345678" not in out and "张三" not in out and "文三路" not in out


def test_flag_filter_csv_to_a_file(shop_db: str, tmp_path: Path, capsys) -> None:
    _generate(shop_db)
    target = tmp_path / "digest.csv"
    code, out, _ = kefu(
        capsys, "orders", "digest", "--format", "csv", "--flag", "BUYER_NOTE", "--out", str(target)
    )
    assert (code, out) == (0, "")
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [(r["order_id"], r["flags"]) for r in rows] == [("101", "BUYER_NOTE")]
    assert rows[0]["since"].endswith("+08:00")
    # the filter narrows the rows, the counts stay the whole digest's
    code, out, _ = kefu(capsys, "orders", "digest", "--flag", "ADDRESS_INCOMPLETE")
    document = json.loads(out)
    assert [i["order_id"] for i in document["items"]] == ["102"]
    assert document["counts"] == {"ADDRESS_INCOMPLETE": 1, "BUYER_NOTE": 1}


def test_bad_flag_and_unknown_shop_are_usage_errors(shop_db: str, capsys) -> None:
    code, _, err = kefu(capsys, "orders", "digest", "--flag", "NOT_A_FLAG")
    assert code == 2 and err.strip() == "kefu: error: --flag: 未知的问题类型：NOT_A_FLAG"
    code, _, err = kefu(capsys, "orders", "digest", "--shop-id", "nope")
    assert code == 2 and "no shop 'nope'" in err
