"""The order and policy batch commands end to end (formats.md "Batch commands")."""

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kefu.cli.main import main

KEFU = Path(sys.executable).with_name("kefu")

ORDER: dict[str, Any] = {
    "order_id": "3712345678901234567",
    "platform": "taobao",
    "buyer_id": "tb_lucy88",
    "status": "unpaid",
    "created_at": "2026-11-20T10:15:00+08:00",
    "amount": 199.0,
    "items": [{"sku": "TS-001-M-BLK", "title": "纯棉圆领T恤 黑色 M", "qty": 1, "price": 199.0}],
    "address": {
        "name": "张三",
        "phone": "13812345678",
        "province": "浙江省",
        "city": "杭州市",
        "district": "西湖区",
        "detail": "文三路123号",
    },
    "courier": "YTO",
}


def order(**fields: Any) -> dict[str, Any]:
    return {**ORDER, **fields}


def write_jsonl(tmp_path: Path, rows: list[Any], name: str = "in.jsonl") -> str:
    lines = [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def write_json(tmp_path: Path, name: str, value: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[Any], str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), rows, captured.err


# --- reminders plan ---------------------------------------------------------------------


def test_reminders_plan_shapes_and_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_jsonl(
        tmp_path,
        [
            order(),
            order(order_id="2", amount=800, buyer_online=True),
            "{broken",
            order(order_id="3", payment_method="cod"),
            {"order_id": "4", "status": "unpaid"},
            order(order_id="5", status="paid"),
            order(order_id="6", amount="lots"),
        ],
    )
    code, rows, _ = run(capsys, "reminders", "plan", path)
    assert code == 1
    assert rows[0] == {
        "order_id": "3712345678901234567",
        "reminders": [{"channel": "sms", "at": "2026-11-20T11:30:00+08:00"}],
    }
    assert rows[1] == {
        "order_id": "2",
        "reminders": [
            {"channel": "im", "at": "2026-11-20T10:25:00+08:00"},
            {"channel": "sms", "at": "2026-11-20T13:25:00+08:00"},
        ],
    }
    assert rows[2]["line"] == 3 and "error" in rows[2]
    assert rows[3] == {"order_id": "3", "reminders": []}
    assert rows[4]["line"] == 5 and "buyer_id" in rows[4]["error"]
    assert rows[5] == {"order_id": "5", "reminders": []}
    assert rows[6]["line"] == 7 and "amount" in rows[6]["error"]


def test_reminders_plan_ignores_now_and_uses_the_shop(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_jsonl(tmp_path, [order(created_at="2026-11-20T10:15:00")])
    shop = write_json(tmp_path, "shop.json", {"reminders": {"slot_times": {"morning": "11:00"}}})
    code, rows, _ = run(capsys, "reminders", "plan", path, "--shop", shop, "--now", "2030-01-01")
    assert code == 0
    assert rows == [
        {
            "order_id": ORDER["order_id"],
            "reminders": [{"channel": "sms", "at": "2026-11-20T11:00:00+08:00"}],
        }
    ]


def test_shop_timezone_sets_the_output_offset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_jsonl(tmp_path, [order(created_at="2026-11-20T09:00:00")])
    shop = write_json(tmp_path, "shop.json", {"timezone": "Asia/Tokyo"})
    _, rows, _ = run(capsys, "reminders", "plan", path, "--shop", shop)
    assert rows[0]["reminders"] == [{"channel": "sms", "at": "2026-11-20T11:30:00+09:00"}]


def test_dash_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(order(status="closed")) + "\n"))
    code, rows, _ = run(capsys, "reminders", "plan", "-")
    assert (code, rows) == (0, [{"order_id": ORDER["order_id"], "reminders": []}])


@pytest.mark.parametrize(
    "args",
    [
        ["reminders", "plan", "/nonexistent.jsonl"],
        ["orders", "triage", "/nonexistent.jsonl"],
        ["policy", "return", "/nonexistent.jsonl"],
        ["policy", "late-shipment", "/nonexistent.jsonl"],
        ["policy", "shipping-quote", "/nonexistent.jsonl"],
    ],
)
def test_missing_file_exits_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, rows, err = run(capsys, *args)
    assert (code, rows) == (2, [])
    assert len(err.strip().splitlines()) == 1


def test_missing_shop_file_and_bad_now_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_jsonl(tmp_path, [order()])
    assert run(capsys, "reminders", "plan", path, "--shop", "/nonexistent.json")[0] == 2
    assert run(capsys, "policy", "late-shipment", path, "--now", "yesterday")[0] == 2


# --- orders triage ----------------------------------------------------------------------


