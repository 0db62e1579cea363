"""Spec-driven examples for the batch commands of formats.md, written from the spec alone.

Every expected output below was worked out by hand from policies.md §1-§4, §7, formats.md and
taxonomy.md (problem-order flags), without reading the implementation. A case the
implementation gets wrong keeps the spec's answer and is marked `xfail(strict=True)` with the
spec sentence it breaks, so the suite stays green and the bug stays visible.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kefu.cli.main import main

ANY_STR = object()  # placeholder: any non-empty string (error messages are free text)


# --------------------------------------------------------------------------- helpers


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run `kefu ARGS` in-process; return (exit code, stdout, stderr)."""
    capsys.readouterr()
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    out, err = capsys.readouterr()
    return code, out, err


def write_lines(path: Path, lines: list[Any]) -> Path:
    """Write records (dicts) or raw strings as one line each."""
    text = "".join(
        (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n"
        for line in lines
    )
    path.write_text(text, encoding="utf-8")
    return path


def write_json(path: Path, obj: Any) -> Path:
    path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return path


def matches(actual: Any, expected: Any) -> bool:
    """Deep equality; numbers compare by value, ANY_STR matches any non-empty string."""
    if expected is ANY_STR:
        return isinstance(actual, str) and actual != ""
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and set(actual) == set(expected)
            and all(matches(actual[k], v) for k, v in expected.items())
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(matches(a, e) for a, e in zip(actual, expected, strict=True))
        )
    if isinstance(expected, bool) or expected is None:
        return actual is expected
    if isinstance(expected, (int, float)):
        return (
            isinstance(actual, (int, float))
            and not isinstance(actual, bool)
            and round(float(actual), 6) == round(float(expected), 6)
        )
    return bool(actual == expected)


def check_batch(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    lines: list[Any],
    expected: list[Any],
    *,
    shop: dict[str, Any] | None = None,
    now: str | None = None,
    extra: list[str] | None = None,
) -> None:
    """Run a per-line batch command and compare every output line with `expected`."""
    src = write_lines(tmp_path / "in.jsonl", lines)
    args = [*command, str(src)]
    if shop is not None:
        args += ["--shop", str(write_json(tmp_path / "shop.json", shop))]
    if now is not None:
        args += ["--now", now]
    args += extra or []
    code, out, err = run_cli(args, capsys)
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    has_error = any(isinstance(e, dict) and "line" in e and "error" in e for e in expected)
    assert len(rows) == len(expected), (rows, err)
    for i, (row, exp) in enumerate(zip(rows, expected, strict=True)):
        assert matches(row, exp), f"output line {i + 1}: got {row}, expected {exp}"
    assert code == (1 if has_error else 0), err


def xfail(reason: str) -> Any:
    return pytest.mark.xfail(strict=True, reason=reason)


# --------------------------------------------------------------------------- order builder

BASE_ADDRESS = {
    "name": "张三",
    "phone": "13812345678",
    "province": "浙江省",
    "city": "杭州市",
    "district": "西湖区",
    "detail": "文三路123号",
}


def order(order_id: str, **kw: Any) -> dict[str, Any]:
    """A well-formed order record; keyword args override fields (address=... merges)."""
    rec: dict[str, Any] = {
        "order_id": order_id,
        "platform": "taobao",
        "buyer_id": kw.pop("buyer_id", f"buyer_{order_id}"),
        "status": "unpaid",
        "created_at": "2026-11-20T10:15:00+08:00",
        "paid_at": None,
        "shipped_at": None,
        "signed_at": None,
        "amount": 199.0,
        "shipping_fee": 0.0,
        "free_shipping": False,
        "payment_method": "online",
        "items": [
            {
                "sku": "TS-001-M-BLK",
                "title": "纯棉圆领T恤 黑色 M",
                "category": "apparel",
                "qty": 1,
                "price": 199.0,
            }
        ],
        "address": dict(BASE_ADDRESS),
        "courier": "YTO",
        "tracking_no": None,
        "buyer_note": "",
        "presale": False,
        "customized": False,
        "address_changed_after_payment": False,
    }
    if "address" in kw:
        rec["address"] = {**BASE_ADDRESS, **kw.pop("address")}
    rec.update(kw)
    return rec


def items(*pairs: tuple[str, int]) -> list[dict[str, Any]]:
    return [
        {"sku": sku, "title": sku, "category": "other", "qty": qty, "price": 10.0}
        for sku, qty in pairs
    ]


# =========================================================================== reminders plan


def sms(at: str) -> dict[str, str]:
    return {"channel": "sms", "at": at}


def im(at: str) -> dict[str, str]:
    return {"channel": "im", "at": at}


def phone(at: str) -> dict[str, str]:
    return {"channel": "phone", "at": at}


D = "2026-11-20T"
N = "2026-11-21T"

# (case id, order overrides, expected reminders, shop override or None, xfail reason or None)
REMINDER_CASES: list[tuple[str, dict[str, Any], list[Any], dict[str, Any] | None, str | None]] = [
    # --- first reminder, silent orders, default slots
    ("morning_slot", {"created_at": D + "10:15:00+08:00"}, [sms(D + "11:30:00+08:00")], None, None),
    (
        "morning_start_0600",
        {"created_at": D + "06:00:00+08:00"},
        [sms(D + "11:30:00+08:00")],
        None,
        None,
    ),
    (
        "morning_t10_equals_slot",
        {"created_at": D + "11:20:00+08:00"},
        [sms(D + "11:30:00+08:00")],
        None,
        None,
    ),
    (
        "morning_t10_after_slot",
        {"created_at": D + "11:25:00+08:00"},
        [sms(D + "11:35:00+08:00")],
        None,
        None,
    ),
    (
        "morning_t10_hits_deadline",
        {"created_at": D + "11:50:00+08:00"},
        [sms(D + "16:30:00+08:00")],
        None,
        None,
    ),
    ("morning_1159", {"created_at": D + "11:59:59+08:00"}, [sms(D + "16:30:00+08:00")], None, None),
    (
        "afternoon_start",
        {"created_at": D + "12:00:00+08:00"},
        [sms(D + "16:30:00+08:00")],
        None,
        None,
    ),
    (
        "afternoon_t10_after_slot",
        {"created_at": D + "16:45:00+08:00"},
        [sms(D + "16:55:00+08:00")],
        None,
        None,
    ),
    (
        "afternoon_t10_hits_deadline",
        {"created_at": D + "16:50:00+08:00"},
        [sms(N + "09:30:00+08:00")],
        None,
        None,
    ),
    (
        "evening_start_1700",
        {"created_at": D + "17:00:00+08:00"},
        [sms(N + "09:30:00+08:00")],
        None,
        None,
    ),
    ("evening_2355", {"created_at": D + "23:55:00+08:00"}, [sms(N + "09:30:00+08:00")], None, None),
    (
        "late_night_0000",
        {"created_at": D + "00:00:00+08:00"},
        [sms(D + "10:30:00+08:00")],
        None,
        None,
    ),
    (
        "late_night_0559",
        {"created_at": D + "05:59:00+08:00"},
        [sms(D + "10:30:00+08:00")],
        None,
        None,
    ),
    # --- times in UTC / without offset / other shop timezone
    (
        "utc_z_morning",
        {"created_at": "2026-11-20T02:15:00Z"},
        [sms(D + "11:30:00+08:00")],
        None,
        None,
    ),
    (
        "utc_crosses_local_date",
        {"created_at": "2026-11-19T16:30:00+00:00"},
        [sms(D + "10:30:00+08:00")],
        None,
        None,
    ),
    (
        "no_offset_is_local",
        {"created_at": "2026-11-20T10:15:00"},
        [sms(D + "11:30:00+08:00")],
        None,
        None,
    ),
    (
        "shop_timezone_tokyo",
        {"created_at": D + "10:15:00+08:00"},
        [sms(D + "11:30:00+09:00")],
        {"timezone": "Asia/Tokyo"},
        None,
    ),
    # --- statuses and payment methods
    ("status_paid", {"status": "paid", "paid_at": D + "10:20:00+08:00"}, [], None, None),
    ("status_closed", {"status": "closed"}, [], None, None),
    ("status_refunding_big", {"status": "refunding", "amount": 900.0}, [], None, None),
    ("cod_unpaid", {"payment_method": "cod", "amount": 800.0}, [], None, None),
    (
        "online_buyer_but_paid",
        {"status": "paid", "paid_at": D + "10:16:00+08:00", "buyer_online": True},
        [],
        None,
        None,
    ),
    # --- buyer online
    (
        "online_first_im",
        {"buyer_online": True, "created_at": D + "10:15:00+08:00"},
        [im(D + "10:25:00+08:00")],
        None,
        None,
    ),
    (
        "online_false_is_silent",
        {"buyer_online": False, "created_at": D + "10:15:00+08:00"},
        [sms(D + "11:30:00+08:00")],
        None,
        None,
    ),
    (
        "online_im_even_in_quiet",
        {"buyer_online": True, "created_at": D + "23:00:00+08:00"},
        [im(D + "23:10:00+08:00")],
        None,
        None,
    ),
    # --- big orders and second reminders
    (
        "big_exactly_500_sms_then_phone",
        {"amount": 500.0},
        [sms(D + "11:30:00+08:00"), phone(D + "14:30:00+08:00")],
        None,
        None,
    ),
    ("big_499_99_single", {"amount": 499.99}, [sms(D + "11:30:00+08:00")], None, None),
    (
        "big_afternoon",
        {"amount": 800.0, "created_at": D + "16:45:00+08:00"},
        [sms(D + "16:55:00+08:00"), phone(D + "19:55:00+08:00")],
        None,
        None,
    ),
    (
        "big_evening",
        {"amount": 500.0, "created_at": D + "20:00:00+08:00"},
        [sms(N + "09:30:00+08:00"), phone(N + "12:30:00+08:00")],
        None,
        None,
    ),
    (
        "big_late_night",
        {"amount": 999.0, "created_at": D + "02:00:00+08:00"},
        [sms(D + "10:30:00+08:00"), phone(D + "13:30:00+08:00")],
        None,
        None,
    ),
    (
        "online_big_im_then_sms",
        {"amount": 500, "buyer_online": True, "created_at": D + "10:00:00+08:00"},
        [im(D + "10:10:00+08:00"), sms(D + "13:10:00+08:00")],
        None,
        None,
    ),
    (
        "online_big_second_at_2200_moves",
        {"amount": 500, "buyer_online": True, "created_at": D + "18:50:00+08:00"},
        [im(D + "19:00:00+08:00"), sms(N + "09:30:00+08:00")],
        None,
        None,
    ),
    (
        "online_big_second_at_2159_stays",
        {"amount": 500, "buyer_online": True, "created_at": D + "18:49:00+08:00"},
        [im(D + "18:59:00+08:00"), sms(D + "21:59:00+08:00")],
        None,
        None,
    ),
    (
        "online_big_second_0750_same_day",
        {"amount": 500, "buyer_online": True, "created_at": D + "04:40:00+08:00"},
        [im(D + "04:50:00+08:00"), sms(D + "09:30:00+08:00")],
        None,
        None,
    ),
    (
        "online_big_second_at_0800_not_quiet",
        {"amount": 500, "buyer_online": True, "created_at": D + "04:50:00+08:00"},
        [im(D + "05:00:00+08:00"), sms(D + "08:00:00+08:00")],
        None,
        None,
    ),
    (
        "online_big_second_0100_next_day",
        {"amount": 600, "buyer_online": True, "created_at": D + "21:50:00+08:00"},
        [im(D + "22:00:00+08:00"), sms(N + "09:30:00+08:00")],
        None,
        None,
    ),
    # --- partial shop configs merged over defaults
    (
        "shop_second_after_6h_phone_moves",
        {"amount": 500, "created_at": D + "16:45:00+08:00"},
        [sms(D + "16:55:00+08:00"), phone(N + "09:30:00+08:00")],
        {"reminders": {"second_after_hours": 6}},
        None,
    ),
    (
        "shop_late_night_slot_0800_not_quiet",
        {"created_at": D + "03:00:00+08:00"},
        [sms(D + "08:00:00+08:00")],
        {"reminders": {"slot_times": {"late_night": "08:00"}}},
        None,
    ),
    (
        "shop_late_night_slot_0759_quiet_im",
        {"created_at": D + "03:00:00+08:00", "amount": 500},
        [im(D + "07:59:00+08:00"), sms(D + "10:59:00+08:00")],
        {"reminders": {"slot_times": {"late_night": "07:59"}}},
        None,
    ),
    (
        "shop_partial_slot_keeps_other_slots",
        {"created_at": D + "10:15:00+08:00"},
        [sms(D + "11:30:00+08:00")],
        {"reminders": {"slot_times": {"late_night": "07:59"}}},
        None,
    ),
    (
        "shop_big_order_amount_100",
        {"amount": 150.0},
        [sms(D + "11:30:00+08:00"), phone(D + "14:30:00+08:00")],
        {"reminders": {"big_order_amount": 100}},
        None,
    ),
    (
        "shop_im_delay_30",
        {"created_at": D + "11:05:00+08:00"},
        [sms(D + "11:35:00+08:00")],
        {"reminders": {"im_delay_minutes": 30}},
        None,
    ),
]


