"""The moderation policy's learned head (safety/head.py), trained for `reelforge bench
moderation --train-head` and cross-fitted for its `--tune`: what it learns from, the
training, and scores of tuning prompts from heads that never saw them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reelforge.cli.bench_moderation import Example

# what the head learns from; fresh6 is the clean hold-out, test was never trained on
HEAD_SPLITS = ("tune", "fresh", "fresh2", "fresh3", "fresh4", "fresh5")
FOLDS = 5


def head_rows(moderator, examples: Sequence[Example]) -> tuple[list[str], list[str]]:
    """What the head learns from: the policy's example phrases and the given prompts,
    normalised as the moderator reads them, with their labels."""
    from reelforge.safety.normalize import normalize

    by_category = moderator.policy.examples_by_category()
    rows = [(p, c) for c, phrases in by_category.items() for p in phrases]
    rows += [(e.prompt, e.label) for e in examples]
    return [normalize(p).text for p, _ in rows], [label for _, label in rows]


def _embed(moderator, texts: Sequence[str]):
    emb, spans = moderator.index.embed_pieces(texts)
    return emb.numpy()[[s.start for s in spans]]  # (N, D): each whole prompt


def train_head(moderator, examples: Sequence[Example]) -> Path:
    """Fit the head on the example phrases and the HEAD_SPLITS prompts and write it to
    the policy's head file."""
    from reelforge.safety.head import L2, train
    from reelforge.types import InvalidInputError

    if moderator.policy.head is None:
        raise InvalidInputError(
            "the policy has no head to train", param="policy", hint="add `head: {file: head.npz}`"
        )
    texts, labels = head_rows(moderator, [e for e in examples if e.split in HEAD_SPLITS])
    fingerprint = getattr(moderator.encoder, "fingerprint", "")
    head = train(_embed(moderator, texts), labels, fingerprint=fingerprint)
    path = moderator.policy.head.file
    trained_on = ", ".join(("example phrases", *HEAD_SPLITS))
    head.save(path, trained_on=trained_on, prompts=str(len(labels)), l2=str(L2))
    return path


def cross_fitted(moderator, examples: Sequence[Example], tuning: Sequence[int], assessments):
    """The tuning prompts' assessments with head probabilities from heads fit without
    them: those the head learns from are split in FOLDS folds, each scored by a head fit
    on everything else; the others keep the policy head's probabilities."""
    from reelforge.safety.head import cross_fit

    inside = [i for i in tuning if examples[i].split in HEAD_SPLITS]
    held = set(inside)
    rest = [e for i, e in enumerate(examples) if e.split in HEAD_SPLITS and i not in held]
    rest_texts, rest_labels = head_rows(moderator, rest)
    texts = [assessments[i].normalized.text for i in inside]
    labels = [examples[i].label for i in inside]
    extra = (_embed(moderator, rest_texts), rest_labels)
    heads = cross_fit(_embed(moderator, texts), labels, FOLDS, extra)
    out = {i: assessments[i] for i in tuning}
    for fold, head in enumerate(heads):
        idx = inside[fold::FOLDS]  # cross_fit's fold: position % FOLDS
        _, probs = moderator.embedding_scores([out[i].normalized.text for i in idx], head)
        for i, p in zip(idx, probs, strict=True):
            out[i] = replace(out[i], probabilities=p)
    return [out[i] for i in tuning]
