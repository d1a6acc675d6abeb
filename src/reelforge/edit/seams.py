"""Continuity at a join: is the change across it larger than the clip's own motion?

    change[i]  mean absolute luma difference between frames i and i + 1 (0-255 scale),
               on frames shrunk to at most 64 px wide so codec noise and fine texture
               weigh less than what moves
    across     the largest change over the join's frame pairs
    within     the median change over every other pair of the clip
    ratio      across / within: 1 means the join looks like any other frame step; a hard
               cut between unrelated shots reads many times that; issue 6 aims for <= 1.5

`within` has a floor (FLOOR grey levels) so a still clip with a tiny flicker at the join
does not read as a broken seam.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reelforge.types import Clip, InvalidInputError

THUMB_WIDTH = 64  # px: the width changes are measured at
FLOOR = 0.5  # grey levels: the least `within` counts as
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # BT.601 weights


@dataclass(frozen=True)
class Seam:
    """One join between frames `start - 1` and `end` (a cut: start == end; a dissolve of
    n frames starting at frame s: start = s, end = s + n)."""

    start: int
    end: int
    across: float
    within: float

    @property
    def ratio(self) -> float:
        return self.across / max(self.within, FLOOR)


def luma_thumbs(frames: np.ndarray) -> np.ndarray:
    """uint8 (T, H, W, 3) → float32 (T, h, w) luma, block-averaged to <= THUMB_WIDTH wide."""
    step = max(1, frames.shape[2] // THUMB_WIDTH)
    t, h, w, _ = frames.shape
    h, w = h // step * step, w // step * step
    luma = frames[:, :h, :w].astype(np.float32) @ LUMA  # (T, h, w)
    return luma.reshape(t, h // step, step, w // step, step).mean(axis=(2, 4))


def frame_changes(frames: np.ndarray) -> np.ndarray:
    """float (T - 1,): change[i] between frames i and i + 1 (module doc)."""
    thumbs = luma_thumbs(frames)
    return np.abs(np.diff(thumbs, axis=0)).mean(axis=(1, 2))


def measure_seams(clip: Clip, joins: Sequence[Sequence[int]]) -> list[Seam]:
    """One Seam per join `(start, end)`: the frame pairs (i - 1, i) for start <= i <= end
    are across it; `within` is the median change over the pairs no join touches."""
    changes = frame_changes(clip.frames)
    inside = np.ones(len(changes), dtype=bool)
    pairs = []
    for start, end in joins:
        if not 1 <= start <= end < clip.num_frames:
            raise InvalidInputError(
                f"a join at frames {start}..{end} is outside a clip of {clip.num_frames} "
                "frames (it needs a frame before it)",
                param="joins",
            )
        inside[start - 1 : end] = False
        pairs.append(changes[start - 1 : end])
    within = float(np.median(changes[inside])) if inside.any() else 0.0
    return [
        Seam(int(s), int(e), float(p.max()), within) for (s, e), p in zip(joins, pairs, strict=True)
    ]


def span_joins(made: np.ndarray) -> list[list[int]]:
    """The joins around each run of new frames (`made`, bool per frame) in a clip: a run
    inside the clip is one join over all its pairs (its frames should move as the clip
    does); a run at the clip's start or end joins the clip only at its inner edge."""
    made = np.asarray(made, dtype=bool)
    edges = np.flatnonzero(np.diff(np.r_[False, made, False].astype(int)))
    joins = []
    for s, e in zip(edges[::2], edges[1::2], strict=True):  # run [s, e)
        if s == 0 and e == len(made):
            continue  # every frame is new: nothing to join
        joins.append([int(s if s > 0 else e), int(e if e < len(made) else s)])
    return joins


def seam_ratios(clip: Clip) -> list[float]:
    """The ratio at each join an edit recorded (metadata["edit"]["joins"]); [] if none."""
    joins = clip.metadata.get("edit", {}).get("joins", [])
    return [s.ratio for s in measure_seams(clip, joins)]
