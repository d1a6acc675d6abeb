"""Blobs linked over time into tracks, and tracks read in the background's coordinates.

Linking is greedy per frame: each live track predicts its next position from its last
velocity and takes the nearest unclaimed blob of its colour within a gate that widens
with the frames it has been missing (an object behind the occluder comes out further
on). A track missing for more than MAX_GAP_S ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from reelforge.evaluate.camera import GlobalMotion
from reelforge.evaluate.detect import Blob

GATE = 0.22  # frame heights per frame an object may jump (a fast fall is ~0.17)
GATE_PER_MISSING = 0.12
MAX_GAP_S = 2.0
SHAPE_SAMPLES = 12  # blobs of a track whose outline is classified


@dataclass
class Track:
    color: str
    blobs: list[Blob] = field(default_factory=list)
    _votes: dict[str, float] | None = field(default=None, repr=False)

    @property
    def frames(self) -> np.ndarray:
        return np.array([b.frame for b in self.blobs])

    @property
    def xy(self) -> np.ndarray:
        return np.array([(b.x, b.y) for b in self.blobs])

    def predict(self, frame: int) -> np.ndarray:
        last = np.array([self.blobs[-1].x, self.blobs[-1].y])
        if len(self.blobs) < 2:
            return last
        a, b = self.blobs[-2], self.blobs[-1]
        v = np.array([b.x - a.x, b.y - a.y]) / max(b.frame - a.frame, 1)
        return last + v * (frame - b.frame)

    def shape_votes(self) -> dict[str, float]:
        """Mean soft shape vote over up to SHAPE_SAMPLES blobs that could be classified."""
        if self._votes is not None:
            return self._votes
        whole = [b for b in self.blobs if not b.at_edge]
        pick = np.unique(np.linspace(0, len(whole) - 1, min(SHAPE_SAMPLES, len(whole))).astype(int))
        votes: dict[str, float] = {}
        counted = [v for v in (whole[i].votes for i in pick) if v] if whole else []
        for v in counted:
            for k, p in v.items():
                votes[k] = votes.get(k, 0.0) + p / len(counted)
        self._votes = votes
        return votes

    def shape(self) -> str | None:
        votes = self.shape_votes()
        return max(votes, key=votes.get) if votes else None


def link(blobs_per_frame: list[list[Blob]], fps: float) -> list[Track]:
    """Tracks of one colour's blobs over the frames (blobs_per_frame[t] of frame t)."""
    live: list[Track] = []
    done: list[Track] = []
    max_gap = max(2, round(MAX_GAP_S * fps))
    for t, blobs in enumerate(blobs_per_frame):
        free = list(range(len(blobs)))
        pairs = []
        for ti, tr in enumerate(live):
            p = tr.predict(t)
            missing = t - tr.blobs[-1].frame - 1
            gate = GATE + GATE_PER_MISSING * missing
            for bi in free:
                d = float(np.hypot(blobs[bi].x - p[0], blobs[bi].y - p[1]))
                if d <= gate:
                    pairs.append((d, ti, bi))
        taken_t, taken_b = set(), set()
        for _, ti, bi in sorted(pairs):
            if ti in taken_t or bi in taken_b:
                continue
            live[ti].blobs.append(blobs[bi])
            taken_t.add(ti)
            taken_b.add(bi)
        for bi in free:
            if bi not in taken_b:
                live.append(Track(blobs[bi].color, [blobs[bi]]))
        still = []
        for tr in live:
            (still if t - tr.blobs[-1].frame <= max_gap else done).append(tr)
        live = still
    return done + live


# ---------------------------------------------------------------------------
# In the background's coordinates
# ---------------------------------------------------------------------------


def reference_transform(gm: GlobalMotion) -> tuple[np.ndarray, np.ndarray]:
    """(S (T,), O (T, 2)) with frame-k point q = S_k q0 + O_k for a background point q0
    of frame 0 (frame heights, centre origin)."""
    n = len(gm.zoom) + 1
    s, o = np.ones(n), np.zeros((n, 2))
    for k in range(n - 1):
        s[k + 1] = (1 + gm.zoom[k]) * s[k]
        o[k + 1] = (1 + gm.zoom[k]) * o[k] + gm.shift[k]
    return s, o


@dataclass
class Path:
    """A track in frame-0 background coordinates, y up (see motion.py)."""

    t: np.ndarray  # (N,) seconds
    x: np.ndarray
    y: np.ndarray
    bottom: np.ndarray  # y of the blob's lowest pixel row
    half_height: np.ndarray
    frames: np.ndarray
    edge: np.ndarray  # (N,) bool: the blob touched the frame's edge (its centre is off)

    def inside(self) -> Path:
        """Only the samples whose blob was seen whole."""
        k = ~self.edge
        return Path(
            self.t[k],
            self.x[k],
            self.y[k],
            self.bottom[k],
            self.half_height[k],
            self.frames[k],
            self.edge[k],
        )


def reference_path(track: Track, s: np.ndarray, o: np.ndarray, fps: float) -> Path:
    f = track.frames
    xy = track.xy
    ref = (xy - o[f]) / s[f, None]
    bottom = -(np.array([b.bottom for b in track.blobs]) - o[f, 1]) / s[f]
    hh = np.array([b.half_height for b in track.blobs]) / s[f]
    edge = np.array([b.at_edge for b in track.blobs])
    return Path(f / fps, ref[:, 0], -ref[:, 1], bottom, hh, f, edge)
