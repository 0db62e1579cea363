"""Metrics of `kefu nlu eval`: accuracy, macro-F1, per-intent precision/recall, confusions,
entity F1 and the expected calibration error (ECE). Pure functions over gold and predicted
labels."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

ECE_BINS = 10


@dataclass(frozen=True)
class Scored:
    gold_intent: str
    intent: str
    confidence: float
    gold_entities: list[tuple[str, Any]] | None  # None: the line carries no entity labels
    entities: list[tuple[str, Any]]


def entity_key(kind: str, value: Any) -> tuple[str, Any]:
    """Numbers compare by value (65 == 65.0); strings as written."""
    if isinstance(value, bool):
        return kind, value
    if isinstance(value, int | float):
        return kind, round(float(value), 2)
    return kind, str(value)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def expected_calibration_error(pairs: Sequence[tuple[float, bool]], bins: int = ECE_BINS) -> float:
    """Sum over equal-width confidence bins of |accuracy - mean confidence| x bin share."""
    if not pairs:
        return 0.0
    total = 0.0
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        members = [(c, ok) for c, ok in pairs if (low < c <= high) or (b == 0 and c == 0.0)]
        if members:
            accuracy = sum(ok for _, ok in members) / len(members)
            confidence = sum(c for c, _ in members) / len(members)
            total += abs(accuracy - confidence) * len(members) / len(pairs)
    return total


def report(rows: Iterable[Scored], top_confusions: int = 15) -> dict[str, Any]:
    rows = list(rows)
    n = len(rows)
    labels = sorted({r.gold_intent for r in rows} | {r.intent for r in rows})
    per_intent: dict[str, dict[str, Any]] = {}
    f1s = []
    for label in labels:
        tp = sum(1 for r in rows if r.intent == label and r.gold_intent == label)
        predicted = sum(1 for r in rows if r.intent == label)
        support = sum(1 for r in rows if r.gold_intent == label)
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = _f1(precision, recall)
        per_intent[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": support,
        }
        if support:
            f1s.append(f1)
    confusions = Counter((r.gold_intent, r.intent) for r in rows if r.gold_intent != r.intent)
    tp_e = fp_e = fn_e = 0
    for r in rows:
        if r.gold_entities is None:
            continue
        gold = Counter(entity_key(k, v) for k, v in r.gold_entities)
        found = Counter(entity_key(k, v) for k, v in r.entities)
        hit = sum((gold & found).values())
        tp_e += hit
        fp_e += sum(found.values()) - hit
        fn_e += sum(gold.values()) - hit
    e_precision = tp_e / (tp_e + fp_e) if tp_e + fp_e else 1.0
    e_recall = tp_e / (tp_e + fn_e) if tp_e + fn_e else 1.0
    return {
        "messages": n,
        "accuracy": round(sum(r.intent == r.gold_intent for r in rows) / n, 4) if n else 0.0,
        "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
        "ece": round(
            expected_calibration_error([(r.confidence, r.intent == r.gold_intent) for r in rows]),
            4,
        ),
        "entity_precision": round(e_precision, 4),
        "entity_recall": round(e_recall, 4),
        "entity_f1": round(_f1(e_precision, e_recall), 4),
        "per_intent": per_intent,
        "confusions": [
            {"gold": gold, "predicted": pred, "count": count}
            for (gold, pred), count in confusions.most_common(top_confusions)
        ],
    }
