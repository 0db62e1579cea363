"""Precision/recall on the held-out labelled set (evaluated only, not tuned on)."""

from __future__ import annotations

from qa_heldout_cases import CASES

from kefu.core.qa import engine_for
from kefu.core.shopconfig import DEFAULT_SHOP


def score() -> tuple[float, float, float]:
    engine = engine_for(DEFAULT_SHOP)
    tp = fp = fn = 0
    for text, expected in CASES:
        found = {v.rule for v in engine.check_text(text)}
        tp += len(found & expected)
        fp += len(found - expected)
        fn += len(expected - found)
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    return precision, recall, 2 * precision * recall / (precision + recall)


def test_heldout_quality() -> None:
    precision, recall, f1 = score()
    assert len(CASES) >= 55
    assert precision >= 0.9
    assert f1 >= 0.85