@pytest.mark.parametrize(
    ("overrides", "expected", "shop"),
    [
        pytest.param(o, e, s, id=cid, marks=[xfail(x)] if x else [])
        for cid, o, e, s, x in REMINDER_CASES
    ],
)
def test_reminders_plan(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    overrides: dict[str, Any],
    expected: list[Any],
    shop: dict[str, Any] | None,
) -> None:
    rec = order("o1", **overrides)
    check_batch(
        tmp_path,
        capsys,
        ["reminders", "plan"],
        [rec],
        [{"order_id": "o1", "reminders": expected}],
        shop=shop,
        now="2030-01-01T00:00:00+08:00",  # the plan must not depend on now
    )


def test_reminders_plan_bad_lines_in_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = order("o3")
    del missing["buyer_id"]
    lines: list[Any] = [
        order("o1"),
        "{not json",
        missing,
        order("o4", amount="lots"),
        order("o5", items="none"),
        order("o6", created_at=D + "10:15:00+08:00"),
    ]
    expected = [
        {"order_id": "o1", "reminders": [sms(D + "11:30:00+08:00")]},
        {"line": 2, "error": ANY_STR},
        {"line": 3, "error": ANY_STR},
        {"line": 4, "error": ANY_STR},
        {"line": 5, "error": ANY_STR},
        {"order_id": "o6", "reminders": [sms(D + "11:30:00+08:00")]},
    ]
    check_batch(tmp_path, capsys, ["reminders", "plan"], lines, expected)


def test_missing_required_field_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = order("o3")
    del missing["created_at"]
    src = write_lines(tmp_path / "in.jsonl", [missing])
    code, out, _ = run_cli(["reminders", "plan", str(src)], capsys)
    row = json.loads(out)
    assert code == 1
    assert row["line"] == 1 and "created_at" in row["error"]


# =========================================================================== orders triage

NOW = "2026-11-25T12:00:00+08:00"


def paid(order_id: str, paid_at: str = "2026-11-25T10:00:00+08:00", **kw: Any) -> dict[str, Any]:
    kw.setdefault("created_at", "2026-11-25T09:00:00+08:00")
    return order(order_id, status="paid", paid_at=paid_at, **kw)


