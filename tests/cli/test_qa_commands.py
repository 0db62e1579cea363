"""`kefu qa check` and `kefu qa scan` end to end (formats.md "Batch commands")."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kefu.cli.main import main

KEFU = Path(sys.executable).with_name("kefu")


def write_lines(tmp_path: Path, rows: list[Any], name: str = "in.jsonl") -> str:
    lines = [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[Any], str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), rows, captured.err


def conversation(cid: str, *messages: tuple[str, str, str], **extra: Any) -> dict[str, Any]:
    return {
        "conversation_id": cid,
        "buyer_id": "tb_lucy88",
        "messages": [{"sender": s, "text": text, "ts": ts} for s, text, ts in messages],
        **extra,
    }


def test_check_prints_one_line_per_message_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_lines(
        tmp_path,
        [
            {"id": "m1", "text": "这款没有XL码，可以看看L码"},
            {"id": "m2", "text": "不能退。"},
            {"id": 3, "text": "打我电话13812345678"},
        ],
    )
    code, rows, _ = run(capsys, "qa", "check", path)
    assert code == 0
    assert rows[0] == {"id": "m1", "violations": []}
    assert rows[1] == {
        "id": "m2",
        "violations": [
            {"rule": "QA_DIRECT_REFUSAL", "evidence": "不能退"},
            {"rule": "QA_NEGATIVE_NO_EXPLAIN", "evidence": "不能退"},
        ],
    }
    assert rows[2]["id"] == 3
    assert [v["rule"] for v in rows[2]["violations"]] == ["QA_OFF_PLATFORM", "QA_PRIVACY_LEAK"]


def test_check_bad_lines_become_line_errors_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_lines(tmp_path, ["not json", {"id": "x"}, {"id": "ok", "text": "嗯"}])
    code, rows, _ = run(capsys, "qa", "check", path)
    assert code == 1
    assert rows[0]["line"] == 1 and "error" in rows[0]
    assert rows[1] == {"line": 2, "error": "missing required field: text"}
    assert rows[2] == {"id": "ok", "violations": [{"rule": "QA_ONE_WORD", "evidence": "嗯"}]}


def test_check_uses_the_shop_extra_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shop = tmp_path / "shop.json"
    shop.write_text(json.dumps({"qa": {"extra_words": {"QA_RUDE": ["你个憨憨"]}}}), "utf-8")
    path = write_lines(tmp_path, [{"id": "m", "text": "你个憨憨，自己看详情"}])
    code, rows, _ = run(capsys, "qa", "check", path, "--shop", str(shop))
    assert code == 0
    assert rows[0]["violations"] == [{"rule": "QA_RUDE", "evidence": "你个憨憨"}]
    code, rows, _ = run(capsys, "qa", "check", path)
    assert rows[0]["violations"] == []


def test_scan_scores_and_lists_violations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = conversation(
        "c-1",
        ("buyer", "在吗？这件T恤有L码吗", "2026-11-20T10:00:00+08:00"),
        ("agent", "您好，我是客服8号，很高兴为您服务😊", "2026-11-20T10:00:06+08:00"),
        ("agent", "L码有现货的，感谢支持", "2026-11-20T10:00:30+08:00"),
        closed_by="agent",
    )
    bad = conversation(
        "c-2",
        ("buyer", "在吗", "2026-11-20T10:00:00"),
        ("agent", "这款有货", "2026-11-20T10:00:14"),
        ("buyer", "能便宜点吗", "2026-11-20T10:01:00"),
        ("agent", "不能退。", "2026-11-20T10:03:00"),
        closed_by="agent",
    )
    path = write_lines(tmp_path, [good, bad])
    code, rows, _ = run(capsys, "qa", "scan", path, "--now", "2026-11-21T00:00:00+08:00")
    assert code == 0
    assert rows[0] == {"conversation_id": "c-1", "score": 100, "violations": []}
    assert rows[1]["conversation_id"] == "c-2"
    assert [(v["rule"], v["message_index"]) for v in rows[1]["violations"]] == [
        ("QA_SLOW_RESPONSE", 2),
        ("QA_DIRECT_REFUSAL", 3),
        ("QA_NEGATIVE_NO_EXPLAIN", 3),
        ("QA_NO_CLOSING", None),
        ("QA_NO_GREETING", None),
        ("QA_SLOW_FIRST_RESPONSE", None),
    ]
    assert rows[1]["violations"][-1]["evidence"] == "首次响应 14 秒"
    assert rows[1]["score"] == 100 - (1 + 3 + 2 + 2 + 2 + 3)


def test_scan_line_error_for_a_bad_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = {
        "conversation_id": "c",
        "buyer_id": "b",
        "messages": [{"sender": "cat", "text": "x", "ts": "2026-11-20T10:00:00"}],
    }
    path = write_lines(tmp_path, [broken, conversation("ok")])
    code, rows, _ = run(capsys, "qa", "scan", path)
    assert code == 1
    assert rows[0]["line"] == 1 and "messages" in rows[0]["error"]
    assert rows[1] == {"conversation_id": "ok", "score": 100, "violations": []}


def test_missing_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, rows, err = run(capsys, "qa", "scan", "/nonexistent/file.jsonl")
    assert code == 2
    assert rows == []
    assert err.count("\n") == 1


def test_check_reads_stdin_through_the_installed_command() -> None:
    line = json.dumps({"id": "s1", "text": "加我微信 kefu_888"}, ensure_ascii=False)
    result = subprocess.run(
        [str(KEFU), "qa", "check", "-"],
        input=line + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert json.loads(result.stdout) == {
        "id": "s1",
        "violations": [{"rule": "QA_OFF_PLATFORM", "evidence": "加我微信"}],
    }
