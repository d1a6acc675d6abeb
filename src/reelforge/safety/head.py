"""The learned head: a multinomial logistic regression over sentence embeddings.

Nearest-example similarity asks "which curated phrase is this prompt closest to?"; the
head asks "which class do prompts that embed like this belong to?", with one weight
vector per class (`benign` and each category) learned from every labelled prompt we may
train on. It reads the same all-MiniLM-L6-v2 vectors the similarity layer makes, so it
costs one (9, 384) matrix product per prompt piece, in numpy.

    head = Head.load(path)                       # the shipped head.npz
    probs = head.probabilities(embeddings)        # (N, K), rows sum to 1

`train` fits one from embeddings and labels: L2-regularised, classes weighted to count
equally, solved by L-BFGS from zero weights, so the same data gives the same head.
`reelforge bench moderation --train-head` rebuilds the shipped file (docs/SAFETY.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reelforge.safety.policy import CATEGORIES
from reelforge.types import InvalidInputError

CLASSES = ("benign", *CATEGORIES)
L2 = 3e-6  # weight decay, against a mean loss (chosen by 5-fold cross-validation)
MAX_ITER = 2000


@dataclass(frozen=True)
class Head:
    """Weights (K, D) and bias (K,) over the classes, and the encoder they were fit on."""

    classes: tuple[str, ...]
    weight: np.ndarray  # (K, D)
    bias: np.ndarray  # (K,)
    fingerprint: str = ""  # the encoder's; a head only reads the vectors it was fit on

    def probabilities(self, emb: np.ndarray) -> np.ndarray:
        """Class probabilities of embeddings (N, D) → (N, K)."""
        logits = emb.astype(np.float64) @ self.weight.T + self.bias  # (N, K)
        return _softmax(logits)

    def scores_of(self, emb: np.ndarray, spans: Sequence[slice]) -> list[dict[str, float]]:
        """Per prompt (its pieces' rows of `emb`, as the similarity layer splits it): each
        category's best probability over the pieces, and the whole prompt's benign one."""
        probs = self.probabilities(emb)  # (P, K)
        out = []
        for span in spans:
            best = probs[span].max(axis=0)  # (K,)
            row = {c: round(float(p), 4) for c, p in zip(self.classes, best, strict=True)}
            out.append({**row, "benign": round(float(probs[span.start, self._benign]), 4)})
        return out

    @property
    def _benign(self) -> int:
        return self.classes.index("benign")

    def save(self, path: Path, **meta: str) -> None:
        """Write the head as a small .npz (float32 weights, the classes, the fingerprint
        and any `meta` strings, such as what it was trained on)."""
        np.savez_compressed(
            path,
            classes=np.array(self.classes),
            weight=self.weight.astype(np.float32),
            bias=self.bias.astype(np.float32),
            fingerprint=np.array(self.fingerprint),
            **{f"meta/{k}": np.array(v) for k, v in meta.items()},
        )

    @classmethod
    def load(cls, path: Path) -> Head:
        try:
            with np.load(path) as data:
                head = cls(
                    tuple(str(c) for c in data["classes"]),
                    data["weight"].astype(np.float64),
                    data["bias"].astype(np.float64),
                    str(data["fingerprint"]),
                )
        except (OSError, KeyError, ValueError) as e:
            raise InvalidInputError(
                f"cannot read the moderation head {path}: {e}",
                param="policy",
                hint="rebuild it with `reelforge bench moderation --train-head`, "
                "or set `head: null` in the policy",
            ) from None
        k = len(head.classes)
        if "benign" not in head.classes or head.weight.shape[0] != k or head.bias.shape != (k,):
            raise InvalidInputError(f"{path}: weights and classes disagree", param="policy")
        return head


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------


def train(
    emb: np.ndarray,
    labels: Sequence[str],
    classes: Sequence[str] = CLASSES,
    l2: float = L2,
    fingerprint: str = "",
) -> Head:
    """Fit a head on embeddings (N, D) and their labels (each one of `classes`).

    The loss is the class-weighted mean cross-entropy (every class weighs as much as
    any other, however many prompts it has) plus `l2` times the squared weights; it is
    convex, and L-BFGS from zero weights finds the same minimum on the same data."""
    from scipy.optimize import minimize

    x = np.asarray(emb, np.float64)  # (N, D)
    index = {c: i for i, c in enumerate(classes)}
    y = np.array([index[lab] for lab in labels])  # (N,)
    k, (n, d) = len(classes), x.shape
    counts = np.bincount(y, minlength=k).astype(np.float64)
    w_sample = (n / (k * np.maximum(counts, 1.0)))[y] / n  # (N,), sums to 1 over classes
    onehot = np.eye(k)[y]  # (N, K)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[: k * d].reshape(k, d), theta[k * d :]
        logits = x @ w.T + b  # (N, K)
        logits -= logits.max(axis=1, keepdims=True)
        logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        value = -(w_sample * (onehot * logp).sum(axis=1)).sum() + l2 * (w * w).sum()
        g = (np.exp(logp) - onehot) * w_sample[:, None]  # (N, K)
        grad_w = g.T @ x + 2 * l2 * w
        return value, np.concatenate([grad_w.ravel(), g.sum(axis=0)])

    theta0 = np.zeros(k * d + k)
    opts = {"maxiter": MAX_ITER, "gtol": 1e-8}
    found = minimize(loss, theta0, jac=True, method="L-BFGS-B", options=opts)
    w, b = found.x[: k * d].reshape(k, d), found.x[k * d :]
    return Head(tuple(classes), w, b, fingerprint)


def cross_fit(
    emb: np.ndarray,
    labels: Sequence[str],
    folds: int,
    extra: tuple[np.ndarray, Sequence[str]] | None = None,
    classes: Sequence[str] = CLASSES,
    l2: float = L2,
) -> list[Head]:
    """One head per fold, fit on `extra` plus every prompt outside the fold (prompt i is
    in fold i % folds): scoring each prompt with the head that did not see it gives
    honest scores to tune thresholds on, from data the final head is also trained on."""
    heads = []
    for f in range(folds):
        keep = [i for i in range(len(labels)) if i % folds != f]
        x, y = emb[keep], [labels[i] for i in keep]
        if extra is not None:
            x, y = np.concatenate([extra[0], x]), [*extra[1], *y]
        heads.append(train(x, y, classes, l2))
    return heads
