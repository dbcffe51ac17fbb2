"""The trained classifiers at run time: a linear model over tf-idf features, read from
its committed JSON weights and evaluated in plain Python (a sentence has a few dozen
features, so a dict lookup per feature is all it costs).

The features are the sentence's tf-idf vector (scikit-learn's arithmetic: smoothed idf,
l2 normalisation) followed by its sentence embedding times a fixed scale; the classifier
is a multinomial logistic regression. tests/drafts/test_language_model.py checks this
module and scikit-learn agree.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from followups.language.embeddings import embed
from followups.language.features import tokens

MODELS_DIR = Path(__file__).resolve().parent / "models"


@dataclass(frozen=True)
class Prediction:
    label: str
    probability: float
    # The feature that pushed hardest towards `label`, to quote back to the user.
    strongest: str
    probabilities: dict[str, float] = field(default_factory=dict)


class LinearModel:
    """One classifier: `classes`, an idf per feature, and per-class weights."""

    def __init__(self, data: dict) -> None:
        import numpy as np

        self.classes: list[str] = data["classes"]
        self.idf: dict[str, float] = data["idf"]
        self.weights: dict[str, list[float]] = data["weights"]
        self.intercepts: list[float] = data["intercepts"]
        self.embedding_scale: float = data["embedding_scale"]
        # One row of DIMENSIONS weights per class, transposed once for the matrix product.
        self.embedding_weights = np.asarray(data["embedding_weights"], dtype=np.float64).T
        # Decision thresholds chosen by cross-validation inside the training set (train.py).
        self.thresholds: dict[str, float] = data.get("thresholds", {})
        self.extra_features: Callable[[str], list[str]] | None = None

    @classmethod
    def load(cls, name: str, *, extra_features: Callable[[str], list[str]] | None = None):
        """The committed model `name`; `extra_features` must be the function it was
        trained with (the phrase patterns' hits, see train.py)."""
        model = cls(json.loads((MODELS_DIR / f"{name}.json").read_text(encoding="utf-8")))
        model.extra_features = extra_features
        return model

    def features(self, text: str) -> list[str]:
        extra: list[str] = self.extra_features(text) if self.extra_features else []
        return tokens(text) + extra

    def vector(self, text: str) -> dict[str, float]:
        counts = Counter(t for t in self.features(text) if t in self.idf)
        raw = {t: n * self.idf[t] for t, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in raw.values())) or 1.0
        return {t: v / norm for t, v in raw.items()}

    def known_words(self, text: str) -> int:
        """How many of `text`'s words the model saw in training: too few, and its verdict
        is mostly the embedding's guess (callers abstain then)."""
        return len({t for t in tokens(text) if " " not in t and t in self.idf})

    def _scores(self, vector: dict[str, float], embedding_scores) -> list[float]:
        scores = [b + float(e) for b, e in zip(self.intercepts, embedding_scores, strict=True)]
        for feature, value in vector.items():
            for i, w in enumerate(self.weights.get(feature, ())):
                scores[i] += w * value
        return scores

    def _softmax(self, scores: list[float]) -> dict[str, float]:
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {label: e / total for label, e in zip(self.classes, exps, strict=True)}

    def predict_many(self, texts: list[str]) -> list[Prediction]:
        """One prediction per text, with all the texts embedded in one batch."""
        if not texts:
            return []
        embedding_scores = (embed(texts) * self.embedding_scale) @ self.embedding_weights
        predictions = []
        for text, row in zip(texts, embedding_scores, strict=True):
            vector = self.vector(text)
            probabilities = self._softmax(self._scores(vector, row))
            label = max(probabilities, key=probabilities.__getitem__)
            strongest = self._strongest(vector, label)
            predictions.append(Prediction(label, probabilities[label], strongest, probabilities))
        return predictions

    def _strongest(self, vector: dict[str, float], label: str) -> str:
        index = self.classes.index(label)
        zero = [0.0] * len(self.classes)
        return max(vector, key=lambda f: vector[f] * self.weights.get(f, zero)[index], default="")

    def strongest(self, text: str, label: str) -> str:
        """The feature of `text` that pushed hardest towards `label`."""
        return self._strongest(self.vector(text), label)

    def probabilities(self, text: str) -> dict[str, float]:
        return self.predict_many([text])[0].probabilities

    def predict(self, text: str) -> Prediction:
        return self.predict_many([text])[0]