def test_triage_batch_with_stock(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_jsonl(
        tmp_path,
        [
            order(order_id="1", created_at="2026-11-20T09:00:00", buyer_note="  "),
            order(
                order_id="2",
                status="paid",
                paid_at="2026-11-17T09:00:00",
                address={**ORDER["address"], "province": "香港"},
            ),
            "[1]",
            order(
                order_id="3",
                created_at="2026-11-20T08:00:00",
                buyer_note="发顺丰",
                items=[{"sku": "TS-001-M-BLK", "qty": 1}, {"sku": "OTHER", "qty": 50}],
            ),
        ],
    )
    stock = write_json(tmp_path, "stock.json", {"TS-001-M-BLK": 1, "OTHER": 3})
    code, rows, _ = run(
        capsys, "orders", "triage", path, "--stock", stock, "--now", "2026-11-20T12:00:00+08:00"
    )
    assert code == 1
    assert rows[0] == {"order_id": "1", "flags": ["MULTI_ADDRESS", "OUT_OF_STOCK"]}
    assert rows[1] == {"order_id": "2", "flags": ["HMT_NON_SF", "MULTI_ADDRESS", "SHIP_LATE"]}
    assert rows[2] == {"line": 3, "error": "not a JSON object"}
    # The paid order 2 takes the only T-shirt first; order 3 (short of OTHER) reserves
    # nothing, and order 1 still finds no T-shirt left.
    assert rows[3] == {"order_id": "3", "flags": ["BUYER_NOTE", "MULTI_ADDRESS", "OUT_OF_STOCK"]}


def test_triage_without_stock_everything_is_in_stock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_jsonl(tmp_path, [order(items=[{"sku": "X", "qty": 10**6}])])
    code, rows, _ = run(capsys, "orders", "triage", path, "--now", "2026-11-20T12:00:00")
    assert (code, rows) == (0, [{"order_id": ORDER["order_id"], "flags": []}])


def test_triage_shop_override(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_jsonl(tmp_path, [order(address={**ORDER["address"], "province": "浙江"})])
    shop = write_json(tmp_path, "shop.json", {"delivery_excluded_provinces": ["浙江省"]})
    _, rows, _ = run(capsys, "orders", "triage", path, "--shop", shop, "--now", "2026-11-20")
    assert rows == [{"order_id": ORDER["order_id"], "flags": ["OUT_OF_AREA"]}]


@pytest.mark.parametrize(
    "content", [None, "not json", "[1, 2]", '{"A": "three"}', '{"A": true}', '{"A": NaN}']
)
def test_bad_stock_file_exits_2(
    content: str | None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_jsonl(tmp_path, [order()])
    stock = tmp_path / "stock.json"
    if content is not None:
        stock.write_text(content, encoding="utf-8")
    code, rows, err = run(capsys, "orders", "triage", path, "--stock", str(stock))
    assert (code, rows) == (2, [])
    assert "stock" in err


# --- policy commands --------------------------------------------------------------------


def test_late_shipment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_jsonl(
        tmp_path,
        [
            order(order_id="1", status="paid", amount=12.5, paid_at="2026-11-17T10:00:00"),
            order(
                order_id="2",
                status="shipped",
                paid_at="2026-11-17T10:00:00",
                shipped_at="2026-11-20T09:00:00",
            ),
            order(order_id="3", status="paid", paid_at="2026-11-17T10:00:00", presale=True),
            order(
                order_id="4",
                status="signed",
                amount=1000,
                paid_at="2026-11-01T10:00:00Z",
                shipped_at="2026-11-05T10:00:00Z",
            ),
            {"order_id": "5"},
        ],
    )
    code, rows, _ = run(capsys, "policy", "late-shipment", path, "--now", "2026-11-21T12:00:00")
    assert code == 1
    assert rows[0] == {
        "order_id": "1",
        "deadline": "2026-11-20T10:00:00+08:00",
        "late": True,
        "compensation": 0.63,
        "points": 3,
    }
    assert rows[1] == {
        "order_id": "2",
        "deadline": "2026-11-20T10:00:00+08:00",
        "late": False,
        "compensation": 0,
        "points": 0,
    }
    assert rows[2] == {
        "order_id": "3",
        "deadline": None,
        "late": False,
        "compensation": 0,
        "points": 0,
    }
    assert rows[3] == {
        "order_id": "4",
        "deadline": "2026-11-04T18:00:00+08:00",
        "late": True,
        "compensation": 30,
        "points": 3,
    }
    assert rows[4]["line"] == 5


def test_late_shipment_shop_merge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_jsonl(tmp_path, [order(status="paid", amount=1000, paid_at="2026-11-17T10:00")])
    shop = write_json(tmp_path, "shop.json", {"late_shipment": {"cap": 10}})
    _, rows, _ = run(
        capsys, "policy", "late-shipment", path, "--shop", shop, "--now", "2026-11-21T12:00:00"
    )
    assert rows[0]["compensation"] == 10 and rows[0]["points"] == 3


def test_shipping_quote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_jsonl(
        tmp_path,
        [
            {"id": "q1", "courier": "SF", "province": "浙江", "weight_kg": 1.2},
            {
                "id": "q2",
                "courier": "SF",
                "province": "新疆维吾尔自治区",
                "weight_kg": 0.5,
                "dims_cm": [40, 30, 20],
            },
            {"id": "q3", "courier": "ZTO", "province": "浙江", "weight_kg": 1},
            {"id": "q4", "courier": "YTO", "province": "香港", "weight_kg": 1},
            {"id": "q5", "courier": "SF", "province": "浙江"},
            {"id": "q6", "courier": "SF", "province": "浙江", "weight_kg": 1, "dims_cm": [1, 2]},
        ],
    )
    code, rows, _ = run(capsys, "policy", "shipping-quote", path)
    assert code == 1
    assert rows[0] == {"id": "q1", "chargeable_kg": 2, "fee": 16}
    assert rows[1] == {"id": "q2", "chargeable_kg": 4, "fee": 40}
    assert rows[2]["line"] == 3 and "ZTO" in rows[2]["error"]
    assert rows[3] == {"id": "q4", "chargeable_kg": 1, "fee": 8}
    assert rows[4]["line"] == 5 and "weight_kg" in rows[4]["error"]
    assert rows[5]["line"] == 6 and "dims_cm" in rows[5]["error"]


def test_shipping_quote_courier_from_shop(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_jsonl(
        tmp_path, [{"id": "q", "courier": "ZTO", "province": "广东", "weight_kg": 2}]
    )
    shop = write_json(
        tmp_path,
        "shop.json",
        {
            "couriers": {
                "ZTO": {
                    "volumetric_divisor": 8000,
                    "rates": [{"provinces": "*", "first_kg": 6, "extra_kg": 1.5}],
                }
            }
        },
    )
    code, rows, _ = run(capsys, "policy", "shipping-quote", path, "--shop", shop)
    assert (code, rows) == (0, [{"id": "q", "chargeable_kg": 2, "fee": 7.5}])


def test_policy_return(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = {
        "category": "apparel",
        "signed_at": "2026-11-10T15:00:00+08:00",
        "requested_at": "2026-11-14T09:00:00+08:00",
    }
    path = write_jsonl(
        tmp_path,
        [
            {
                "id": "r1",
                "reason": "size",
                **base,
                "condition": {
                    "used": False,
                    "washed": False,
                    "packaging_intact": True,
                    "seal_broken": False,
                },
            },
            {"id": "r2", "reason": "quality", **base},
            {
                "id": "r3",
                "reason": "quality",
                "evidence_photos": 2,
                **base,
                "category": "small_appliance",
                "requested_at": "2026-11-20T09:00:00+08:00",
            },
            {"id": "r4", "reason": "changed_mind", **base},
            {
                "id": "r5",
                "reason": "size",
                "category": "apparel",
                "signed_at": None,
                "requested_at": "2026-11-14T09:00:00+08:00",
            },
        ],
    )
    code, rows, _ = run(capsys, "policy", "return", path, "--now", "ignored")
    assert code == 1
    assert rows[0] == {
        "id": "r1",
        "decision": "return",
        "code": "NO_REASON_OK",
        "return_shipping_payer": "buyer",
        "buyer_pays_original_shipping": True,
    }
    assert rows[1] == {
        "id": "r2",
        "decision": "need_evidence",
        "code": "NEED_EVIDENCE",
        "return_shipping_payer": None,
        "buyer_pays_original_shipping": None,
    }
    assert rows[2] == {
        "id": "r3",
        "decision": "exchange",
        "code": "APPLIANCE_EXCHANGE",
        "return_shipping_payer": "seller",
        "buyer_pays_original_shipping": False,
    }
    assert rows[3]["line"] == 4 and "reason" in rows[3]["error"]
    assert rows[4]["line"] == 5 and "signed_at" in rows[4]["error"]


def test_installed_command_reads_stdin() -> None:
    result = subprocess.run(
        [str(KEFU), "policy", "shipping-quote", "-"],
        input='{"id": "q", "courier": "YTO", "province": "江苏省", "weight_kg": 2.5}\n',
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"id": "q", "chargeable_kg": 3, "fee": 7}
