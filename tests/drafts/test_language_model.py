"""The classifiers behind the checker and the themes: the corpus they learn from, the
committed weights, agreement with scikit-learn, and loading without the network."""

from __future__ import annotations

import ast
import csv
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from followups.drafts import tone
from followups.growth import themes
from followups.language import embeddings, train
from followups.language.features import words

SHARED = Path(__file__).resolve().parents[3] / "shared"
ARTICLE = SHARED / "reference/job-rejection-response-article.txt"


def corpus(name: str) -> list[dict[str, str]]:
    with open(train.CORPUS_DIR / train.CORPORA[name], newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_corpora_hold_at_least_400_labelled_sentences_each():
    tone_rows, theme_rows = corpus("tone"), corpus("themes")
    assert len(tone_rows) >= 400 and len(theme_rows) >= 400
    assert {r["label"] for r in tone_rows} == {*tone.TONES, tone.POLITE}
    assert {r["label"] for r in theme_rows} == {*themes.SUGGESTIBLE_THEMES, themes.NONE}
    texts = [r["text"] for r in tone_rows + theme_rows]
    assert all(t.strip() == t and t for t in texts)


def _runs(text: str, size: int = 6) -> set[tuple[str, ...]]:
    found = re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))
    return {tuple(found[i : i + size]) for i in range(len(found) - size + 1)}


@pytest.mark.skipif(not ARTICLE.exists(), reason="the reference article is not beside the repo")
def test_no_corpus_sentence_repeats_six_words_of_the_article():
    article = _runs(ARTICLE.read_text())
    for row in corpus("tone") + corpus("themes"):
        assert not _runs(row["text"]) & article, row["text"]


def _sentences_of_test_strings() -> set[str]:
    def key(text: str) -> str:
        return re.sub(r"[^a-z0-9 ]", "", text.lower().replace("’", "'")).strip()

    found = set()
    for path in Path(__file__).resolve().parents[1].rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for sentence in re.split(r"(?<=[.!?])\s+", node.value):
                    if len(sentence.split()) >= 3:
                        found.add(key(sentence))
    return found


def test_no_corpus_sentence_is_copied_from_the_tests():
    """The tests' paraphrase and negation families measure what the model was not shown."""
    in_tests = _sentences_of_test_strings()
    for row in corpus("tone") + corpus("themes"):
        text = re.sub(r"[^a-z0-9 ]", "", row["text"].lower().replace("’", "'")).strip()
        assert text not in in_tests, row["text"]


def test_negation_marks_the_words_it_reaches_until_punctuation_or_but():
    assert words("You didn't seem nervous, but vague.") == [
        "you", "didn't", "not_seem", "not_nervous", "but", "vague",
    ]  # fmt: skip
    assert "not_qualified" not in words("You are not yet qualified.")


def test_loading_the_models_makes_no_network_request(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the language models tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    embeddings._tokenizer.cache_clear()
    embeddings._matrix.cache_clear()
    tone.tone_model.cache_clear()
    themes.theme_model.cache_clear()
    assert tone.tone_model().probabilities("Thank you for your time.")["polite"] > 0.5
    assert themes.suggest_themes("You seemed nervous.") == {"nerves"}


def test_the_embeddings_are_read_from_the_wheel_without_importing_wordllama():
    """Importing the wordllama package costs `requests` and its model registry at load."""
    script = (
        "import sys; from followups.language import embeddings; "
        "embeddings.embed(['You seemed nervous.']); "
        "print(sorted(m for m in ('wordllama', 'requests') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_tone_model_carries_the_threshold_its_cross_validation_chose():
    model = tone.tone_model()
    assert model.thresholds[tone.POLITE] in train.THRESHOLD_GRID


sklearn = pytest.importorskip("sklearn")


def test_the_app_computes_what_scikit_learn_fitted():
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from followups.language.model import LinearModel

    rows = corpus("tone")[::3]
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    extra = train.extra_features("tone")
    scale = train.EMBEDDING_SCALE["tone"]
    model = LinearModel(train.fit(texts, labels, extra, c=train.C["tone"], embedding_scale=scale))
    model.extra_features = extra

    vectorizer = TfidfVectorizer(analyzer=lambda t: train.tokens(t) + extra(t))
    matrix = hstack([vectorizer.fit_transform(texts), csr_matrix(scale * embeddings.embed(texts))])
    reference = LogisticRegression(
        C=train.C["tone"], max_iter=5000, class_weight=train.CLASS_WEIGHT
    ).fit(matrix, labels)
    probe = ["Your process is a joke.", "Thank you so much for your time."]
    expected = reference.predict_proba(
        hstack([vectorizer.transform(probe), csr_matrix(scale * embeddings.embed(probe))])
    )
    for text, row in zip(probe, expected, strict=True):
        ours = model.probabilities(text)
        for label, probability in zip(reference.classes_, row, strict=True):
            assert ours[label] == pytest.approx(probability, abs=1e-3)


@pytest.mark.slow
def test_the_committed_weights_are_what_the_corpus_trains():
    assert train.main(["--check"]) == 0
