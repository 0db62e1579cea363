"""`kefu nlu predict / eval / train` end to end (formats.md), on a small fast model."""

import io
import json
from pathlib import Path
from typing import Any

import pytest

from kefu.cli.main import main
from kefu.core.assistant import model_store
from kefu.core.assistant.nlu import training
from kefu.core.assistant.nlu.data.generator import generate
from kefu.core.assistant.nlu.data.handwritten import handwritten_rows
from kefu.core.assistant.nlu.intents import INTENTS
from kefu.core.assistant.nlu.model import IntentModel, train


@pytest.fixture(scope="module")
def small_model() -> IntentModel:
    return train(generate(seed=3, per_intent=120) + handwritten_rows(), training.calibration_rows())


@pytest.fixture
def small_training(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The shipped pipeline with little data, caching into a throwaway directory."""
    monkeypatch.setenv("KEFU_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(
        training, "training_rows", lambda: generate(seed=3, per_intent=60) + handwritten_rows()
    )
    monkeypatch.setattr(model_store, "_loaded", {})
    return tmp_path / "cache"


@pytest.fixture
def use_small_model(monkeypatch: pytest.MonkeyPatch, small_model: IntentModel) -> None:
    monkeypatch.setattr(model_store, "load_model", lambda retrain=False: small_model)


def write_jsonl(tmp_path: Path, rows: list[Any]) -> str:
    lines = [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), captured.out, captured.err


def test_predict_shapes_and_line_errors(
    use_small_model: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_jsonl(
        tmp_path,
        [
            {"id": "n001", "text": "一米七穿什么码"},
            "{broken",
            {"id": "n003"},
            {"id": 4, "text": "在吗，快递到哪了 SF1234567890123"},
            {"id": "n005", "text": 5},
        ],
    )
    code, out, _ = run(capsys, "nlu", "predict", path)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert len(rows) == 5
    first = rows[0]
    assert set(first) == {"id", "intent", "confidence", "entities"}
    assert first["id"] == "n001" and first["intent"] == "size_advice"
    assert 0 <= first["confidence"] <= 1
    assert first["entities"] == [{"type": "height_cm", "value": 170, "start": 0, "end": 3}]
    assert rows[1]["line"] == 2 and "JSON" in rows[1]["error"]
    assert rows[2] == {"line": 3, "error": "missing required field: text"}
    assert rows[3]["id"] == 4 and rows[3]["intent"] == "logistics_query"
    assert rows[3]["entities"] == [
        {"type": "tracking_no", "value": "SF1234567890123", "start": 9, "end": 24}
    ]
    assert rows[4]["line"] == 5


def test_predict_all_good_exits_0(
    use_small_model: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_jsonl(tmp_path, [{"id": "a", "text": "能开发票吗", "extra": 1}])
    code, out, _ = run(capsys, "nlu", "predict", path)
    assert code == 0
    assert json.loads(out)["intent"] in INTENTS


def test_missing_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "nlu", "predict", "/no/such/file.jsonl")
    assert code == 2 and out == "" and err.count("\n") == 1


def test_eval_reports_every_metric(
    use_small_model: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_jsonl(
        tmp_path,
        [
            {
                "id": "1",
                "text": "170 65kg穿什么码",
                "intent": "size_advice",
                "entities": [
                    {"type": "height_cm", "value": 170},
                    {"type": "weight_kg", "value": 65},
                ],
            },
            {"id": "2", "text": "快递到哪了", "intent": "logistics_query"},
            {"id": "3", "text": "我要投诉你们", "intent": "complaint"},
            {"id": "4", "text": "no intent here"},
        ],
    )
    code, out, err = run(capsys, "nlu", "eval", path)
    summary = json.loads(out)
    assert code == 1  # the line without an intent
    assert json.loads(err) == {"file": path, "line": 4, "error": "missing required field: intent"}
    assert summary["messages"] == 3
    assert summary["accuracy"] == 1.0 and summary["macro_f1"] == 1.0
    assert summary["entity_f1"] == 1.0
    assert 0 <= summary["ece"] <= 1
    assert set(summary["per_intent"]["complaint"]) == {"precision", "recall", "f1", "support"}
    assert summary["confusions"] == []


def test_eval_text_table(
    use_small_model: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_jsonl(tmp_path, [{"id": "1", "text": "在吗", "intent": "thanks_bye"}])
    code, out, _ = run(capsys, "nlu", "eval", "--text", path)
    assert code == 0
    assert "accuracy   0.0000" in out and "greeting" in out and "thanks_bye -> " in out


def test_model_is_trained_once_then_loaded_from_the_cache(small_training: Path) -> None:
    first = model_store.load_model()
    files = list(small_training.glob("nlu-*.pkl"))
    assert len(files) == 1
    model_store._loaded.clear()
    again = model_store.load_model()
    assert again is not first and again.labels == first.labels  # read back from disk
    assert again.predict("快递到哪了") == first.predict("快递到哪了")


def test_a_corrupt_cache_file_is_rebuilt(small_training: Path) -> None:
    path, _, _ = model_store.model_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a pickle")
    model = model_store.load_model()
    assert model.labels == sorted(INTENTS)
    assert path.read_bytes() != b"not a pickle"


def test_train_command(small_training: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "nlu", "train")
    assert code == 0
    assert Path(json.loads(out)["model"]).parent == small_training


def test_predict_reads_stdin_and_accepts_shop_and_now(
    use_small_model: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO('{"id": "s1", "text": "包邮吗"}\n\n'))
    code, out, _ = run(capsys, "nlu", "predict", "-", "--now", "2026-11-20T10:00:00+08:00")
    assert code == 0
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["s1"]
