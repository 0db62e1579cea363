"""`write_demo_jsonl`: the demo shop as formats.md files the batch commands can read."""

from __future__ import annotations

import json
from pathlib import Path

from kefu.cli.batch import LineError, iter_records, load_shop
from kefu.core.records import Conversation, Order, TrackingEvent
from kefu.demo import generate_demo_shop
from kefu.demo.export import stock_map, write_demo_jsonl


def test_writes_readable_files(tmp_path: Path) -> None:
    shop = generate_demo_shop()
    target = tmp_path / "demo" / "out"  # missing folders are created
    written = write_demo_jsonl(shop, target)
    names = {p.name for p in written}
    assert names == {
        "orders.jsonl",
        "conversations.jsonl",
        "tracking.jsonl",
        "shop.json",
        "stock.json",
    }
    config = load_shop(str(target / "shop.json"))
    assert config.name == "小鹿生活旗舰店"
    for name, model, rows in (
        ("orders.jsonl", Order, shop.orders),
        ("conversations.jsonl", Conversation, shop.conversations),
        ("tracking.jsonl", TrackingEvent, shop.tracking_events),
    ):
        path = target / name
        lines = path.read_text(encoding="utf-8").splitlines()
        assert len(lines) == len(rows)
        assert [json.loads(line) for line in lines] == rows
        assert "\\u" not in lines[0]  # Chinese written as UTF-8, not escaped
        records = list(iter_records(str(path), model, config))
        assert [n for n, r in records if isinstance(r, LineError)] == []
        assert [n for n, _ in records] == list(range(1, len(rows) + 1))
    stock = json.loads((target / "stock.json").read_text(encoding="utf-8"))
    assert stock == stock_map(shop)
    assert stock["TS-001-M-BLK"] >= 0


def test_rewriting_gives_the_same_bytes(tmp_path: Path) -> None:
    write_demo_jsonl(generate_demo_shop(), tmp_path / "a")
    write_demo_jsonl(generate_demo_shop(), tmp_path / "b")
    for name in ("orders.jsonl", "conversations.jsonl", "tracking.jsonl", "shop.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
