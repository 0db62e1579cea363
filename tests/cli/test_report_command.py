"""`kefu report kpi` (formats.md): one JSON object out, line errors on stderr, exit codes."""

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from kefu.cli.main import main

DAY = ["--from", "2026-11-20T00:00:00+08:00", "--to", "2026-11-21T00:00:00+08:00"]


def conversation(
    buyer: str, agent: str | None, asked: str, answered: str | None, rating: int | None = None
) -> dict[str, Any]:
    messages = [{"sender": "buyer", "text": "在吗？有L码吗", "ts": asked}]
    if answered:
        messages.append({"sender": "agent", "text": "您好，有的亲", "ts": answered})
    return {
        "conversation_id": f"c-{buyer}-{asked}",
        "buyer_id": buyer,
        "agent_id": agent,
        "messages": messages,
        "rating": rating,
    }


def order(oid: str, buyer: str, created: str, paid: str | None, amount: float) -> dict[str, Any]:
    return {
        "order_id": oid,
        "buyer_id": buyer,
        "status": "paid" if paid else "unpaid",
        "created_at": created,
        "paid_at": paid,
        "amount": amount,
        "items": [{"sku": "TS-001-M-BLK", "qty": 1, "price": amount}],
        "address": {"province": "浙江"},
    }


def write(tmp_path: Path, name: str, lines: list[Any]) -> str:
    path = tmp_path / name
    text = [
        line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines
    ]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return str(path)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(["report", "kpi", *argv])
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), out, err


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    conversations = [
        # times without an offset are Shanghai time
        conversation("b1", "kf08", "2026-11-20T10:00:00", "2026-11-20T10:00:06", rating=5),
        conversation("b2", "kf08", "2026-11-20T11:00:00+08:00", "2026-11-20T11:00:10+08:00", 3),
        conversation("b3", "kf09", "2026-11-20T03:00:00Z", None),  # 11:00 local, unanswered
    ]
    orders = [
        order("o1", "b1", "2026-11-20T10:15:00+08:00", "2026-11-20T10:16:00+08:00", 199.0),
        order("o2", "b1", "2026-11-21T09:00:00+08:00", "2026-11-21T09:01:00+08:00", 0.1),
    ]
    return write(tmp_path, "conversations.jsonl", conversations), write(
        tmp_path, "orders.jsonl", orders
    )


