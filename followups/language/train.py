"""Trains the classifiers on the corpus and writes their weights to `models/` (JSON).

    python -m followups.language.train            # rebuild models/tone.json, themes.json
    python -m followups.language.train --check    # fail if the committed weights are stale

Needs scikit-learn (the dev extras). Training is deterministic: the same corpus gives the
same weights, so `--check` can run in CI.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable
from pathlib import Path

from followups.language.embeddings import embed
from followups.language.features import tokens
from followups.language.model import MODELS_DIR, LinearModel

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
CORPORA = {"tone": "tone.csv", "themes": "themes.csv"}
# Stronger regularisation than scikit-learn's default: a few hundred sentences, and
# we would rather miss a rare phrasing than overfit to the words of one example.
C = {"tone": 8.0, "themes": 16.0}
DIGITS = 5
# How much the sentence embedding counts beside the words (both have unit length).
EMBEDDING_SCALE = 2.0
# Classes weighted by their share of the corpus. "balanced" was measured too (bench/README):
# recall on bad tones 0.84 instead of 0.75, but 15 % of polite sentences flagged instead of
# 7 %, and a checker that cries wolf while you type gets ignored.
CLASS_WEIGHT = None


def read_corpus(name: str) -> tuple[list[str], list[str]]:
    with open(CORPUS_DIR / CORPORA[name], newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def extra_features(name: str) -> Callable[[str], list[str]]:
    """The phrase patterns' hits the model `name` is trained with, as extra features."""
    if name == "tone":
        from followups.drafts.tone import pattern_features
    else:
        from followups.growth.themes import pattern_features
    return pattern_features


def fit(
    texts: list[str], labels: list[str], extra: Callable[[str], list[str]], *, c: float
) -> dict:
    """The model's JSON document, fitted on `texts`."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=lambda text: tokens(text) + extra(text))
    matrix = hstack([vectorizer.fit_transform(texts), csr_matrix(EMBEDDING_SCALE * embed(texts))])
    classifier = LogisticRegression(C=c, max_iter=5000, class_weight=CLASS_WEIGHT)
    classifier.fit(matrix, labels)
    features = vectorizer.get_feature_names_out()
    vocabulary = len(features)
    weights = {
        str(feature): [round(float(w), DIGITS) for w in classifier.coef_[:, j]]
        for j, feature in enumerate(features)
    }
    embedding_weights = [
        [round(float(w), DIGITS) for w in row] for row in classifier.coef_[:, vocabulary:]
    ]
    return {
        "classes": [str(c) for c in classifier.classes_],
        "idf": {
            str(f): round(float(v), DIGITS) for f, v in zip(features, vectorizer.idf_, strict=True)
        },
        "weights": weights,
        "intercepts": [round(float(b), DIGITS) for b in classifier.intercept_],
        "embedding_scale": EMBEDDING_SCALE,
        "embedding_weights": embedding_weights,
    }


def fit_model(name: str, texts: list[str], labels: list[str]) -> LinearModel:
    """A model of kind `name` fitted on these texts (cross-validation fits one per fold)."""
    extra = extra_features(name)
    model = LinearModel(fit(texts, labels, extra, c=C[name]))
    model.extra_features = extra
    return model


def document(name: str) -> str:
    fitted = fit(*read_corpus(name), extra_features(name), c=C[name])
    return json.dumps(fitted, sort_keys=True, separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with models/")
    args = parser.parse_args(argv)
    stale = []
    for name in CORPORA:
        path = MODELS_DIR / f"{name}.json"
        text = document(name)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            MODELS_DIR.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path} ({len(text) // 1024} KiB)")
    if stale:
        print(f"stale weights: {', '.join(stale)}; run python -m followups.language.train")
        return 1
    return 0


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    os.environ.setdefault("DEBUG", "1")  # a developer's command: no SECRET_KEY needed
    django.setup()
    sys.exit(main())