# (case id, order, expected flags, shop or None, xfail reason or None); each order runs alone
TRIAGE_SINGLE: list[tuple[str, dict[str, Any], list[str], dict[str, Any] | None, str | None]] = [
    ("clean_paid", paid("t"), [], None, None),
    (
        "free_ship_xinjiang_short",
        paid("t", free_shipping=True, address={"province": "新疆"}),
        ["FREE_SHIPPING_INELIGIBLE"],
        None,
        None,
    ),
    (
        "free_ship_neimenggu_short",
        paid("t", free_shipping=True, address={"province": "内蒙古"}),
        ["FREE_SHIPPING_INELIGIBLE"],
        None,
        None,
    ),
    (
        "free_ship_xinjiang_full",
        paid("t", free_shipping=True, address={"province": "新疆维吾尔自治区"}),
        ["FREE_SHIPPING_INELIGIBLE"],
        None,
        None,
    ),
    (
        "no_free_ship_xinjiang",
        paid("t", free_shipping=False, address={"province": "新疆"}),
        [],
        None,
        None,
    ),
    ("free_ship_zhejiang_ok", paid("t", free_shipping=True), [], None, None),
    (
        "free_ship_min_amount_below",
        paid("t", free_shipping=True, amount=98.99),
        ["FREE_SHIPPING_INELIGIBLE"],
        {"free_shipping_min_amount": 99},
        None,
    ),
    (
        "free_ship_min_amount_equal",
        paid("t", free_shipping=True, amount=99),
        [],
        {"free_shipping_min_amount": 99},
        None,
    ),
    (
        "free_ship_excluded_list_replaced_short_name",
        paid("t", free_shipping=True, address={"province": "广东省"}),
        ["FREE_SHIPPING_INELIGIBLE"],
        {"free_shipping_excluded_provinces": ["广东"]},
        None,
    ),
    (
        "free_ship_status_completed_still_flagged",
        order(
            "t",
            status="completed",
            paid_at="2026-11-20T10:00:00+08:00",
            shipped_at="2026-11-21T10:00:00+08:00",
            free_shipping=True,
            address={"province": "西藏"},
        ),
        ["FREE_SHIPPING_INELIGIBLE"],
        None,
        None,
    ),
    (
        "hongkong_short_yto",
        paid("t", courier="YTO", address={"province": "香港"}),
        ["HMT_NON_SF"],
        None,
        None,
    ),
    (
        "hongkong_full_sf",
        paid("t", courier="SF", address={"province": "香港特别行政区"}),
        [],
        None,
        None,
    ),
    (
        "macao_shipped_zto",
        order(
            "t",
            status="shipped",
            paid_at="2026-11-24T10:00:00+08:00",
            shipped_at="2026-11-24T12:00:00+08:00",
            courier="ZTO",
            address={"province": "澳门"},
        ),
        ["HMT_NON_SF"],
        None,
        None,
    ),
    (
        "taiwan_ems",
        paid("t", courier="EMS", address={"province": "台湾"}),
        ["HMT_NON_SF"],
        None,
        None,
    ),
    (
        "hmt_courier_configured_ems",
        paid("t", courier="EMS", address={"province": "台湾省"}),
        [],
        {"hmt_courier": "EMS"},
        None,
    ),
    (
        "out_of_area_short_vs_full",
        paid("t", address={"province": "西藏"}),
        ["OUT_OF_AREA"],
        {"delivery_excluded_provinces": ["西藏自治区"]},
        None,
    ),
    (
        "out_of_area_and_free_ship",
        paid("t", free_shipping=True, address={"province": "西藏自治区"}),
        ["FREE_SHIPPING_INELIGIBLE", "OUT_OF_AREA"],
        {"delivery_excluded_provinces": ["西藏"]},
        None,
    ),
    (
        "unknown_province",
        paid("t", address={"province": "火星省"}),
        ["ADDRESS_INCOMPLETE"],
        None,
        None,
    ),
    ("empty_city", paid("t", address={"city": ""}), ["ADDRESS_INCOMPLETE"], None, None),
    ("detail_3_chars", paid("t", address={"detail": "12号"}), ["ADDRESS_INCOMPLETE"], None, None),
    ("detail_4_chars_ok", paid("t", address={"detail": "文三路1"}), [], None, None),
    (
        "municipality_short",
        paid(
            "t",
            address={
                "province": "上海",
                "city": "上海市",
                "district": "浦东新区",
                "detail": "世纪大道100号",
            },
        ),
        [],
        None,
        None,
    ),
    (
        "incomplete_on_completed_order",
        order(
            "t",
            status="completed",
            paid_at="2026-11-20T10:00:00+08:00",
            shipped_at="2026-11-21T10:00:00+08:00",
            address={"detail": "1"},
        ),
        ["ADDRESS_INCOMPLETE"],
        None,
        None,
    ),
    ("note_chinese", paid("t", buyer_note="快点发货"), ["BUYER_NOTE"], None, None),
    ("note_emoji_punct_only", paid("t", buyer_note="😊👍！！。。。，？"), [], None, None),
    ("note_whitespace_only", paid("t", buyer_note="  \t \u3000 "), [], None, None),
    ("note_kaomoji_symbols", paid("t", buyer_note="~^_^~ ❤️ 🇨🇳 ..."), [], None, None),
    ("note_digits", paid("t", buyer_note="123"), ["BUYER_NOTE"], None, None),
    ("note_latin_with_punct", paid("t", buyer_note="ok!!"), ["BUYER_NOTE"], None, None),
    ("note_fullwidth_letters", paid("t", buyer_note="ＸＬ"), ["BUYER_NOTE"], None, None),
    ("note_unpaid", order("t", buyer_note="送人的，别放发票"), ["BUYER_NOTE"], None, None),
    (
        "note_on_shipped_order",
        order(
            "t",
            status="shipped",
            paid_at="2026-11-24T10:00:00+08:00",
            shipped_at="2026-11-24T12:00:00+08:00",
            buyer_note="快点",
        ),
        [],
        None,
        None,
    ),
    ("cod_unpaid", order("t", payment_method="cod"), ["COD_CONFIRM"], None, None),
    (
        "cod_shipped",
        order("t", payment_method="cod", status="shipped", shipped_at="2026-11-24T12:00:00+08:00"),
        [],
        None,
        None,
    ),
    (
        "address_changed_paid",
        paid("t", address_changed_after_payment=True),
        ["ADDRESS_CHANGED"],
        None,
        None,
    ),
    (
        "address_changed_shipped",
        order(
            "t",
            status="shipped",
            paid_at="2026-11-24T10:00:00+08:00",
            shipped_at="2026-11-24T12:00:00+08:00",
            address_changed_after_payment=True,
        ),
        [],
        None,
        None,
    ),
    # SHIP_LATE_RISK / SHIP_LATE boundaries, now = 2026-11-25T12:00+08:00
    ("paid_47h59m", paid("t", paid_at="2026-11-23T12:01:00+08:00"), [], None, None),
    (
        "paid_exactly_48h_risk",
        paid("t", paid_at="2026-11-23T12:00:00+08:00"),
        ["SHIP_LATE_RISK"],
        None,
        None,
    ),
    (
        "paid_exactly_72h_risk",
        paid("t", paid_at="2026-11-22T12:00:00+08:00"),
        ["SHIP_LATE_RISK"],
        None,
        None,
    ),
    ("paid_72h_1s_late", paid("t", paid_at="2026-11-22T11:59:59+08:00"), ["SHIP_LATE"], None, None),
    ("paid_72h_utc", paid("t", paid_at="2026-11-22T03:59:59Z"), ["SHIP_LATE"], None, None),
    (
        "paid_no_offset_local",
        paid("t", paid_at="2026-11-23T12:00:00"),
        ["SHIP_LATE_RISK"],
        None,
        None,
    ),
    (
        "presale_late_never",
        paid("t", paid_at="2026-11-20T12:00:00+08:00", presale=True),
        [],
        None,
        None,
    ),
    (
        "customized_risk_never",
        paid("t", paid_at="2026-11-23T00:00:00+08:00", customized=True),
        [],
        None,
        None,
    ),
    (
        "paid_with_shipped_at_not_late",
        paid("t", paid_at="2026-11-20T12:00:00+08:00", shipped_at="2026-11-24T12:00:00+08:00"),
        [],
        None,
        None,
    ),
    (
        "shipped_status_old_paid",
        order(
            "t",
            status="shipped",
            paid_at="2026-11-20T12:00:00+08:00",
            shipped_at="2026-11-24T12:00:00+08:00",
        ),
        [],
        None,
        None,
    ),
    (
        "shop_ship_hours_partial",
        paid("t", paid_at="2026-11-24T11:00:00+08:00"),
        ["SHIP_LATE"],
        {"ship_within_hours": 24, "ship_risk_hours": 12},
        None,
    ),
    (
        "many_flags_sorted",
        order(
            "t",
            payment_method="cod",
            buyer_note="周末送",
            free_shipping=True,
            courier="YTO",
            address={"province": "香港", "detail": "x"},
            address_changed_after_payment=True,
        ),
        ["ADDRESS_CHANGED", "ADDRESS_INCOMPLETE", "BUYER_NOTE", "COD_CONFIRM", "HMT_NON_SF"],
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("rec", "expected", "shop"),
    [
        pytest.param(r, e, s, id=cid, marks=[xfail(x)] if x else [])
        for cid, r, e, s, x in TRIAGE_SINGLE
    ],
)
def test_triage_single(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    rec: dict[str, Any],
    expected: list[str],
    shop: dict[str, Any] | None,
) -> None:
    check_batch(
        tmp_path,
        capsys,
        ["orders", "triage"],
        [rec],
        [{"order_id": rec["order_id"], "flags": expected}],
        shop=shop,
        now=NOW,
    )


def test_triage_multi_address(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [
        # b1: same address written two ways (short province, extra whitespace) -> not flagged
        order("m1", buyer_id="b1"),
        paid(
            "m2",
            buyer_id="b1",
            address={
                "province": "浙江",
                "detail": "文三路 123号 ",
                "name": "李四",
                "phone": "13900000000",
            },
        ),
        # b2: two open orders, different detail -> both flagged; a shipped third is not
        paid("m3", buyer_id="b2"),
        order("m4", buyer_id="b2", address={"detail": "文一路8号"}),
        order(
            "m5",
            buyer_id="b2",
            status="shipped",
            paid_at="2026-11-25T08:00:00+08:00",
            shipped_at="2026-11-25T09:00:00+08:00",
            address={"detail": "莫干山路1号"},
        ),
        # b3: one open order and one completed at another address -> not flagged
        order("m6", buyer_id="b3"),
        order("m7", buyer_id="b3", status="completed", address={"city": "宁波市"}),
        # b4: A, A, B -> all three flagged
        order("m8", buyer_id="b4"),
        order("m9", buyer_id="b4"),
        order("m10", buyer_id="b4", address={"district": "拱墅区"}),
    ]
    flags = {
        "m1": [],
        "m2": [],
        "m3": ["MULTI_ADDRESS"],
        "m4": ["MULTI_ADDRESS"],
        "m5": [],
        "m6": [],
        "m7": [],
        "m8": ["MULTI_ADDRESS"],
        "m9": ["MULTI_ADDRESS"],
        "m10": ["MULTI_ADDRESS"],
    }
    expected = [{"order_id": r["order_id"], "flags": flags[r["order_id"]]} for r in lines]
    check_batch(tmp_path, capsys, ["orders", "triage"], lines, expected, now=NOW)


def stock_batch() -> tuple[list[Any], dict[str, int], dict[str, list[str]]]:
    lines = [
        # paid first by paid_at: s2 (09:30, given in UTC) before s1 (10:00)
        paid(
            "s1",
            paid_at="2026-11-25T10:00:00+08:00",
            created_at="2026-11-25T09:00:00+08:00",
            items=items(("A", 2)),
        ),
        paid(
            "s2",
            paid_at="2026-11-25T01:30:00Z",
            created_at="2026-11-25T09:20:00+08:00",
            items=items(("A", 2)),
        ),
        # unpaid after all paid ones, even though created earlier
        order("s3", created_at="2026-11-25T07:00:00+08:00", items=items(("A", 1))),
        order("s4", created_at="2026-11-25T08:00:00+08:00", items=items(("A", 1))),
        # shipped orders take no stock
        order(
            "s5",
            status="shipped",
            paid_at="2026-11-25T05:00:00+08:00",
            shipped_at="2026-11-25T06:00:00+08:00",
            items=items(("A", 5)),
        ),
        # SKU missing from the stock file counts as in stock
        paid("s6", paid_at="2026-11-25T11:00:00+08:00", items=items(("C", 100))),
        paid("s7", paid_at="2026-11-25T11:30:00+08:00", items=items(("B", 1), ("C", 1))),
        # not fully covered (E short) -> reserves nothing, so s9 still gets the last D
        order("s8", created_at="2026-11-25T08:30:00+08:00", items=items(("D", 1), ("E", 2))),
        order("s9", created_at="2026-11-25T08:40:00+08:00", items=items(("D", 1))),
        # tie on created_at -> order_id decides
        order("s-b", created_at="2026-11-25T08:50:00+08:00", items=items(("X", 1))),
        order("s-a", created_at="2026-11-25T08:50:00+08:00", items=items(("X", 1))),
        # the same SKU on two lines of one order adds up
        order("s10", created_at="2026-11-25T08:55:00+08:00", items=items(("F", 1), ("F", 1))),
    ]
    stock = {"A": 3, "B": 0, "D": 1, "E": 1, "X": 1, "F": 1}
    flags = {
        "s1": ["OUT_OF_STOCK"],
        "s2": [],
        "s3": [],
        "s4": ["OUT_OF_STOCK"],
        "s5": [],
        "s6": [],
        "s7": ["OUT_OF_STOCK"],
        "s8": ["OUT_OF_STOCK"],
        "s9": [],
        "s-b": ["OUT_OF_STOCK"],
        "s-a": [],
        "s10": ["OUT_OF_STOCK"],
    }
    return lines, stock, flags


def test_triage_stock(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines, stock, flags = stock_batch()
    stock_file = write_json(tmp_path / "stock.json", stock)
    expected = [{"order_id": r["order_id"], "flags": flags[r["order_id"]]} for r in lines]
    check_batch(
        tmp_path,
        capsys,
        ["orders", "triage"],
        lines,
        expected,
        now=NOW,
        extra=["--stock", str(stock_file)],
    )


def test_triage_without_stock_everything_in_stock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines, _, _ = stock_batch()
    expected = [{"order_id": r["order_id"], "flags": []} for r in lines]
    check_batch(tmp_path, capsys, ["orders", "triage"], lines, expected, now=NOW)


def test_triage_bad_line_does_not_break_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines: list[Any] = [
        paid("g1", buyer_id="bb"),
        "[1, 2",
        order("g2", buyer_id="bb", address={"detail": "另一个地址99号"}),
        {**order("g3"), "address": "浙江杭州"},
    ]
    expected = [
        {"order_id": "g1", "flags": ["MULTI_ADDRESS"]},
        {"line": 2, "error": ANY_STR},
        {"order_id": "g2", "flags": ["MULTI_ADDRESS"]},
        {"line": 4, "error": ANY_STR},
    ]
    check_batch(tmp_path, capsys, ["orders", "triage"], lines, expected, now=NOW)


# =========================================================================== late shipment

LATE_NOW = "2026-11-25T12:00:00+08:00"
DL = "2026-11-23T10:00:00+08:00"  # deadline for paid_at 2026-11-20T10:00+08:00


def late_row(
    oid: str, deadline: str | None, late: bool, comp: float, points: int
) -> dict[str, Any]:
    return {
        "order_id": oid,
        "deadline": deadline,
        "late": late,
        "compensation": comp,
        "points": points,
    }


P20 = "2026-11-20T10:00:00+08:00"

LATE_CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any] | None, str | None]] = [
    (
        "shipped_at_deadline_not_late",
        order("x", status="shipped", paid_at=P20, shipped_at=DL, amount=12.5),
        late_row("x", DL, False, 0, 0),
        None,
        None,
    ),
    (
        "shipped_1s_after_deadline_12_50",
        order(
            "x", status="shipped", paid_at=P20, shipped_at="2026-11-23T10:00:01+08:00", amount=12.5
        ),
        late_row("x", DL, True, 0.63, 3),
        None,
        None,
    ),
    (
        "half_up_12_30",
        order(
            "x", status="signed", paid_at=P20, shipped_at="2026-11-24T10:00:00+08:00", amount=12.3
        ),
        late_row("x", DL, True, 0.62, 3),
        None,
        None,
    ),
    (
        "half_up_2_50",
        order(
            "x", status="completed", paid_at=P20, shipped_at="2026-11-24T10:00:00+08:00", amount=2.5
        ),
        late_row("x", DL, True, 0.13, 3),
        None,
        None,
    ),
    (
        "round_down_12_49",
        order(
            "x", status="shipped", paid_at=P20, shipped_at="2026-11-24T10:00:00+08:00", amount=12.49
        ),
        late_row("x", DL, True, 0.62, 3),
        None,
        None,
    ),
    (
        "cap_exactly_600",
        order(
            "x", status="shipped", paid_at=P20, shipped_at="2026-11-24T10:00:00+08:00", amount=600
        ),
        late_row("x", DL, True, 30, 3),
        None,
        None,
    ),
    (
        "cap_1000",
        order(
            "x", status="shipped", paid_at=P20, shipped_at="2026-11-24T10:00:00+08:00", amount=1000
        ),
        late_row("x", DL, True, 30, 3),
        None,
        None,
    ),
    (
        "unshipped_now_equals_deadline",
        order("x", status="paid", paid_at="2026-11-22T12:00:00+08:00", amount=100),
        late_row("x", "2026-11-25T12:00:00+08:00", False, 0, 0),
        None,
        None,
    ),
    (
        "unshipped_now_after_deadline",
        order("x", status="paid", paid_at="2026-11-22T11:59:59+08:00", amount=100),
        late_row("x", "2026-11-25T11:59:59+08:00", True, 5, 3),
        None,
        None,
    ),
    (
        "paid_at_utc_output_local",
        order("x", status="paid", paid_at="2026-11-24T02:00:00Z", amount=100),
        late_row("x", "2026-11-27T10:00:00+08:00", False, 0, 0),
        None,
        None,
    ),
    (
        "paid_at_no_offset",
        order("x", status="paid", paid_at="2026-11-24T10:00:00", amount=100),
        late_row("x", "2026-11-27T10:00:00+08:00", False, 0, 0),
        None,
        None,
    ),
    (
        "presale_null",
        order("x", status="paid", paid_at=P20, amount=100, presale=True),
        late_row("x", None, False, 0, 0),
        None,
        None,
    ),
    (
        "customized_null",
        order(
            "x",
            status="shipped",
            paid_at=P20,
            shipped_at="2026-11-24T10:00:00+08:00",
            amount=100,
            customized=True,
        ),
        late_row("x", None, False, 0, 0),
        None,
        None,
    ),
    (
        "unpaid_null",
        order("x", status="unpaid", amount=100),
        late_row("x", None, False, 0, 0),
        None,
        None,
    ),
    (
        "shop_rate_partial_keeps_cap_points",
        order("x", status="paid", paid_at=P20, amount=100),
        late_row("x", DL, True, 10, 3),
        {"late_shipment": {"rate": 0.1}},
        None,
    ),
    (
        "shop_cap_partial",
        order("x", status="paid", paid_at=P20, amount=1000),
        late_row("x", DL, True, 20, 3),
        {"late_shipment": {"cap": 20}},
        None,
    ),
    (
        "shop_ship_within_48",
        order(
            "x", status="shipped", paid_at=P20, shipped_at="2026-11-22T10:00:01+08:00", amount=100
        ),
        late_row("x", "2026-11-22T10:00:00+08:00", True, 5, 3),
        {"ship_within_hours": 48},
        None,
    ),
]


