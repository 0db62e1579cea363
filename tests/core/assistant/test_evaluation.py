import pytest

from kefu.core.assistant.nlu.evaluation import Scored, expected_calibration_error, report


def row(gold: str, pred: str, conf: float = 0.9, ge=None, pe=None) -> Scored:  # type: ignore[no-untyped-def]
    return Scored(gold, pred, conf, ge if ge is not None else [], pe or [])


def test_accuracy_macro_f1_and_confusions() -> None:
    rows = [row("a", "a"), row("a", "b"), row("b", "b"), row("b", "b")]
    out = report(rows)
    assert out["accuracy"] == 0.75
    # a: P 1, R 0.5, F1 .667; b: P .667, R 1, F1 .8
    assert out["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2, abs=1e-4)
    assert out["per_intent"]["a"]["recall"] == 0.5
    assert out["confusions"] == [{"gold": "a", "predicted": "b", "count": 1}]


def test_entity_f1_compares_numbers_by_value() -> None:
    rows = [
        row("a", "a", ge=[("weight_kg", 65), ("size", "L")], pe=[("weight_kg", 65.0)]),
        row("a", "a", ge=[], pe=[("color", "黑")]),
    ]
    out = report(rows)
    assert out["entity_precision"] == 0.5
    assert out["entity_recall"] == 0.5
    assert out["entity_f1"] == 0.5


def test_ece() -> None:
    assert expected_calibration_error([(1.0, True), (1.0, True)]) == 0.0
    assert expected_calibration_error([(0.9, False)]) == pytest.approx(0.9)
    assert expected_calibration_error([]) == 0.0
    # two bins: 0.55 conf with 1/2 right (0.05), 0.95 conf all right (0.05)
    pairs = [(0.55, True), (0.55, False), (0.95, True), (0.95, True)]
    assert expected_calibration_error(pairs) == pytest.approx(0.05)


def test_empty_report() -> None:
    assert report([])["accuracy"] == 0.0
