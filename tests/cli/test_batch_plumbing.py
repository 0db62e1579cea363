"""The shared JSON Lines plumbing of the batch commands (formats.md general rules)."""

import io
import json
import sys
from pathlib import Path

import pytest

from kefu.cli import batch
from kefu.core.errors import InvalidInput
from kefu.core.records import Order
from kefu.core.shopconfig import DEFAULT_SHOP


def write_lines(tmp_path: Path, lines: list[str]) -> str:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_bad_lines_become_line_errors_in_place(tmp_path: Path) -> None:
    good = json.dumps(
        {
            "order_id": "1",
            "buyer_id": "b",
            "status": "paid",
            "created_at": "2026-11-20T10:00:00",
            "amount": 1,
            "items": [],
            "address": {},
        }
    )
    path = write_lines(tmp_path, [good, "{not json", "[1, 2]", "", json.dumps({"order_id": "2"})])
    rows = list(batch.iter_records(path, Order, DEFAULT_SHOP))
    assert [n for n, _ in rows] == [1, 2, 3, 5]
    assert isinstance(rows[0][1], Order)
    errors = [r for _, r in rows[1:]]
    assert all(isinstance(e, batch.LineError) for e in errors)
    assert errors[0].error.startswith("invalid JSON")
    assert errors[1].error == "not a JSON object"
    assert "missing required field" in errors[2].error


def test_missing_file_is_a_usage_error() -> None:
    with pytest.raises(InvalidInput) as missing:  # the CLI prints it and exits 2
        list(batch.iter_json_lines("/nonexistent/file.jsonl"))
    assert missing.value.code == "no_file"


def test_dash_reads_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"a": 1}\n{"a": 2}\n'))
    assert [v for _, v in batch.iter_json_lines("-")] == [{"a": 1}, {"a": 2}]


def test_shop_file_is_merged_over_defaults(tmp_path: Path) -> None:
    path = tmp_path / "shop.json"
    path.write_text(json.dumps({"late_shipment": {"cap": 10}}), encoding="utf-8")
    shop = batch.load_shop(str(path))
    assert shop.late_shipment.cap == 10
    assert shop.late_shipment.rate == 0.05


@pytest.mark.parametrize("content", ["not json", "[1]", '{"timezone": "Nowhere/City"}'])
def test_bad_shop_file_is_a_usage_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "shop.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(batch.UsageError):
        batch.load_shop(str(path))


def test_writer_tracks_errors() -> None:
    out = io.StringIO()
    writer = batch.JsonLinesWriter(out)
    writer.write({"id": "x", "text": "亲"})
    assert writer.exit_code == 0
    writer.write(batch.LineError(2, "bad"))
    assert writer.exit_code == 1
    assert out.getvalue().splitlines() == [
        '{"id": "x", "text": "亲"}',
        '{"line": 2, "error": "bad"}',
    ]


def test_now_option_is_read_in_shop_timezone() -> None:
    now = batch.parse_now("2026-11-20T10:00:00", DEFAULT_SHOP)
    assert now.isoformat() == "2026-11-20T10:00:00+08:00"
    with pytest.raises(batch.UsageError):
        batch.parse_now("not a time", DEFAULT_SHOP)
