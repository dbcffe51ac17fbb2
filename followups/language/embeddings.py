"""Sentence embeddings from WordLlama's static token vectors (the 256-dimensional
`l2_supercat` weights and their tokenizer ship inside the `wordllama` wheel).

We read the two files ourselves rather than through `WordLlama.load()`: importing the
`wordllama` package pulls in `requests` and its model registry, and its loader converts
the whole 32 000 × 256 matrix to float32 (32 MB) before the first sentence. Here the
float16 matrix stays in the safetensors file, mapped read-only with numpy, so only the
rows of the tokens a sentence uses are paged in; the arithmetic is WordLlama's (average
of the token vectors, in float32). Nothing is fetched at run time (tests/drafts/
test_language_model.py blocks sockets while loading). Each embedding is scaled to unit
length, so a sentence's length does not change its weight.
"""

from __future__ import annotations

import importlib.util
import json
import struct
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from tokenizers import Tokenizer

CONFIG = "l2_supercat"
DIMENSIONS = 256


def _package() -> Path:
    # find_spec locates site-packages/wordllama without importing it.
    spec = importlib.util.find_spec("wordllama")
    if spec is None or spec.origin is None:
        raise RuntimeError("the wordllama package is not installed (see pyproject.toml)")
    return Path(spec.origin).resolve().parent


@cache
def _tokenizer() -> Tokenizer:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(
        str(_package() / "tokenizers" / f"{CONFIG}_tokenizer_config.json")
    )
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


@cache
def _matrix() -> np.ndarray:
    """The (vocabulary, DIMENSIONS) float16 token vectors, memory-mapped from the wheel."""
    import numpy as np

    path = _package() / "weights" / f"{CONFIG}_{DIMENSIONS}.safetensors"
    with open(path, "rb") as f:
        (header_size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(header_size))
    tensor = header["embedding.weight"]
    if tensor["dtype"] != "F16" or tensor["shape"][1] != DIMENSIONS:
        raise RuntimeError(f"unexpected WordLlama weights in {path}: {tensor}")
    start, end = tensor["data_offsets"]
    return np.memmap(
        path,
        dtype=np.float16,
        mode="r",
        offset=8 + header_size + start,
        shape=tuple(tensor["shape"]),
    )


def load() -> None:
    """Read the tokenizer and map the vectors now (the first sentence would do it)."""
    _tokenizer()
    _matrix()


def embed(texts: list[str]) -> np.ndarray:
    """One unit-length row per text."""
    import numpy as np

    matrix = _matrix()
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float64)
    for row, encoding in enumerate(_tokenizer().encode_batch(texts, add_special_tokens=False)):
        ids = np.clip(np.asarray(encoding.ids, dtype=np.int64), 0, matrix.shape[0] - 1)
        if len(ids):
            out[row] = np.asarray(matrix[ids], dtype=np.float32).sum(axis=0, dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.clip(norms, 1e-9, None)