@pytest.mark.parametrize(
    ("rec", "expected", "shop"),
    [
        pytest.param(r, e, s, id=cid, marks=[xfail(x)] if x else [])
        for cid, r, e, s, x in LATE_CASES
    ],
)
def test_late_shipment(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    rec: dict[str, Any],
    expected: dict[str, Any],
    shop: dict[str, Any] | None,
) -> None:
    check_batch(
        tmp_path, capsys, ["policy", "late-shipment"], [rec], [expected], shop=shop, now=LATE_NOW
    )


def test_late_shipment_shipped_status_without_shipped_at(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """formats.md: "Not shipped" means status unpaid or paid with no shipped_at, so a
    `completed` order lacking `shipped_at` has shipped (time unknown): not late."""
    rec = order("x", status="completed", paid_at=P20, amount=100)
    check_batch(
        tmp_path,
        capsys,
        ["policy", "late-shipment"],
        [rec],
        [late_row("x", DL, False, 0, 0)],
        now=LATE_NOW,
    )


def test_late_shipment_now_matters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rec = order("x", status="paid", paid_at=P20, amount=100)
    check_batch(
        tmp_path,
        capsys,
        ["policy", "late-shipment"],
        [rec],
        [late_row("x", DL, False, 0, 0)],
        now="2026-11-23T10:00:00+08:00",
    )


# =========================================================================== shipping quote


def quote(qid: str, courier: str, province: str, weight: Any, dims: Any = None) -> dict[str, Any]:
    rec: dict[str, Any] = {"id": qid, "courier": courier, "province": province, "weight_kg": weight}
    if dims is not None:
        rec["dims_cm"] = dims
    return rec


QUOTE_CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any] | None, str | None]] = [
    (
        "sf_zhejiang_1kg",
        quote("q", "SF", "浙江省", 1.0),
        {"id": "q", "chargeable_kg": 1, "fee": 14},
        None,
        None,
    ),
    (
        "sf_zhejiang_short_2_3kg",
        quote("q", "SF", "浙江", 2.3),
        {"id": "q", "chargeable_kg": 3, "fee": 18},
        None,
        None,
    ),
    (
        "sf_shanghai_short",
        quote("q", "SF", "上海", 2),
        {"id": "q", "chargeable_kg": 2, "fee": 16},
        None,
        None,
    ),
    (
        "sf_jiangsu_5kg_exact",
        quote("q", "SF", "江苏省", 5.0),
        {"id": "q", "chargeable_kg": 5, "fee": 22},
        None,
        None,
    ),
    (
        "sf_xinjiang_short_light",
        quote("q", "SF", "新疆", 0.2),
        {"id": "q", "chargeable_kg": 1, "fee": 22},
        None,
        None,
    ),
    (
        "sf_beijing_zero_weight",
        quote("q", "SF", "北京市", 0),
        {"id": "q", "chargeable_kg": 1, "fee": 22},
        None,
        None,
    ),
    (
        "sf_guangdong_3kg",
        quote("q", "SF", "广东", 3),
        {"id": "q", "chargeable_kg": 3, "fee": 34},
        None,
        None,
    ),
    (
        "yto_shanghai_volumetric",
        quote("q", "YTO", "上海市", 1, [40, 30, 20]),
        {"id": "q", "chargeable_kg": 3, "fee": 7},
        None,
        None,
    ),
    (
        "sf_shanghai_volumetric",
        quote("q", "SF", "上海市", 1, [40, 30, 20]),
        {"id": "q", "chargeable_kg": 4, "fee": 20},
        None,
        None,
    ),
    (
        "sf_volumetric_fractional_dims",
        quote("q", "SF", "浙江", 1, [35.5, 20, 10]),
        {"id": "q", "chargeable_kg": 2, "fee": 16},
        None,
        None,
    ),
    (
        "sf_small_box_weight_wins",
        quote("q", "SF", "广东省", 2.5, [10, 10, 10]),
        {"id": "q", "chargeable_kg": 3, "fee": 34},
        None,
        None,
    ),
    (
        "yto_hongkong_star_rate",
        quote("q", "YTO", "香港", 1),
        {"id": "q", "chargeable_kg": 1, "fee": 8},
        None,
        None,
    ),
    (
        "yto_unknown_province_star",
        quote("q", "YTO", "火星", 2),
        {"id": "q", "chargeable_kg": 2, "fee": 12},
        None,
        None,
    ),
    (
        "sf_neimenggu_short",
        quote("q", "SF", "内蒙古", 1.01),
        {"id": "q", "chargeable_kg": 2, "fee": 28},
        None,
        None,
    ),
    (
        "unknown_courier_line_error",
        quote("q", "ZTO", "浙江省", 1),
        {"line": 1, "error": ANY_STR},
        None,
        None,
    ),
    (
        "added_courier_merged",
        quote("q", "ZTO", "浙江省", 2),
        {"id": "q", "chargeable_kg": 2, "fee": 5.75},
        {
            "couriers": {
                "ZTO": {
                    "volumetric_divisor": 8000,
                    "rates": [
                        {"provinces": ["浙江"], "first_kg": 4.5, "extra_kg": 1.25},
                        {"provinces": "*", "first_kg": 9, "extra_kg": 5},
                    ],
                }
            }
        },
        None,
    ),
    (
        "added_courier_keeps_sf",
        quote("q", "SF", "浙江省", 2),
        {"id": "q", "chargeable_kg": 2, "fee": 16},
        {
            "couriers": {
                "ZTO": {
                    "volumetric_divisor": 8000,
                    "rates": [{"provinces": "*", "first_kg": 9, "extra_kg": 5}],
                }
            }
        },
        None,
    ),
    (
        "bad_weight_type",
        quote("q", "SF", "浙江省", "heavy"),
        {"line": 1, "error": ANY_STR},
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("rec", "expected", "shop"),
    [
        pytest.param(r, e, s, id=cid, marks=[xfail(x)] if x else [])
        for cid, r, e, s, x in QUOTE_CASES
    ],
)
def test_shipping_quote(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    rec: dict[str, Any],
    expected: dict[str, Any],
    shop: dict[str, Any] | None,
) -> None:
    check_batch(tmp_path, capsys, ["policy", "shipping-quote"], [rec], [expected], shop=shop)


def test_shipping_quote_missing_province(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        {"id": "q1", "courier": "SF", "weight_kg": 1},
        quote("q2", "SF", "浙江", 1),
    ]
    expected = [{"line": 1, "error": ANY_STR}, {"id": "q2", "chargeable_kg": 1, "fee": 14}]
    check_batch(tmp_path, capsys, ["policy", "shipping-quote"], lines, expected)


# =========================================================================== returns

SIGNED = "2026-11-10T15:00:00+08:00"


def ret(
    category: str,
    reason: str,
    requested_at: str,
    *,
    photos: int | None = None,
    condition: dict[str, bool] | None = None,
    **kw: Any,
) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "id": "r",
        "category": category,
        "reason": reason,
        "signed_at": kw.pop("signed_at", SIGNED),
        "requested_at": requested_at,
    }
    if photos is not None:
        rec["evidence_photos"] = photos
    if condition is not None:
        rec["condition"] = condition
    rec.update(kw)
    return rec


