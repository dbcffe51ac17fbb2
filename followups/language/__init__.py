"""Reading meaning in short texts: the tone of a draft's sentence and the theme of a
feedback sentence, each by a small classifier trained on the labelled corpus in `corpus/`
(our own sentences). It sees the words with negation marked (so "you didn't seem
nervous" and "you seemed nervous" look different), the sentence's embedding (WordLlama's
static vectors, shipped in its wheel), and the phrase patterns' hits.

The weights are committed in `models/` (JSON, no pickle) and read once per process;
nothing is fetched at run time. `python -m followups.language.train` rebuilds them with
scikit-learn (a dev dependency); `bench/bench_language.py` measures them. The callers
own their models: followups/drafts/tone.py and followups/growth/themes.py.
"""

from followups.language.features import clauses, sentences, tokens
from followups.language.model import LinearModel, Prediction

__all__ = ["LinearModel", "Prediction", "clauses", "sentences", "tokens"]
