"""The held-out calibration split and the blind test sets' independence from training."""

import json
from importlib import resources

import pytest

from kefu.core.assistant.nlu.data.generator import CORE_LINES, generate, split_cores
from kefu.core.assistant.nlu.data.handwritten import handwritten_rows
from kefu.core.assistant.nlu.intents import INTENTS
from kefu.core.assistant.nlu.model import normalize
from kefu.core.records import LabelledMessage


def test_split_cores_partitions_every_intent() -> None:
    kept, held = split_cores(5, 0)
    assert set(kept) == set(held) == set(CORE_LINES)
    for intent, lines in CORE_LINES.items():
        assert held[intent], intent  # every intent has unseen phrasings to calibrate on
        assert kept[intent], intent
        assert sorted(kept[intent] + held[intent]) == sorted(lines)


def test_different_folds_hold_out_different_lines() -> None:
    _, first = split_cores(5, 0)
    _, second = split_cores(5, 1)
    assert not set(first["product_info"]) & set(second["product_info"])


def test_generation_from_a_subset_is_deterministic_and_covers_all_intents() -> None:
    _, held = split_cores(5, 0)
    rows = generate(8, 20, held)
    assert rows == generate(8, 20, held)
    assert {intent for _, intent in rows} == set(INTENTS)


def blind_records(name: str) -> list[dict[str, object]]:
    text = resources.files("kefu.core.assistant.nlu.data").joinpath(name).read_text("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("name", ["blind2.jsonl", "blind3.jsonl"])
def test_blind_sets_are_valid_and_never_trained_on(name: str) -> None:
    records = blind_records(name)
    for record in records:
        LabelledMessage.model_validate(record)
        assert record["intent"] in INTENTS
    training = {normalize(t) for t, _ in generate(7, 300) + handwritten_rows()}
    overlap = [r["text"] for r in records if normalize(str(r["text"])) in training]
    # Only very short, universal messages (在吗 / 好的谢谢) may coincide.
    assert len(overlap) <= len(records) // 10, overlap
