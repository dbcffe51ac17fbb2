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
# Measured with stratified 5-fold cross-validation (bench/README.md): a few hundred
# sentences, so the words and the embedding are both regularised; C=16 was best for both
# corpora among 4, 8, 16 and 32.
C = {"tone": 16.0, "themes": 16.0}
DIGITS = 5
# How much the sentence embedding counts beside the words (both have unit length). Less
# than the words: at 2.0 the embedding's guess on neutral sentences ("I'll bring a copy
# of my CV") flagged them; 0.5 (tone) and 0.75 (themes) were best of 0 to 4.
EMBEDDING_SCALE = {"tone": 0.5, "themes": 0.75}
# Classes weighted inversely to their share of the corpus: the bad tones and the five
# themes are each rarer than "polite" and "none", and unweighted the classifier leans to
# those. Where to flag is then the threshold's job, chosen by cross-validation below.
CLASS_WEIGHT = "balanced"
# Candidate thresholds for "polite" below which a sentence is flagged.
THRESHOLD_GRID = [round(0.3 + 0.05 * i, 2) for i in range(13)]


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
    texts: list[str],
    labels: list[str],
    extra: Callable[[str], list[str]],
    *,
    c: float,
    embedding_scale: float,
) -> dict:
    """The model's JSON document, fitted on `texts`."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    vectorizer = TfidfVectorizer(analyzer=lambda text: tokens(text) + extra(text))
    matrix = hstack([vectorizer.fit_transform(texts), csr_matrix(embedding_scale * embed(texts))])
    classifier = LogisticRegression(C=c, max_iter=5000, class_weight=CLASS_WEIGHT)
    # One BLAS thread: on a shared machine its thread pool spins and a fit takes 15 times
    # the CPU (bench/README.md); the result is the same.
    with threadpool_limits(limits=1):
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
        "embedding_scale": embedding_scale,
        "embedding_weights": embedding_weights,
    }


def _model(name: str, texts: list[str], labels: list[str]) -> LinearModel:
    extra = extra_features(name)
    model = LinearModel(fit(texts, labels, extra, c=C[name], embedding_scale=EMBEDDING_SCALE[name]))
    model.extra_features = extra
    return model


def held_out_predictions(name: str, texts: list[str], labels: list[str], *, folds: int = 5):
    """Each text's prediction by a model trained on the other folds (stratified)."""
    from sklearn.model_selection import StratifiedKFold

    predictions: list = [None] * len(texts)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train, test in splitter.split(texts, labels):
        model = _model(name, [texts[i] for i in train], [labels[i] for i in train])
        for i, prediction in zip(test, model.predict_many([texts[i] for i in test]), strict=True):
            predictions[i] = prediction
    return predictions


def polite_threshold(texts: list[str], labels: list[str]) -> float:
    """The "polite" probability under which the checker flags a sentence, chosen by
    cross-validation within `texts` (the sentences it will be measured on are never among
    them): the threshold with the best F1 for "flagged" against the four bad tones, the
    patterns' own flags included, as the checker decides (followups/drafts/tone.py)."""
    from followups.drafts.tone import MIN_WORDS, POLITE, pattern_features

    predictions = held_out_predictions("tone", texts, labels)
    # The words the model fitted on all of `texts` will know (LinearModel.known_words).
    known = {t for text in texts for t in tokens(text) if " " not in t}
    best, best_score = 0.5, -1.0
    for threshold in THRESHOLD_GRID:
        hits = alarms = misses = 0
        for text, label, prediction in zip(texts, labels, predictions, strict=True):
            eligible = (
                len(text.split()) >= MIN_WORDS
                and len({t for t in tokens(text) if " " not in t} & known) >= MIN_WORDS
            )
            flagged = bool(pattern_features(text)) or (
                eligible and prediction.probabilities[POLITE] < threshold
            )
            bad = label != POLITE
            hits += flagged and bad
            alarms += flagged and not bad
            misses += bad and not flagged
        score = 2 * hits / max(1, 2 * hits + alarms + misses)
        if score > best_score + 1e-9:
            best, best_score = threshold, score
    return best


def none_threshold(texts: list[str], labels: list[str]) -> float:
    """The "none" probability under which a feedback clause suggests a theme, chosen by
    cross-validation within `texts`: the threshold with the best macro-F1 when each
    sentence gets its likeliest theme or "none", as followups/growth/themes.py decides."""
    from sklearn.metrics import f1_score

    from followups.growth.themes import MIN_KNOWN_WORDS, NONE

    predictions = held_out_predictions("themes", texts, labels)
    known = {t for text in texts for t in tokens(text) if " " not in t}
    best, best_score = 0.5, -1.0
    for threshold in THRESHOLD_GRID:
        predicted = []
        for text, prediction in zip(texts, predictions, strict=True):
            probabilities = prediction.probabilities
            eligible = len({t for t in tokens(text) if " " not in t} & known) >= MIN_KNOWN_WORDS
            if not eligible or probabilities[NONE] >= threshold:
                predicted.append(NONE)
            else:
                themes = [c for c in probabilities if c != NONE]
                predicted.append(max(themes, key=probabilities.__getitem__))
        score = f1_score(labels, predicted, average="macro")
        if score > best_score + 1e-9:
            best, best_score = threshold, score
    return best


def thresholds(name: str, texts: list[str], labels: list[str]) -> dict[str, float]:
    if name == "tone":
        return {"polite": polite_threshold(texts, labels)}
    return {"none": none_threshold(texts, labels)}


def fit_model(name: str, texts: list[str], labels: list[str]) -> LinearModel:
    """A model of kind `name` fitted on these texts, its threshold chosen by cross-validation
    on them alone (so bench/bench_language.py's outer folds are a nested cross-validation)."""
    model = _model(name, texts, labels)
    model.thresholds = thresholds(name, texts, labels)
    return model


def document(name: str) -> str:
    texts, labels = read_corpus(name)
    fitted = fit(
        texts, labels, extra_features(name), c=C[name], embedding_scale=EMBEDDING_SCALE[name]
    )
    fitted["thresholds"] = thresholds(name, texts, labels)
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
