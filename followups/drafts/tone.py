"""The checker's reading of tone: each sentence of a draft judged by the classifier
trained on the tone corpus (followups/language/corpus/tone.csv), beside the phrase
patterns of phrases.py.

The patterns are precise but only know the phrasings somebody wrote down; the classifier
reads paraphrases ("your process is a complete joke"), and is trained with the patterns'
hits as features, so it agrees with them where they are sure. A sentence the classifier
finds not polite gets a finding that quotes it and says how it reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from followups.drafts.phrases import DEMANDING_RES, EMOTIONAL_RES, SHOUTING_RE
from followups.language import LinearModel, sentences

# A sentence is flagged when the classifier gives "polite" less than the model's threshold,
# which train.py picks by cross-validation inside the training sentences (never on the
# sentences it is measured on); this is the fallback for a model saved without one.
POLITE_BELOW = 0.5
# Greetings, sign-offs and names carry no tone worth a finding; the patterns still catch
# a short outburst ("What a joke!").
MIN_WORDS = 3
# A precise pattern's hit counts as this many words (see train.py).
PATTERN_WEIGHT = 3


@dataclass(frozen=True)
class Tone:
    code: str  # the finding's code: "emotional" or "demanding"
    reads_as: str
    advice: str


TONES = {
    "emotional": Tone(
        "emotional",
        "reads as upset",
        "Strong feelings belong in your notes; the message should stay calm and warm.",
    ),
    "blaming": Tone(
        "emotional",
        "reads as blaming",
        "Faulting their people or process closes the door you want to keep open.",
    ),
    "sarcastic": Tone(
        "emotional",
        "reads as sarcastic",
        "Irony rarely survives email; say plainly what you mean, kindly.",
    ),
    "demanding": Tone(
        "demanding",
        "reads as demanding",
        "Ask rather than insist: one polite request for feedback is enough.",
    ),
}
POLITE = "polite"


def pattern_features(text: str) -> list[str]:
    """The phrase patterns' verdicts on `text`, as features for the classifier."""
    found = []
    if SHOUTING_RE.search(text) or any(p.search(text) for p, _ in EMOTIONAL_RES):
        found.append("pattern:emotional")
    if any(p.search(text) for p, _ in DEMANDING_RES):
        found.append("pattern:demanding")
    return found * PATTERN_WEIGHT


@cache
def tone_model() -> LinearModel:
    """The committed tone classifier (read once per process)."""
    return LinearModel.load("tone", extra_features=pattern_features)


@dataclass(frozen=True)
class ToneReading:
    label: str  # one of TONES, or "polite"
    start: int
    end: int
    probability: float  # that the sentence is not polite
    quote: str


def _quote(sentence: str, strongest: str, limit: int = 70) -> str:
    """The sentence, or the stretch of it around the words that weighed most."""
    if len(sentence) <= limit:
        return sentence
    words = strongest.removeprefix("not_").replace(" not_", " ").split()
    anchor = sentence.lower().find(words[-1]) if words else -1
    end = min(len(sentence), max(anchor + limit // 2, limit) if anchor >= 0 else limit)
    start = max(0, end - limit)
    return (
        ("…" if start else "") + sentence[start:end].strip() + ("…" if end < len(sentence) else "")
    )


def read_tone(text: str, model: LinearModel | None = None) -> list[ToneReading]:
    """The sentences of `text` the classifier does not find polite, in reading order."""
    model = model or tone_model()
    below = model.thresholds.get(POLITE, POLITE_BELOW)
    spans = [
        (start, end)
        for start, end in sentences(text)
        if len(text[start:end].split()) >= MIN_WORDS
        and model.known_words(text[start:end]) >= MIN_WORDS
    ]
    readings = []
    # One batch per draft: the embedding of every sentence in one call.
    predictions = model.predict_many([text[start:end] for start, end in spans])
    for (start, end), prediction in zip(spans, predictions, strict=True):
        probabilities = prediction.probabilities
        if probabilities.get(POLITE, 0.0) >= below:
            continue
        label = max(TONES, key=lambda t: probabilities.get(t, 0.0))
        strongest = model.strongest(text[start:end], label)
        readings.append(
            ToneReading(
                label,
                start,
                end,
                1.0 - probabilities.get(POLITE, 0.0),
                _quote(text[start:end], strongest),
            )
        )
    return readings