def test_prints_one_object_with_team_and_agents(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    conversations, orders = files
    code, out, err = run(["--conversations", conversations, "--orders", orders, *DAY], capsys)
    assert (code, err) == (0, "")
    assert out.count("\n") == 1
    result = json.loads(out)
    assert set(result) == {"team", "agents"}
    assert result["team"] == {
        "receptions": 2,
        "inquiries": 2,
        "inquiry_orders": 1,
        "inquiry_paid": 1,
        "conversion_rate": 0.5,
        "sales_amount": 199.1,
        "first_response_seconds_avg": 8.0,
        "response_seconds_avg": 8.0,
        "ratings": 2,
        "satisfaction_rate": 0.5,
        "gold_team_eligible": False,
    }
    assert sorted(result["agents"]) == ["kf08", "kf09"]
    kf09 = result["agents"]["kf09"]
    assert kf09["receptions"] == 0
    assert kf09["first_response_seconds_avg"] is None
    assert kf09["conversion_rate"] == 0


def test_bad_lines_go_to_stderr_are_skipped_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conversations = write(
        tmp_path,
        "c.jsonl",
        [
            conversation("b1", "kf08", "2026-11-20T10:00:00", "2026-11-20T10:00:06"),
            "{not json",
            {"conversation_id": "c2", "buyer_id": "b2"},  # no messages
            "",  # blank lines are not records
            conversation("b3", "kf08", "2026-11-20T12:00:00", "2026-11-20T12:00:04", rating=9),
        ],
    )
    orders = write(
        tmp_path,
        "o.jsonl",
        [
            order("o1", "b1", "2026-11-20T10:30:00", "2026-11-20T10:31:00", 10),
            {**order("o2", "b1", "2026-11-20T11:00:00", None, 10), "amount": "十元"},
            {**order("o3", "b1", "yesterday", None, 10)},
        ],
    )
    code, out, err = run(["--conversations", conversations, "--orders", orders, *DAY], capsys)
    assert code == 1
    errors = [json.loads(line) for line in err.splitlines()]
    assert [(e["file"], e["line"]) for e in errors] == [
        (conversations, 2),
        (conversations, 3),
        (conversations, 5),
        (orders, 2),
        (orders, 3),
    ]
    assert all(set(e) == {"file", "line", "error"} and e["error"] for e in errors)
    assert "messages" in errors[1]["error"]
    team = json.loads(out)["team"]
    assert (team["receptions"], team["inquiries"], team["inquiry_paid"]) == (1, 1, 1)
    assert team["sales_amount"] == 10.0


def test_stdin_for_one_file(
    files: tuple[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    conversations, orders = files
    monkeypatch.setattr(sys, "stdin", io.StringIO(Path(orders).read_text(encoding="utf-8")))
    code, out, _ = run(["--conversations", conversations, "--orders", "-", *DAY], capsys)
    assert code == 0
    assert json.loads(out)["team"]["inquiry_paid"] == 1


def test_shop_config_and_ignored_now(
    files: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conversations, orders = files
    shop = tmp_path / "shop.json"
    shop.write_text(json.dumps({"platform": "tmall", "service_score": 3.7}), encoding="utf-8")
    argv = ["--conversations", conversations, "--orders", orders, *DAY, "--shop", str(shop)]
    code, out, _ = run([*argv, "--now", "2030-01-01T00:00:00+08:00"], capsys)
    assert code == 0
    assert json.loads(out)["team"]["ratings"] == 2


def test_period_from_dates_read_in_the_shop_timezone(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    conversations, orders = files
    argv = ["--conversations", conversations, "--orders", orders]
    code, out, _ = run([*argv, "--from", "2026-11-20", "--to", "2026-11-20T10:30"], capsys)
    assert code == 0
    team = json.loads(out)["team"]
    # only b1's 10:00 conversation starts before 10:30; its window still reaches D+2
    assert (team["inquiries"], team["sales_amount"]) == (1, 199.1)


@pytest.mark.parametrize(
    "argv",
    [
        ["--conversations", "MISSING", "--orders", "ORDERS", *DAY],
        ["--conversations", "CONVERSATIONS", "--orders", "MISSING", *DAY],
        ["--conversations", "CONVERSATIONS", *DAY],
        ["--conversations", "CONVERSATIONS", "--orders", "ORDERS", "--from", "2026-11-20"],
        ["--conversations", "CONVERSATIONS", "--orders", "ORDERS", "--from", "x", "--to", "y"],
        ["--conversations", "CONVERSATIONS", "--orders", "ORDERS", *DAY[2:], *DAY[:2][::-1]],
        ["--conversations", "-", "--orders", "-", *DAY],
        ["--conversations", "CONVERSATIONS", "--orders", "ORDERS", *DAY, "--shop", "MISSING"],
        ["--conversations", "CONVERSATIONS", "--orders", "ORDERS", *DAY, "--bogus"],
    ],
)
def test_usage_errors_exit_2_with_one_line(
    argv: list[str], files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    conversations, orders = files
    names = {"CONVERSATIONS": conversations, "ORDERS": orders, "MISSING": "/nonexistent.jsonl"}
    code, out, err = run([names.get(a, a) for a in argv], capsys)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1


def test_from_after_to_is_a_usage_error(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    conversations, orders = files
    argv = ["--conversations", conversations, "--orders", orders]
    code, _, err = run([*argv, "--from", "2026-11-21", "--to", "2026-11-20"], capsys)
    assert code == 2
    assert "--from" in err