def decision(dec: str, code: str, payer: str | None, orig: bool | None) -> dict[str, Any]:
    return {
        "id": "r",
        "decision": dec,
        "code": code,
        "return_shipping_payer": payer,
        "buyer_pays_original_shipping": orig,
    }


NEED = decision("need_evidence", "NEED_EVIDENCE", None, None)
A_RET = decision("return", "APPLIANCE_RETURN", "seller", False)
A_EXC = decision("exchange", "APPLIANCE_EXCHANGE", "seller", False)
A_REP = decision("repair", "APPLIANCE_REPAIR", "seller", False)
OOW = decision("reject", "OUT_OF_WARRANTY", None, None)
FAULT = decision("return", "SELLER_FAULT", "seller", False)
CUST = decision("reject", "CUSTOMIZED", None, None)
PERISH = decision("reject", "PERISHABLE", None, None)
OVER = decision("reject", "OVER_NO_REASON_DAYS", None, None)
OPENED = decision("reject", "OPENED", None, None)
USED = decision("reject", "USED", None, None)
PACK = decision("reject", "PACKAGING", None, None)
OK = decision("return", "NO_REASON_OK", "buyer", True)

R = "2026-11-"
RETURN_CASES: list[
    tuple[str, dict[str, Any], dict[str, Any], dict[str, Any] | None, str | None]
] = [
    ("r1_quality_no_photos", ret("apparel", "quality", R + "12T09:00:00+08:00"), NEED, None, None),
    (
        "r1_appliance_damaged_zero_photos",
        ret("small_appliance", "damaged", R + "12T09:00:00+08:00", photos=0),
        NEED,
        None,
        None,
    ),
    (
        "r1_wrong_item_old_but_no_photos",
        ret("apparel", "wrong_item", "2027-03-01T09:00:00+08:00"),
        NEED,
        None,
        None,
    ),
    (
        "r2_appliance_day_7_exact",
        ret("small_appliance", "quality", R + "17T15:00:00+08:00", photos=2),
        A_RET,
        None,
        None,
    ),
    (
        "r3_appliance_7_days_1s",
        ret("small_appliance", "quality", R + "17T15:00:01+08:00", photos=2),
        A_EXC,
        None,
        None,
    ),
    (
        "r3_appliance_day_15_exact",
        ret("small_appliance", "quality", R + "25T15:00:00+08:00", photos=1),
        A_EXC,
        None,
        None,
    ),
    (
        "r4_appliance_15_days_1min",
        ret("small_appliance", "quality", R + "25T15:01:00+08:00", photos=1),
        A_REP,
        None,
        None,
    ),
    (
        "r4_appliance_day_365_exact",
        ret("small_appliance", "quality", "2027-11-10T15:00:00+08:00", photos=1),
        A_REP,
        None,
        None,
    ),
    (
        "r5_appliance_365_days_1s",
        ret("small_appliance", "quality", "2027-11-10T15:00:01+08:00", photos=1),
        OOW,
        None,
        None,
    ),
    (
        "r6_appliance_damaged_seller_fault",
        ret("small_appliance", "damaged", R + "30T15:00:00+08:00", photos=1),
        FAULT,
        None,
        None,
    ),
    (
        "r6_appliance_not_as_described_day_30",
        ret("small_appliance", "not_as_described", "2026-12-10T15:00:00+08:00", photos=1),
        FAULT,
        None,
        None,
    ),
    (
        "r7_appliance_wrong_item_30_5_days",
        ret("small_appliance", "wrong_item", "2026-12-11T03:00:00+08:00", photos=1),
        OOW,
        None,
        None,
    ),
    (
        "r6_apparel_wrong_item",
        ret("apparel", "wrong_item", R + "13T15:00:00+08:00", photos=3),
        FAULT,
        None,
        None,
    ),
    (
        "r7_apparel_not_as_described_31_days",
        ret("apparel", "not_as_described", "2026-12-11T15:00:00+08:00", photos=3),
        OOW,
        None,
        None,
    ),
    (
        "r6_seller_side_ignores_customized_and_used",
        ret(
            "apparel",
            "quality",
            R + "13T15:00:00+08:00",
            photos=1,
            customized=True,
            condition={"used": True, "washed": True},
        ),
        FAULT,
        None,
        None,
    ),
    (
        "r8_customized",
        ret("apparel", "size", R + "11T15:00:00+08:00", customized=True),
        CUST,
        None,
        None,
    ),
    (
        "r8_customized_beats_perishable_and_days",
        ret("food", "dislike", R + "30T15:00:00+08:00", customized=True, perishable=True),
        CUST,
        None,
        None,
    ),
    (
        "r9_perishable_food",
        ret("food", "dislike", R + "11T15:00:00+08:00", perishable=True),
        PERISH,
        None,
        None,
    ),
    (
        "r9_perishable_beats_days",
        ret("food", "no_reason", R + "25T15:00:00+08:00", perishable=True),
        PERISH,
        None,
        None,
    ),
    (
        "r9_perishable_flag_on_non_food",
        ret("apparel", "no_reason", R + "11T15:00:00+08:00", perishable=True),
        OK,
        None,
        None,
    ),
    ("r10_7_days_1h", ret("apparel", "no_reason", R + "17T16:00:00+08:00"), OVER, None, None),
    (
        "r10_beats_used",
        ret("apparel", "size", R + "20T16:00:00+08:00", condition={"used": True}),
        OVER,
        None,
        None,
    ),
    ("r14_day_7_exact", ret("apparel", "no_reason", R + "17T15:00:00+08:00"), OK, None, None),
    (
        "r11_daily_chemical_seal_broken",
        ret(
            "daily_chemical", "no_reason", R + "12T15:00:00+08:00", condition={"seal_broken": True}
        ),
        OPENED,
        None,
        None,
    ),
    (
        "r11_food_used",
        ret("food", "dislike", R + "12T15:00:00+08:00", condition={"used": True}),
        OPENED,
        None,
        None,
    ),
    (
        "r11_daily_chemical_used_not_USED",
        ret(
            "daily_chemical",
            "size",
            R + "12T15:00:00+08:00",
            condition={"used": True, "washed": True},
        ),
        OPENED,
        None,
        None,
    ),
    (
        "r11_seal_broken_apparel_is_fine",
        ret("apparel", "dislike", R + "12T15:00:00+08:00", condition={"seal_broken": True}),
        OK,
        None,
        None,
    ),
    (
        "r12_washed",
        ret("apparel", "size", R + "12T15:00:00+08:00", condition={"washed": True}),
        USED,
        None,
        None,
    ),
    (
        "r12_used_digital",
        ret(
            "digital",
            "dislike",
            R + "12T15:00:00+08:00",
            condition={"used": True, "packaging_intact": False},
        ),
        USED,
        None,
        None,
    ),
    (
        "r13_packaging",
        ret(
            "home_textile",
            "no_reason",
            R + "12T15:00:00+08:00",
            condition={"used": False, "packaging_intact": False},
        ),
        PACK,
        None,
        None,
    ),
    (
        "r14_no_condition",
        ret("small_appliance", "no_reason", R + "12T15:00:00+08:00"),
        OK,
        None,
        None,
    ),
    (
        "r14_packaging_defaults_true",
        ret("apparel", "size", R + "12T15:00:00+08:00", condition={"used": False}),
        OK,
        None,
        None,
    ),
    (
        "r14_utc_signed",
        ret("apparel", "no_reason", R + "17T15:00:00+08:00", signed_at="2026-11-10T07:00:00Z"),
        OK,
        None,
        None,
    ),
    ("r10_utc_requested", ret("apparel", "no_reason", "2026-11-17T07:00:01Z"), OVER, None, None),
    ("r14_no_offset_requested", ret("apparel", "no_reason", R + "17T15:00:00"), OK, None, None),
    (
        "shop_no_reason_15_days",
        ret("apparel", "no_reason", R + "20T15:00:00+08:00"),
        OK,
        {"returns": {"no_reason_days": 15}},
        None,
    ),
    (
        "shop_partial_returns_keeps_appliance",
        ret("small_appliance", "quality", R + "20T15:00:00+08:00", photos=1),
        A_EXC,
        {"returns": {"no_reason_days": 15}},
        None,
    ),
]


