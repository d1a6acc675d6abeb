"""The similarity layer: how close a prompt is to each category's example phrases.

Sentence embeddings (all-MiniLM-L6-v2 by default, the mean-pooled, L2-normalised vector
that `reelforge.model.text.TextEncoder` makes) of the prompt and of each of its
sentences are compared with every example phrase; a category's score is its best
cosine similarity over the prompt's pieces. A violating clause inside a long, harmless
prompt still meets its examples on its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import torch
import torch.nn.functional as F

from reelforge.model.text import EncodesText
from reelforge.safety import example_cache

_SENTENCE = re.compile(r"(?<=[.;!?])\s+|\s*,?\s+and then\s+|\s*[,:]\s*then\s+")


def pieces(text: str) -> list[str]:
    """The prompt and, when it has several, its sentences ("…; then …" splits too)."""
    parts = [p.strip(" ,.;!?") for p in _SENTENCE.split(text)]
    parts = [p for p in parts if len(p.split()) >= 2]
    return [text, *parts] if len(parts) > 1 else [text]


class ExampleIndex:
    """Example phrases per category (plus `benign`), embedded once."""

    def __init__(self, encoder: EncodesText, examples: dict[str, Sequence[str]], batch: int = 64):
        self.encoder, self.batch = encoder, batch
        self.categories = [c for c, phrases in examples.items() if phrases]
        fingerprint = getattr(encoder, "fingerprint", None)
        self.key = example_cache.key_of(fingerprint, examples) if fingerprint else None
        rows = example_cache.load(self.key) if self.key else None
        if rows is None or set(rows) != set(self.categories):
            rows = {c: self._embed(list(examples[c])) for c in self.categories}  # (N_c, D)
            if self.key:
                example_cache.save(self.key, rows)
        self.rows = rows

    def _embed(self, texts: list[str]) -> torch.Tensor:
        out = [
            self.encoder(texts[i : i + self.batch]).pooled for i in range(0, len(texts), self.batch)
        ]
        return F.normalize(torch.cat(out).float(), dim=-1)  # (N, D)

    def scores(self, text: str) -> dict[str, float]:
        """Best cosine similarity of the prompt's pieces to each category's examples."""
        return self.scores_many([text])[0]

    def scores_many(self, texts: Sequence[str]) -> list[dict[str, float]]:
        return self.scores_of(*self.embed_pieces(texts))

    def embed_pieces(self, texts: Sequence[str]) -> tuple[torch.Tensor, list[slice]]:
        """The embeddings of every prompt's pieces (P, D), and each prompt's rows."""
        chunks = [pieces(t) for t in texts]
        spans, start = [], 0
        for cs in chunks:
            spans.append(slice(start, start + len(cs)))
            start += len(cs)
        return self._embed([c for cs in chunks for c in cs]), spans

    def scores_of(self, emb: torch.Tensor, spans: Sequence[slice]) -> list[dict[str, float]]:
        """Each prompt's best similarity per category, from `embed_pieces`."""
        best = {c: (emb @ rows.T).max(dim=1).values for c, rows in self.rows.items()}  # (P,)
        return [{c: round(float(v[span].max()), 4) for c, v in best.items()} for span in spans]
