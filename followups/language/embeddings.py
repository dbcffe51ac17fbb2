"""Sentence embeddings from WordLlama's static token vectors (the 256-dimensional
`l2_supercat` weights and their tokenizer ship inside the `wordllama` wheel).

Loaded once per process from site-packages with downloads disabled: nothing is fetched at
run time (tests/drafts/test_language_model.py blocks sockets while loading). Each
embedding is scaled to unit length, so a sentence's length does not change its weight.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

CONFIG = "l2_supercat"
DIMENSIONS = 256


@cache
def _model():
    import wordllama
    from wordllama import WordLlama

    # The wheel keeps weights/ and tokenizers/ inside the package: point the cache there.
    package = Path(wordllama.__file__).resolve().parent
    return WordLlama.load(config=CONFIG, dim=DIMENSIONS, cache_dir=package, disable_download=True)


def embed(texts: list[str]) -> np.ndarray:
    """One unit-length row per text."""
    import numpy as np

    vectors = np.asarray(_model().embed(texts), dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.clip(norms, 1e-9, None)
