"""The intent classifier: character and word n-grams into a linear model, with a
temperature that calibrates its confidence.

Training uses scikit-learn (TF-IDF + LinearSVC); the fitted model is then compiled into
plain vocabularies and numpy arrays (`IntentModel`), so predicting needs neither
scikit-learn nor scipy — loading stays fast and every `kefu` command starts quickly.
Pure: `train(rows, calibration)` returns the model; the file cache is
`kefu.core.assistant.model_store`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import jieba
import numpy as np

from kefu.core.assistant.nlu.textfold import fold

jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise

CHAR_NGRAMS = (1, 4)
WORD_NGRAMS = (1, 2)
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Folded (full-width, traditional), lower case, every number as 9, single spaces."""
    text = unicodedata.normalize("NFKC", fold(text)).lower()
    text = _DIGITS.sub("9", text)
    return _SPACES.sub(" ", text).strip()


def words(text: str) -> list[str]:
    return [w for w in jieba.lcut(text) if w.strip()]


def char_ngrams(text: str) -> list[str]:
    low, high = CHAR_NGRAMS
    return [text[i : i + n] for n in range(low, high + 1) for i in range(len(text) - n + 1)]


def word_ngrams(text: str) -> list[str]:
    tokens = words(text)
    low, high = WORD_NGRAMS
    return [
        " ".join(tokens[i : i + n])
        for n in range(low, high + 1)
        for i in range(len(tokens) - n + 1)
    ]


@dataclass
class _Space:
    """One TF-IDF feature space: vocabulary, idf, sublinear tf, l2-normalised."""

    vocabulary: dict[str, int]
    idf: np.ndarray

    def vector(self, grams: list[str]) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(g for g in grams if g in self.vocabulary)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        index = np.fromiter((self.vocabulary[g] for g in counts), dtype=np.int64)
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float64)
        values = tf * self.idf[index]
        return index, values / np.linalg.norm(values)


@dataclass
class IntentModel:
    chars: _Space
    words: _Space
    coef: np.ndarray  # (classes, char features + word features)
    intercept: np.ndarray
    labels: list[str] = field(default_factory=list)
    temperature: float = 1.0

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), len(self.labels)))
        offset = len(self.chars.vocabulary)
        for row, text in enumerate(texts):
            normal = normalize(text)
            c_index, c_values = self.chars.vector(char_ngrams(normal))
            w_index, w_values = self.words.vector(word_ngrams(normal))
            out[row] = (
                self.coef[:, c_index] @ c_values
                + self.coef[:, w_index + offset] @ w_values
                + self.intercept
            )
        return out

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return softmax(self.scores(texts) / self.temperature)

    def predict(self, text: str) -> tuple[str, float]:
        probs = self.probabilities([text])[0]
        best = int(np.argmax(probs))
        return self.labels[best], float(probs[best])


def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


def fit_temperature(scores: np.ndarray, gold: np.ndarray) -> float:
    """The temperature that minimises the negative log-likelihood of `gold` (grid search)."""
    best_t, best_nll = 1.0, float("inf")
    for t in np.exp(np.linspace(np.log(0.02), np.log(20.0), 160)):
        probs = softmax(scores / t)
        nll = -float(np.mean(np.log(probs[np.arange(len(gold)), gold] + 1e-12)))
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return best_t


def train(
    rows: Sequence[tuple[str, str]],
    calibration: Sequence[tuple[str, str]] = (),
    c: float = 0.5,
) -> IntentModel:
    """Fit on (text, intent) rows; `calibration` rows (never trained on) set the temperature."""
    # scikit-learn is needed only here; importing it costs seconds, so not at module level.
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    texts = [normalize(t) for t, _ in rows]
    labels = sorted({intent for _, intent in rows})
    index = {label: i for i, label in enumerate(labels)}
    y = np.array([index[intent] for _, intent in rows])
    chars = TfidfVectorizer(analyzer=char_ngrams, min_df=2, sublinear_tf=True, max_features=150_000)
    word_vec = TfidfVectorizer(analyzer=word_ngrams, min_df=2, sublinear_tf=True)
    features = hstack([chars.fit_transform(texts), word_vec.fit_transform(texts)]).tocsr()
    classifier = LinearSVC(C=c)
    classifier.fit(features, y)
    model = IntentModel(
        _Space(dict(chars.vocabulary_), np.asarray(chars.idf_)),
        _Space(dict(word_vec.vocabulary_), np.asarray(word_vec.idf_)),
        np.ascontiguousarray(classifier.coef_, dtype=np.float64),
        np.asarray(classifier.intercept_, dtype=np.float64),
        labels,
    )
    usable = [(t, i) for t, i in calibration if i in index]
    if usable:
        scores = model.scores([t for t, _ in usable])
        model.temperature = fit_temperature(scores, np.array([index[i] for _, i in usable]))
    return model
