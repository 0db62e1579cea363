"""What the shipped model is trained on, and the key that names a fitted model.

Pure: the generator is seeded, the hand-written rows are in code and the dev set is text
shipped with the package; the same inputs always give the same rows and the same key.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata, resources

from kefu.core.assistant.nlu import model as model_module
from kefu.core.assistant.nlu.data.generator import generate
from kefu.core.assistant.nlu.data.handwritten import handwritten_rows

# Bump when the features or the classifier change in a way the data hash cannot see.
MODEL_VERSION = "nlu-1"
GENERATOR_SEED = 7
PER_INTENT = 800
# Hand-written messages are natural speech; they count this many times a generated one.
HANDWRITTEN_WEIGHT = 3


def training_rows() -> list[tuple[str, str]]:
    rows = generate(GENERATOR_SEED, PER_INTENT)
    return rows + handwritten_rows() * HANDWRITTEN_WEIGHT


def dev_records() -> list[dict[str, object]]:
    """The dev set: written apart from the training data, never trained on."""
    text = resources.files("kefu.core.assistant.nlu.data").joinpath("dev.jsonl").read_text("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def calibration_rows() -> list[tuple[str, str]]:
    return [(str(r["text"]), str(r["intent"])) for r in dev_records()]


def model_key(
    rows: list[tuple[str, str]], calibration: list[tuple[str, str]], code: str = ""
) -> str:
    """A short hash of everything the fitted model depends on (`code`: the model source)."""
    digest = hashlib.sha256()
    digest.update(f"{MODEL_VERSION}|{metadata.version('scikit-learn')}|{code}|".encode())
    digest.update(json.dumps([rows, calibration], ensure_ascii=False).encode())
    return digest.hexdigest()[:16]


def train_shipped_model() -> model_module.IntentModel:
    return model_module.train(training_rows(), calibration_rows())