@pytest.mark.parametrize(
    ("rec", "expected", "shop"),
    [
        pytest.param(r, e, s, id=cid, marks=[xfail(x)] if x else [])
        for cid, r, e, s, x in RETURN_CASES
    ],
)
def test_policy_return(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    rec: dict[str, Any],
    expected: dict[str, Any],
    shop: dict[str, Any] | None,
) -> None:
    check_batch(tmp_path, capsys, ["policy", "return"], [rec], [expected], shop=shop)


def test_policy_return_bad_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    no_signed = ret("apparel", "size", R + "12T15:00:00+08:00")
    del no_signed["signed_at"]
    no_reason = ret("apparel", "size", R + "12T15:00:00+08:00")
    del no_reason["reason"]
    lines: list[Any] = [
        no_signed,
        "hello",
        ret("apparel", "size", R + "12T15:00:00+08:00"),
        no_reason,
        {**ret("apparel", "size", R + "12T15:00:00+08:00"), "evidence_photos": "two"},
    ]
    expected = [
        {"line": 1, "error": ANY_STR},
        {"line": 2, "error": ANY_STR},
        OK,
        {"line": 4, "error": ANY_STR},
        {"line": 5, "error": ANY_STR},
    ]
    check_batch(tmp_path, capsys, ["policy", "return"], lines, expected)


# =========================================================================== usage and stdin

KEFU = str(Path(sys.executable).with_name("kefu"))


def test_stdin_dash() -> None:
    line = json.dumps(quote("q", "SF", "浙江", 2), ensure_ascii=False) + "\n"
    proc = subprocess.run(
        [KEFU, "policy", "shipping-quote", "-"],
        input=line.encode("utf-8"),
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"id": "q", "chargeable_kg": 2, "fee": 16}


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["policy", "return", "/nonexistent/x.jsonl"], id="missing_file"),
        pytest.param(["policy", "shipping-quote", "IN", "--bogus"], id="bad_option"),
        pytest.param(
            ["reminders", "plan", "IN", "--shop", "/nonexistent/shop.json"], id="missing_shop"
        ),
        pytest.param(["policy", "late-shipment", "IN", "--now", "yesterday-ish"], id="bad_now"),
        pytest.param(
            ["orders", "triage", "IN", "--stock", "/nonexistent/stock.json"], id="missing_stock"
        ),
        pytest.param(
            [
                "report",
                "kpi",
                "--conversations",
                "IN",
                "--orders",
                "IN",
                "--from",
                "2026-11-20T00:00:00+08:00",
            ],
            id="kpi_missing_to",
        ),
        pytest.param(["policy", "return"], id="missing_argument"),
    ],
)
def test_usage_errors_exit_2_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    src = write_lines(tmp_path / "in.jsonl", [order("o1")])
    args = [str(src) if a == "IN" else a for a in argv]
    code, out, err = run_cli(args, capsys)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err


# =========================================================================== report kpi

FROM = "2026-11-20T00:00:00+08:00"
TO = "2026-11-21T00:00:00+08:00"


def msg(sender: str, ts: str, text: str = "好的") -> dict[str, Any]:
    return {"sender": sender, "text": text, "ts": ts}


def conv(
    cid: str, buyer: str, agent: str | None, msgs: list[Any], rating: int | None = None
) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "conversation_id": cid,
        "platform": "taobao",
        "buyer_id": buyer,
        "messages": msgs,
        "closed_by": "agent",
        "rating": rating,
    }
    if agent is not None:
        rec["agent_id"] = agent
    return rec


def kpi_scenario() -> tuple[list[Any], list[Any]]:
    convs = [
        # kf01, b1: replies 20 s; runs 20 and 60 (a bot message neither ends nor answers a run)
        conv(
            "c1",
            "b1",
            "kf01",
            [
                msg("buyer", D + "10:00:00+08:00", "在吗"),
                msg("agent", D + "10:00:20+08:00", "在的亲"),
                msg("buyer", D + "10:01:00+08:00", "有L码吗"),
                msg("buyer", D + "10:01:30+08:00", "急"),
                msg("bot", D + "10:01:40+08:00", "亲，客服马上来"),
                msg("agent", D + "10:02:00+08:00", "有的"),
            ],
            rating=5,
        ),
        # kf01, b2: the bot answers first (team first response 5 s, kf01's own 50 s);
        # b2 ordered earlier that day -> not an inquiry
        conv(
            "c2",
            "b2",
            "kf01",
            [
                msg("buyer", D + "15:00:00+08:00"),
                msg("bot", D + "15:00:05+08:00"),
                msg("agent", D + "15:00:50+08:00"),
            ],
            rating=3,
        ),
        # kf02, b3: starts 23:50, the agent replies after midnight (outside the period)
        conv(
            "c3",
            "b3",
            "kf02",
            [
                msg("buyer", D + "23:50:00+08:00"),
                msg("agent", N + "00:10:00+08:00"),
            ],
            rating=4,
        ),
        # kf02, b4: started the day before; agent message inside the period; rating not counted
        conv(
            "c4",
            "b4",
            "kf02",
            [
                msg("buyer", "2026-11-19T20:00:00+08:00"),
                msg("agent", D + "09:00:00+08:00"),
            ],
            rating=1,
        ),
        # no agent: team only, bot-only, rated
        conv(
            "c5",
            "b5",
            None,
            [
                msg("buyer", D + "12:00:00+08:00"),
                msg("bot", D + "12:00:02+08:00"),
            ],
            rating=5,
        ),
        # bot-only with an agent_id, starts exactly at `from`
        conv(
            "c6",
            "b6",
            "kf03",
            [
                msg("buyer", D + "00:00:00+08:00"),
                msg("bot", D + "00:00:03+08:00"),
            ],
            rating=2,
        ),
        # kf01, b1 again on the same day (same inquiry pair)
        conv(
            "c7",
            "b1",
            "kf01",
            [
                msg("buyer", D + "18:00:00+08:00"),
                msg("agent", D + "18:01:00+08:00"),
            ],
        ),
        # kf02, b7: messages given out of order, a system message first
        conv(
            "c8",
            "b7",
            "kf02",
            [
                msg("agent", D + "09:00:30+08:00"),
                msg("buyer", D + "09:00:00+08:00"),
                msg("system", D + "08:59:00+08:00", "买家进入店铺"),
            ],
        ),
        # starts exactly at `to`: out of scope; kf04 must not be listed
        conv(
            "c9",
            "b9",
            "kf04",
            [
                msg("buyer", N + "00:00:00+08:00"),
                msg("agent", N + "00:00:10+08:00"),
            ],
            rating=5,
        ),
    ]
    orders = [
        order(
            "o1",
            buyer_id="b1",
            status="paid",
            created_at=N + "20:00:00+08:00",
            paid_at=N + "20:05:00+08:00",
            amount=199,
        ),
        order(
            "o1b",
            buyer_id="b1",
            status="completed",
            created_at=N + "21:00:00+08:00",
            paid_at=N + "21:00:00+08:00",
            amount=50.5,
        ),
        order(
            "o2",
            buyer_id="b2",
            status="paid",
            created_at=D + "14:00:00+08:00",
            paid_at=D + "14:01:00+08:00",
            amount=300,
        ),
        order(
            "o3",
            buyer_id="b3",
            status="shipped",
            created_at=N + "23:59:59+08:00",
            paid_at=N + "23:59:59+08:00",
            shipped_at="2026-11-22T10:00:00+08:00",
            amount=88.8,
        ),
        order(
            "o4",
            buyer_id="b3",
            status="paid",
            created_at="2026-11-22T00:00:00+08:00",
            paid_at="2026-11-22T00:00:00+08:00",
            amount=1000,
        ),
        order("o7", buyer_id="b7", status="unpaid", created_at=D + "09:30:00+08:00", amount=66),
        order(
            "o9",
            buyer_id="b9",
            status="paid",
            created_at=N + "01:00:00+08:00",
            paid_at=N + "01:00:00+08:00",
            amount=77,
        ),
    ]
    return convs, orders


KPI_EXPECTED: dict[str, Any] = {
    "team": {
        "receptions": 4,
        "inquiries": 3,
        "inquiry_orders": 3,
        "inquiry_paid": 2,
        "conversion_rate": 0.6667,
        "sales_amount": 338.3,
        "first_response_seconds_avg": 188.57,
        "response_seconds_avg": 236.67,
        "ratings": 5,
        "satisfaction_rate": 0.6,
        "gold_team_eligible": False,
    },
    "agents": {
        "kf01": {
            "receptions": 2,
            "inquiries": 1,
            "inquiry_orders": 1,
            "inquiry_paid": 1,
            "conversion_rate": 1.0,
            "sales_amount": 249.5,
            "first_response_seconds_avg": 43.33,
            "response_seconds_avg": 47.5,
            "ratings": 2,
            "satisfaction_rate": 0.5,
        },
        "kf02": {
            "receptions": 2,
            "inquiries": 2,
            "inquiry_orders": 2,
            "inquiry_paid": 1,
            "conversion_rate": 0.5,
            "sales_amount": 88.8,
            "first_response_seconds_avg": 615.0,
            "response_seconds_avg": 615.0,
            "ratings": 1,
            "satisfaction_rate": 1.0,
        },
        "kf03": {
            "receptions": 0,
            "inquiries": 0,
            "inquiry_orders": 0,
            "inquiry_paid": 0,
            "conversion_rate": 0,
            "sales_amount": 0,
            "first_response_seconds_avg": None,
            "response_seconds_avg": None,
            "ratings": 1,
            "satisfaction_rate": 0.0,
        },
    },
}


def run_kpi(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    convs: list[Any],
    orders: list[Any],
    shop: dict[str, Any] | None = None,
    period: tuple[str, str] = (FROM, TO),
) -> tuple[int, dict[str, Any], str]:
    cfile = write_lines(tmp_path / "convs.jsonl", convs)
    ofile = write_lines(tmp_path / "orders.jsonl", orders)
    args = [
        "report",
        "kpi",
        "--conversations",
        str(cfile),
        "--orders",
        str(ofile),
        "--from",
        period[0],
        "--to",
        period[1],
    ]
    if shop is not None:
        args += ["--shop", str(write_json(tmp_path / "shop.json", shop))]
    code, out, err = run_cli(args, capsys)
    lines = out.strip().splitlines()
    assert len(lines) == 1, out
    return code, json.loads(lines[0]), err


