"""What the classifiers see of a text: lower-case words with negation marked, as word
unigrams and bigrams.

Negation is marked the classic way (Das & Chen; Pang et al.): every word after "not",
"no", "never", "n't" … up to the next punctuation mark or contrast word is prefixed
with `not_`, so "didn't seem nervous" yields `not_nervous`, a different feature from
`nervous`. Hedges need no rule: "could have shown more enthusiasm" keeps its words, and
the corpus teaches the classifier what they mean.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "“": '"', "”": '"'})
_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[.,;:!?]")
NEGATIONS = frozenset(
    {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "hardly"}
)
# A contrast or a punctuation mark ends a negation's reach: "not nervous, but vague".
_SCOPE_ENDS = frozenset({".", ",", ";", ":", "!", "?", "but", "however", "although", "though"})
_PUNCTUATION = frozenset(".,;:!?")
NEGATED = "not_"

_SENTENCE_RE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)", re.M)
_CLAUSE_SPLIT_RE = re.compile(
    r"[.!?;\n]+|,\s*and\b|,?\s*\b(?:but|however|although|though|while|whereas|yet)\b\s*",
    re.I,
)


def normalise(text: str) -> str:
    return text.translate(_QUOTES).lower()


def words(text: str) -> list[str]:
    """The words of `text` with negated ones prefixed, punctuation dropped."""
    out: list[str] = []
    negated = False
    for token in _WORD_RE.findall(normalise(text)):
        if negated and token == "yet" and out and not out[-1].startswith(NEGATED):
            # "not yet qualified" says what is lacking, not its opposite: keep the words.
            out[-1] += "_yet"
            negated = False
            continue
        if token in _SCOPE_ENDS:
            negated = False
            if token in _PUNCTUATION:
                continue
        if token in NEGATIONS or token.endswith("n't"):
            out.append(token)
            negated = True
            continue
        out.append(NEGATED + token if negated else token)
    return out


def tokens(text: str) -> list[str]:
    """The classifier's features of `text`: its (negation-marked) words and word pairs."""
    found = words(text)
    return found + [f"{a} {b}" for a, b in zip(found, found[1:], strict=False)]


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence of `text`, without surrounding blanks."""
    for match in _SENTENCE_RE.finditer(text):
        start, end = match.span()
        chunk = text[start:end]
        stripped = chunk.strip()
        if any(ch.isalpha() for ch in stripped):
            start += len(chunk) - len(chunk.lstrip())
            yield start, start + len(stripped)


def clauses(text: str) -> list[str]:
    """`text` cut where feedback usually turns: sentence ends, "but", "however", ", and"."""
    return [part for part in _CLAUSE_SPLIT_RE.split(text) if part and part.strip()]
