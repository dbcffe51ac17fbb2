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
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from sklearn.metrics import classification_report, confusion_matrix, f1_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

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
    flag_precision = hits / max(1, sum(flagged))
    false_alarms = sum(f and not b for f, b in zip(flagged, bad, strict=True))
    print(
        f"{title}: recall on bad tones {recall:.3f}; precision of 'polite' {polite_precision:.3f};"
        f" precision of a flag {flag_precision:.3f};"
        f" polite sentences flagged {false_alarms} of {len(bad) - sum(bad)}"
    )
    per_class = {
        tone: sum(f for f, label in zip(flagged, labels, strict=True) if label == tone)
        / labels.count(tone)
        for tone in sorted(BAD)
    }
    print("  flagged, per bad tone: " + ", ".join(f"{t} {r:.3f}" for t, r in per_class.items()))
    return recall, polite_precision


def evaluate_tone(k: int) -> None:
    texts, labels = read_corpus("tone")
    predicted = [""] * len(texts)
    verdict = [""] * len(texts)
    flagged = [False] * len(texts)
    thresholds = []
    for train, test in folds(labels, k):
        # fit_model picks the flagging threshold by its own cross-validation on `train`.
        model = fit_model("tone", [texts[i] for i in train], [labels[i] for i in train])
        thresholds.append(model.thresholds["polite"])
        for i in test:
            predicted[i] = model.predict(texts[i]).label
            readings = tone_module.read_tone(texts[i], model)
            by_pattern = tone_module.pattern_features(texts[i])
            flagged[i] = bool(by_pattern or readings)
            if readings:
                verdict[i] = readings[0].label
            else:  # a pattern's finding says "emotional" or "demanding"
                verdict[i] = by_pattern[0].removeprefix("pattern:") if by_pattern else "polite"
    table(labels, predicted, f"tone: classifier's label, {k}-fold cross-validation")
    table(
        labels, verdict, "tone: the checker's verdict (patterns or classifier; polite = no finding)"
    )
    print(f"\nflagging threshold (P(polite) below), chosen inside each training fold: {thresholds}")
    patterns_only = [bool(tone_module.pattern_features(t)) for t in texts]
    flagged_report(labels, patterns_only, "phrase patterns alone (baseline)")
    flagged_report(labels, flagged, "checker: patterns OR classifier")


def evaluate_themes(k: int) -> None:
    texts, labels = read_corpus("themes")
    predicted = [""] * len(texts)
    thresholds = []
    for train, test in folds(labels, k):
        # fit_model picks the "none" threshold by its own cross-validation on `train`.
        model = fit_model("themes", [texts[i] for i in train], [labels[i] for i in train])
        thresholds.append(model.thresholds[theme_module.NONE])
        for i in test:
            found = theme_module.clause_themes(texts[i], model)
            probabilities = model.probabilities(texts[i])
            themes = [c for c in probabilities if c != theme_module.NONE]
            best = max(themes, key=probabilities.__getitem__)
            predicted[i] = best if found else theme_module.NONE
    table(labels, predicted, f"themes: suggest per sentence, {k}-fold cross-validation")
    print(f"macro-F1 {f1_score(labels, predicted, average='macro'):.3f}")
    print(f"threshold (P(none) below), chosen inside each training fold: {thresholds}")
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


DRAFT = (
    "Hi Dana, thank you for letting me know. I'm disappointed, of course, but I enjoyed "
    "meeting the team and learning about the roadmap. If you have a moment, I'd be "
    "grateful for any feedback on my interview, as I am always looking to improve. "
    "I remain very interested in the company and would love to be considered for future "
    "roles. Honestly, parts of the process felt like a complete joke, and I still don't "
    "see why it took six weeks. Thanks again for your time. "
) * 2

# Run in a fresh interpreter, after Django is set up: what a web worker pays on the first
# draft it checks (imports of numpy and tokenizers included) and on every one after.
SPEED_SCRIPT = """
import os, statistics, sys, time
sys.path.insert(0, sys.argv[1])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("DEBUG", "1")
import django
django.setup()
from followups.drafts import check_draft
from followups.growth import suggest_themes
draft = sys.argv[2]
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
before = rss()
started, cpu = time.perf_counter(), time.process_time()
check_draft("Thank you for your time.", kind="reply")
suggest_themes("You seemed nervous.")
load, load_cpu = time.perf_counter() - started, time.process_time() - cpu
grew = rss() - before
times, cpu_times = [], []
for _ in range(50):
    t0, c0 = time.perf_counter(), time.process_time()
    check_draft(draft, kind="reply")
    times.append(time.perf_counter() - t0)
    cpu_times.append(time.process_time() - c0)
print(
    f"classifiers load (first use, both, imports included): {load * 1000:.0f} ms wall,"
    f" {load_cpu * 1000:.0f} ms CPU; RSS grew by {grew:.1f} MiB"
)
print(
    f"check_draft on a {len(draft.split())}-word draft: median"
    f" {statistics.median(times) * 1000:.1f} ms wall ({statistics.median(cpu_times) * 1000:.1f}"
    f" ms CPU), max {max(times) * 1000:.1f} ms over 50 runs"
)
print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
"""


def measure_speed() -> None:
    root = str(Path(__file__).resolve().parent.parent)
    print("\n== speed")
    sys.stdout.flush()
    subprocess.run([sys.executable, "-c", SPEED_SCRIPT, root, DRAFT], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    measure_speed()
    evaluate_tone(args.folds)
    evaluate_themes(args.folds)


if __name__ == "__main__":
    main()