def kpi_subset(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    """The expected KPI keys must all be present with the expected values."""
    for key, value in expected.items():
        assert key in actual, f"missing KPI {key}"
        assert matches(actual[key], value), f"{key}: got {actual[key]!r}, expected {value!r}"


@pytest.mark.parametrize("section", ["team", "kf01", "kf02", "kf03", "agent_list"])
def test_kpi_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str], section: str) -> None:
    convs, orders = kpi_scenario()
    code, report, err = run_kpi(tmp_path, capsys, convs, orders)
    assert code == 0, err
    if section == "agent_list":
        assert sorted(report["agents"]) == ["kf01", "kf02", "kf03"]
    elif section == "team":
        kpi_subset(report["team"], KPI_EXPECTED["team"])
    else:
        kpi_subset(report["agents"][section], KPI_EXPECTED["agents"][section])
        assert "gold_team_eligible" not in report["agents"][section]


def gold_convs(total: int, unhappy: int) -> list[Any]:
    out = []
    for i in range(total):
        out.append(
            conv(
                f"g{i}",
                f"gb{i}",
                "kf01",
                [
                    msg("buyer", D + "10:00:00+08:00"),
                    msg("agent", D + "10:00:05+08:00"),
                ],
                rating=3 if i < unhappy else 5,
            )
        )
    return out


@pytest.mark.parametrize(
    ("total", "unhappy", "shop", "eligible"),
    [
        pytest.param(100, 5, None, True, id="100_ratings_95pct_default_4_8"),
        pytest.param(100, 6, None, False, id="94pct"),
        pytest.param(99, 0, None, False, id="99_ratings"),
        pytest.param(100, 5, {"service_score": 4.5}, False, id="score_4_5_taobao"),
        pytest.param(100, 5, {"service_score": 4.6}, True, id="score_4_6_taobao"),
        pytest.param(100, 5, {"platform": "tmall", "service_score": 3.6}, True, id="tmall_3_6"),
        pytest.param(100, 5, {"platform": "tmall", "service_score": 3.5}, False, id="tmall_3_5"),
    ],
)
def test_kpi_gold_team(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    total: int,
    unhappy: int,
    shop: dict[str, Any] | None,
    eligible: bool,
) -> None:
    code, report, err = run_kpi(tmp_path, capsys, gold_convs(total, unhappy), [], shop=shop)
    assert code == 0, err
    assert report["team"]["ratings"] == total
    assert report["team"]["gold_team_eligible"] is eligible


def test_kpi_empty_period(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report, _ = run_kpi(tmp_path, capsys, [], [])
    assert code == 0
    assert report["agents"] == {}
    kpi_subset(
        report["team"],
        {
            "receptions": 0,
            "inquiries": 0,
            "inquiry_orders": 0,
            "inquiry_paid": 0,
            "conversion_rate": 0,
            "sales_amount": 0,
            "first_response_seconds_avg": None,
            "response_seconds_avg": None,
            "ratings": 0,
            "satisfaction_rate": None,
            "gold_team_eligible": False,
        },
    )


def test_kpi_inquiry_window_and_order_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The first qualifying conversation opens the window; a later one on D does not move it."""
    convs = [
        conv(
            "w1",
            "bw",
            "kf01",
            [msg("buyer", D + "09:00:00+08:00"), msg("agent", D + "09:00:10+08:00")],
        ),
        conv(
            "w2",
            "bw",
            "kf02",
            [msg("buyer", D + "11:00:00+08:00"), msg("agent", D + "11:00:10+08:00")],
        ),
    ]
    orders = [
        order(
            "ow",
            buyer_id="bw",
            status="paid",
            created_at=D + "10:00:00+08:00",
            paid_at=D + "10:00:00+08:00",
            amount=120,
        ),
    ]
    code, report, _ = run_kpi(tmp_path, capsys, convs, orders)
    assert code == 0
    kpi_subset(
        report["team"],
        {
            "inquiries": 1,
            "inquiry_orders": 1,
            "inquiry_paid": 1,
            "conversion_rate": 1.0,
            "sales_amount": 120,
        },
    )
    # kf02's conversation starts after the buyer's order on D: not an inquiry for kf02
    kpi_subset(report["agents"]["kf01"], {"inquiries": 1, "inquiry_paid": 1, "sales_amount": 120})
    kpi_subset(
        report["agents"]["kf02"],
        {"inquiries": 0, "inquiry_paid": 0, "sales_amount": 0, "conversion_rate": 0},
    )


def test_kpi_bad_lines_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    convs, orders = kpi_scenario()
    bad_conv = conv("cx", "bx", "kf09", [msg("buyer", D + "10:00:00+08:00")])
    del bad_conv["messages"][0]["ts"]
    code, report, err = run_kpi(
        tmp_path, capsys, [*convs, "not json", bad_conv], [*orders, {"order_id": "nope"}]
    )
    assert code == 1
    kpi_subset(report["team"], KPI_EXPECTED["team"])
    assert sorted(report["agents"]) == ["kf01", "kf02", "kf03"]
    errors = [json.loads(line) for line in err.strip().splitlines()]
    got = sorted((Path(e["file"]).name, e["line"]) for e in errors)
    assert got == [("convs.jsonl", 10), ("convs.jsonl", 11), ("orders.jsonl", 8)]
    assert all(isinstance(e["error"], str) and e["error"] for e in errors)


def test_kpi_pairs_on_two_days_share_one_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two inquiry pairs (D and D+1) both see one order; sales count it once."""
    convs = [
        conv(
            "k1",
            "b1",
            "kf01",
            [msg("buyer", D + "10:00:00+08:00"), msg("agent", D + "10:00:10+08:00")],
        ),
        conv(
            "k2",
            "b1",
            "kf01",
            [msg("buyer", N + "10:00:00+08:00"), msg("agent", N + "10:00:10+08:00")],
        ),
    ]
    orders = [
        order(
            "ok",
            buyer_id="b1",
            status="paid",
            created_at=N + "12:00:00+08:00",
            paid_at=N + "12:00:00+08:00",
            amount=100,
        ),
    ]
    code, report, _ = run_kpi(
        tmp_path, capsys, convs, orders, period=(FROM, "2026-11-22T00:00:00+08:00")
    )
    assert code == 0
    expected = {
        "inquiries": 2,
        "inquiry_orders": 2,
        "inquiry_paid": 2,
        "conversion_rate": 1.0,
        "sales_amount": 100,
        "receptions": 1,
    }
    kpi_subset(report["team"], expected)
    kpi_subset(report["agents"]["kf01"], expected)


def test_kpi_greetings_before_buyer_and_agent_without_buyer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    convs = [
        # the agent greets first; the reply that counts is the one after the buyer's message
        conv(
            "e1",
            "b1",
            "kf01",
            [
                msg("agent", D + "10:00:00+08:00", "欢迎光临"),
                msg("buyer", D + "10:00:30+08:00"),
                msg("agent", D + "10:00:45+08:00"),
            ],
        ),
        # the only agent message precedes the buyer: not an inquiry, no agent response
        conv(
            "e2",
            "b2",
            "kf02",
            [
                msg("agent", D + "09:59:00+08:00"),
                msg("buyer", D + "10:00:00+08:00"),
                msg("bot", D + "10:00:02+08:00"),
            ],
        ),
        # no buyer message at all: no start (its rating does not count), but a reception
        conv("e3", "b3", "kf05", [msg("agent", D + "11:00:00+08:00")], rating=5),
    ]
    code, report, _ = run_kpi(tmp_path, capsys, convs, [])
    assert code == 0
    kpi_subset(
        report["team"],
        {
            "receptions": 3,
            "inquiries": 1,
            "inquiry_orders": 0,
            "inquiry_paid": 0,
            "conversion_rate": 0,
            "sales_amount": 0,
            "first_response_seconds_avg": 8.5,
            "response_seconds_avg": 15.0,
            "ratings": 0,
            "satisfaction_rate": None,
        },
    )
    assert sorted(report["agents"]) == ["kf01", "kf02", "kf05"]
    kpi_subset(
        report["agents"]["kf01"],
        {
            "receptions": 1,
            "inquiries": 1,
            "first_response_seconds_avg": 15.0,
            "response_seconds_avg": 15.0,
            "ratings": 0,
            "satisfaction_rate": None,
        },
    )
    kpi_subset(
        report["agents"]["kf02"],
        {
            "receptions": 1,
            "inquiries": 0,
            "first_response_seconds_avg": None,
            "response_seconds_avg": None,
        },
    )
    kpi_subset(
        report["agents"]["kf05"],
        {
            "receptions": 1,
            "inquiries": 0,
            "first_response_seconds_avg": None,
            "ratings": 0,
        },
    )


@pytest.mark.parametrize(
    "period",
    [
        pytest.param(("2026-11-20T00:00:00", "2026-11-21T00:00:00"), id="no_offset"),
        pytest.param(("2026-11-19T16:00:00Z", "2026-11-20T16:00:00+00:00"), id="utc"),
    ],
)
def test_kpi_period_offsets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], period: tuple[str, str]
) -> None:
    convs, orders = kpi_scenario()
    code, report, _ = run_kpi(tmp_path, capsys, convs, orders, period=period)
    assert code == 0
    kpi_subset(report["team"], KPI_EXPECTED["team"])


def test_kpi_rates_four_decimals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    convs = [
        conv(
            f"h{i}",
            f"hb{i}",
            "kf01",
            [msg("buyer", D + "10:00:00+08:00"), msg("agent", D + f"10:00:0{i + 1}+08:00")],
            rating=r,
        )
        for i, r in enumerate([5, 4, 2])
    ]
    code, report, _ = run_kpi(tmp_path, capsys, convs, [])
    assert code == 0
    assert report["team"]["satisfaction_rate"] == 0.6667
    assert report["team"]["first_response_seconds_avg"] == 2.0


