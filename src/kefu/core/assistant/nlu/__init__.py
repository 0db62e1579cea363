"""Buyer-message understanding: one intent with a calibrated confidence, plus entities.

`understand(model, text)` is the whole contract of `kefu nlu predict` for one message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kefu.core.assistant.nlu.entities import Entity, extract_entities
from kefu.core.assistant.nlu.intents import POLITE, is_threat, request_part
from kefu.core.assistant.nlu.model import IntentModel

# Confidence given when a priority rule, not the classifier, decides the intent; it is the
# rule's measured precision on the dev set, rounded down.
RULE_CONFIDENCE = 0.9
# An empty message is `other`, and we say so with no more than an even chance.
EMPTY_CONFIDENCE = 0.5
# The request left after removing polite words must be this long to outrank them.
MIN_REQUEST_CHARS = 3


@dataclass(frozen=True)
class Understanding:
    intent: str
    confidence: float
    entities: list[Entity]

    def as_json(self, message_id: Any) -> dict[str, Any]:
        return {
            "id": message_id,
            "intent": self.intent,
            "confidence": round(self.confidence, 4),
            "entities": [e.as_json() for e in self.entities],
        }


def classify(model: IntentModel, text: str) -> tuple[str, float]:
    """The primary intent under the taxonomy's priority rules, with its confidence."""
    if not text.strip():
        return "other", EMPTY_CONFIDENCE  # nothing said: no topic to find
    probs = model.probabilities([text])[0]
    ranked = sorted(zip(model.labels, probs, strict=True), key=lambda p: -p[1])
    intent, confidence = ranked[0]
    if is_threat(text):
        return "complaint", max(float(dict(ranked)["complaint"]), RULE_CONFIDENCE)
    rest = request_part(text)
    if not rest and text.strip() and intent not in POLITE:
        # Nothing but politeness ("亲。。在么"): it only opens or closes the chat.
        intent, confidence = max((p for p in ranked if p[0] in POLITE), key=lambda p: p[1])
        # The classifier doubted it, so the polite reading gets at least an even chance.
        return intent, max(float(confidence), 0.5)
    if intent in POLITE and len(rest) >= MIN_REQUEST_CHARS:
        # A request wrapped in politeness: classify what remains without the wrapping.
        inner_intent, inner_conf = model.predict(rest)
        if inner_intent not in POLITE and inner_intent != "other":
            return inner_intent, inner_conf
    return intent, float(confidence)


def understand(model: IntentModel, text: str) -> Understanding:
    intent, confidence = classify(model, text)
    return Understanding(intent, min(max(confidence, 0.0), 1.0), extract_entities(text))
