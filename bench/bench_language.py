"""The draft checker's tone reading and the feedback themes, measured on the corpus.

    .venv/bin/python bench/bench_language.py [--folds 5]

Prints, with stratified k-fold cross-validation over followups/language/corpus/ (each fold's
classifier trained on the other folds, through the same code the app runs):
- tone: precision and recall per class, the confusion matrix, and the checker's verdict
  (phrase patterns OR classifier) as flagged / not flagged against the labels: recall on
  the four bad tones, precision on the polite sentences;
- themes: precision, recall and F1 per theme, macro-F1, the confusion matrix;
- against the phrase patterns alone (the checker before the classifier), as the baseline;
- the checker's time per 150-word draft, the classifiers' load time and memory.
Needs scikit-learn (the dev extras). Targets (issue 18): recall >= 0.9 on the bad tones
with precision >= 0.9 on polite; themes macro-F1 >= 0.85; < 20 ms a draft; load < 1 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from sklearn.metrics import classification_report, confusion_matrix, f1_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

from followups.drafts import check_draft  # noqa: E402
from followups.drafts import tone as tone_module  # noqa: E402
from followups.growth import themes as theme_module  # noqa: E402
from followups.language.train import fit_model, read_corpus  # noqa: E402

BAD = {"emotional", "demanding", "blaming", "sarcastic"}


def folds(labels: list[str], k: int):
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=0)
    return splitter.split(labels, labels)


def table(labels, predictions, title: str) -> None:
    classes = sorted(set(labels) | set(predictions))
    print(f"\n== {title}")
    print(classification_report(labels, predictions, labels=classes, digits=3, zero_division=0))
    print("confusion matrix (rows: label, columns: predicted)")
    print("".join(f"{c[:10]:>11}" for c in ["", *classes]))
    for c, row in zip(classes, confusion_matrix(labels, predictions, labels=classes), strict=True):
        print(f"{c[:10]:>11}" + "".join(f"{n:>11}" for n in row))


def flagged_report(labels, flagged, title: str) -> tuple[float, float]:
    bad = [label in BAD for label in labels]
    hits = sum(f and b for f, b in zip(flagged, bad, strict=True))
    kept_polite = sum((not f) and (not b) for f, b in zip(flagged, bad, strict=True))
    recall = hits / sum(bad)
    polite_precision = kept_polite / max(1, sum(not f for f in flagged))
    false_alarms = sum(f and not b for f, b in zip(flagged, bad, strict=True))
    print(
        f"{title}: recall on bad tones {recall:.3f}; precision of 'polite' {polite_precision:.3f};"
        f" polite sentences flagged {false_alarms} of {len(bad) - sum(bad)}"
    )
    return recall, polite_precision


def evaluate_tone(k: int) -> None:
    texts, labels = read_corpus("tone")
    predicted = [""] * len(texts)
    flagged = [False] * len(texts)
    for train, test in folds(labels, k):
        model = fit_model("tone", [texts[i] for i in train], [labels[i] for i in train])
        for i in test:
            predicted[i] = model.predict(texts[i]).label
            by_pattern = bool(tone_module.pattern_features(texts[i]))
            flagged[i] = by_pattern or bool(tone_module.read_tone(texts[i], model))
    table(labels, predicted, f"tone: classifier, {k}-fold cross-validation")
    patterns_only = [bool(tone_module.pattern_features(t)) for t in texts]
    print()
    flagged_report(labels, patterns_only, "phrase patterns alone (baseline)")
    flagged_report(labels, flagged, "checker: patterns OR classifier")


def evaluate_themes(k: int) -> None:
    texts, labels = read_corpus("themes")
    predicted = [""] * len(texts)
    for train, test in folds(labels, k):
        model = fit_model("themes", [texts[i] for i in train], [labels[i] for i in train])
        for i in test:
            found = theme_module.clause_themes(texts[i], model)
            predicted[i] = model.predict(texts[i]).label if found else theme_module.NONE
    table(labels, predicted, f"themes: suggest per sentence, {k}-fold cross-validation")
    print(f"macro-F1 {f1_score(labels, predicted, average='macro'):.3f}")
    baseline = []
    for text in texts:
        found = {
            theme
            for theme, patterns in theme_module._COMPILED.items()
            if any(p.search(theme_module._normalise(text)) for p in patterns)
        }
        if len(found) == 1:
            baseline.append(sorted(found)[0])
        else:
            baseline.append("several" if found else theme_module.NONE)
    score = f1_score(labels, baseline, average="macro", labels=sorted(set(labels)))
    print(f"phrase patterns alone (baseline) macro-F1 {score:.3f}")


def measure_speed() -> None:
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    tone_module.tone_model.cache_clear()
    tone_module.tone_model().probabilities("Warm-up.")
    theme_module.theme_model().probabilities("Warm-up.")
    load = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    draft = (
        "Hi Dana, thank you for letting me know. I'm disappointed, of course, but I enjoyed "
        "meeting the team and learning about the roadmap. If you have a moment, I'd be "
        "grateful for any feedback on my interview, as I am always looking to improve. "
        "I remain very interested in the company and would love to be considered for future "
        "roles. Honestly, parts of the process felt like a complete joke, and I still don't "
        "see why it took six weeks. Thanks again for your time. "
    ) * 2
    words = len(draft.split())
    times = []
    for _ in range(50):
        t0 = time.perf_counter()
        check_draft(draft, kind="reply")
        times.append(time.perf_counter() - t0)
    print("\n== speed")
    print(f"classifiers load (first use, both): {load * 1000:.0f} ms")
    print(f"peak RSS grew by {(rss_after - rss_before) / 1024:.1f} MiB while loading")
    print(
        f"check_draft on a {words}-word draft: median {statistics.median(times) * 1000:.1f} ms,"
        f" max {max(times) * 1000:.1f} ms over {len(times)} runs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    measure_speed()
    evaluate_tone(args.folds)
    evaluate_themes(args.folds)


if __name__ == "__main__":
    main()