TRIAGE_MORE: list[tuple[str, dict[str, Any], list[str], dict[str, Any] | None, str | None]] = [
    ("cod_closed_not_unshipped", order("t", status="closed", payment_method="cod"), [], None, None),
    ("cod_paid_unshipped", paid("t", payment_method="cod"), ["COD_CONFIRM"], None, None),
    (
        "address_changed_refunding",
        order(
            "t",
            status="refunding",
            paid_at="2026-11-24T10:00:00+08:00",
            address_changed_after_payment=True,
        ),
        [],
        None,
        None,
    ),
    (
        "hmt_courier_null",
        paid("t", courier=None, address={"province": "香港"}),
        ["HMT_NON_SF"],
        None,
        None,
    ),
    (
        "province_with_spaces",
        paid("t", address={"province": " 广西 ", "city": "南宁市", "detail": "民族大道1号"}),
        [],
        None,
        None,
    ),
    (
        "ningxia_short_free_ship",
        paid(
            "t",
            free_shipping=True,
            address={"province": "宁夏", "city": "银川市", "detail": "北京路1号"},
        ),
        ["FREE_SHIPPING_INELIGIBLE"],
        None,
        None,
    ),
    (
        "hainan_short_free_ship_unpaid",
        order(
            "t",
            free_shipping=True,
            address={"province": "海南", "city": "海口市", "detail": "滨海大道1号"},
        ),
        ["FREE_SHIPPING_INELIGIBLE"],
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("rec", "expected", "shop"),
    [
        pytest.param(r, e, s, id=cid, marks=[xfail(x)] if x else [])
        for cid, r, e, s, x in TRIAGE_MORE
    ],
)
def test_triage_more(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    rec: dict[str, Any],
    expected: list[str],
    shop: dict[str, Any] | None,
) -> None:
    check_batch(
        tmp_path,
        capsys,
        ["orders", "triage"],
        [rec],
        [{"order_id": rec["order_id"], "flags": expected}],
        shop=shop,
        now=NOW,
    )


def test_triage_multi_address_whitespace_and_municipality(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bj = {"province": "北京", "city": "北京市", "district": "朝阳区", "detail": "建国路\u30001号"}
    lines = [
        paid("b1", buyer_id="z", address=bj),
        order("b2", buyer_id="z", address={**bj, "province": "北京市", "detail": "建国路1号"}),
    ]
    expected = [{"order_id": "b1", "flags": []}, {"order_id": "b2", "flags": []}]
    check_batch(tmp_path, capsys, ["orders", "triage"], lines, expected, now=NOW)


def test_shipping_quote_nested_courier_merge(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Overriding SF's rates keeps SF's volumetric_divisor (6000) from the defaults."""
    shop = {"couriers": {"SF": {"rates": [{"provinces": "*", "first_kg": 10, "extra_kg": 1}]}}}
    lines = [quote("q", "SF", "浙江", 1, [40, 30, 20]), quote("y", "YTO", "浙江", 1)]
    expected = [
        {"id": "q", "chargeable_kg": 4, "fee": 13},
        {"id": "y", "chargeable_kg": 1, "fee": 5},
    ]
    check_batch(tmp_path, capsys, ["policy", "shipping-quote"], lines, expected, shop=shop)


def test_late_shipment_zero_amount_still_costs_points(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rec = order("x", status="paid", paid_at=P20, amount=0)
    check_batch(
        tmp_path,
        capsys,
        ["policy", "late-shipment"],
        [rec],
        [late_row("x", DL, True, 0, 3)],
        now=LATE_NOW,
    )


def test_reminders_stdin_and_order_of_lines() -> None:
    lines = [
        order("o1", created_at=D + "16:50:00+08:00", amount=500),
        order("o2", status="paid", paid_at=D + "10:20:00+08:00"),
        order("o3", created_at=D + "01:00:00+08:00", buyer_online=True),
    ]
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines)
    proc = subprocess.run(
        [KEFU, "reminders", "plan", "-", "--now", "2026-11-20T00:00:00+08:00"],
        input=text.encode("utf-8"),
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert rows == [
        {"order_id": "o1", "reminders": [sms(N + "09:30:00+08:00"), phone(N + "12:30:00+08:00")]},
        {"order_id": "o2", "reminders": []},
        {"order_id": "o3", "reminders": [im(D + "01:10:00+08:00")]},
    ]


# =========================================================================== other shop timezone

TOKYO = {"timezone": "Asia/Tokyo"}


def test_kpi_local_days_follow_shop_timezone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """23:30 in Shanghai is 00:30 the next day in Tokyo: D, D+2 and 'before on D' move."""
    convs = [
        conv(
            "t1",
            "bt1",
            "kf01",
            [msg("buyer", "2026-11-20T23:30:00+08:00"), msg("agent", "2026-11-20T23:31:00+08:00")],
        ),
        conv(
            "t2",
            "bt2",
            "kf01",
            [msg("buyer", "2026-11-20T23:30:00+08:00"), msg("agent", "2026-11-20T23:31:00+08:00")],
        ),
    ]
    orders = [
        # 23:30 JST on D+1 (Tokyo D = 11-21): inside the window that ends 11-23 00:00 JST
        order(
            "A",
            buyer_id="bt1",
            status="paid",
            created_at="2026-11-22T22:30:00+08:00",
            paid_at="2026-11-22T22:30:00+08:00",
            amount=10,
        ),
        # 00:30 JST 11-23: outside
        order(
            "B",
            buyer_id="bt1",
            status="paid",
            created_at="2026-11-22T23:30:00+08:00",
            paid_at="2026-11-22T23:30:00+08:00",
            amount=1000,
        ),
        # 23:50 JST 11-20 is the day before D in Tokyo: it does not cancel bt2's inquiry
        order(
            "C",
            buyer_id="bt2",
            status="paid",
            created_at="2026-11-20T22:50:00+08:00",
            paid_at="2026-11-20T22:50:00+08:00",
            amount=500,
        ),
    ]
    code, report, _ = run_kpi(
        tmp_path,
        capsys,
        convs,
        orders,
        shop=TOKYO,
        period=("2026-11-20T00:00:00+08:00", "2026-11-22T00:00:00+08:00"),
    )
    assert code == 0
    kpi_subset(
        report["team"],
        {
            "inquiries": 2,
            "inquiry_orders": 1,
            "inquiry_paid": 1,
            "conversion_rate": 0.5,
            "sales_amount": 10,
        },
    )


def test_reminders_tokyo_quiet_hours_in_shop_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        order("o1", created_at="2026-11-20T21:00:00+08:00"),  # 22:00 JST: evening slot
        order("o2", created_at="2026-11-20T20:55:00+08:00", amount=500, buyer_online=True),
        order("o3", created_at="2026-11-20T10:55:00+08:00"),  # 11:55 JST -> afternoon
    ]
    expected = [
        {"order_id": "o1", "reminders": [sms("2026-11-21T09:30:00+09:00")]},
        {
            "order_id": "o2",
            "reminders": [im("2026-11-20T22:05:00+09:00"), sms("2026-11-21T09:30:00+09:00")],
        },
        {"order_id": "o3", "reminders": [sms("2026-11-20T16:30:00+09:00")]},
    ]
    check_batch(tmp_path, capsys, ["reminders", "plan"], lines, expected, shop=TOKYO)


def test_late_shipment_tokyo_output_offset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rec = order("x", status="paid", paid_at=P20, amount=100)
    check_batch(
        tmp_path,
        capsys,
        ["policy", "late-shipment"],
        [rec],
        [late_row("x", "2026-11-23T11:00:00+09:00", False, 0, 0)],
        shop=TOKYO,
        now="2026-11-23T11:00:00",
    )


def test_kpi_half_up_rounding_of_rates_and_seconds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """1/32 = 0.03125 -> 0.0313 and 9/8 s = 1.125 s -> 1.13 (half up, as money is)."""
    convs = []
    for i in range(32):
        reply = "10:00:02" if i == 0 else "10:00:01"
        convs.append(
            conv(
                f"r{i}",
                f"rb{i}",
                "kf01" if i < 8 else None,
                [msg("buyer", D + "10:00:00+08:00"), msg("agent", D + reply + "+08:00")],
                rating=5 if i == 0 else 1,
            )
        )
    code, report, _ = run_kpi(tmp_path, capsys, convs, [])
    assert code == 0
    assert report["team"]["satisfaction_rate"] == 0.0313
    assert report["agents"]["kf01"]["first_response_seconds_avg"] == 1.13
    assert report["agents"]["kf01"]["response_seconds_avg"] == 1.13
    assert report["agents"]["kf01"]["satisfaction_rate"] == 0.125


def test_triage_status_paid_with_shipped_at(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Flags worded 'unpaid or paid' go by status; 'not shipped' also needs no shipped_at."""
    shipped = "2026-11-25T11:00:00+08:00"
    lines = [
        # status paid but shipped_at set: BUYER_NOTE yes; COD_CONFIRM / ADDRESS_CHANGED no
        paid(
            "n1",
            shipped_at=shipped,
            buyer_note="请开发票",
            payment_method="cod",
            address_changed_after_payment=True,
            items=items(("Q", 1)),
        ),
        # both count as 'unpaid or paid' for MULTI_ADDRESS
        paid("m1", buyer_id="z", shipped_at=shipped),
        paid("m2", buyer_id="z", address={"detail": "别的路1号"}),
        # takes stock first (earliest paid_at), though already marked shipped
        paid("k1", paid_at="2026-11-25T08:00:00+08:00", shipped_at=shipped, items=items(("Q", 1))),
        # paid long ago but shipped_at set: no SHIP_LATE
        paid("k2", paid_at="2026-11-20T08:00:00+08:00", shipped_at=shipped),
    ]
    stock = write_json(tmp_path / "stock.json", {"Q": 1})
    expected = [
        {"order_id": "n1", "flags": ["BUYER_NOTE", "OUT_OF_STOCK"]},
        {"order_id": "m1", "flags": ["MULTI_ADDRESS"]},
        {"order_id": "m2", "flags": ["MULTI_ADDRESS"]},
        {"order_id": "k1", "flags": []},
        {"order_id": "k2", "flags": []},
    ]
    check_batch(
        tmp_path,
        capsys,
        ["orders", "triage"],
        lines,
        expected,
        now=NOW,
        extra=["--stock", str(stock)],
    )
