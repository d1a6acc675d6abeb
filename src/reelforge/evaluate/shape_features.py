"""Telling the seven shapes apart from a blob's outline, whatever its size and rotation.

Each blob gets five numbers that do not change when it rotates or scales: the share of
its area that is a hole (a ring), solidity (area / convex hull area: a star is far from
1), compactness (area / the circle through its farthest point), elongation (minor / major
axis from its second moments) and the normalised polar moment (1 for a disc, more for a
triangle). The references are the world's own outlines (reelforge.world.render.shapes)
rasterised at many sizes and angles, so a change of a shape's look updates the judge.
A blob is scored against each shape by its distance to that shape's nearest references.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from scipy import ndimage
from scipy.spatial import ConvexHull, QhullError

from reelforge.world.render.shapes import distance
from reelforge.world.scene import SHAPES

FEATURES = ("hole", "solidity", "compactness", "elongation", "polar")
MIN_PIXELS = 12  # smaller blobs are too coarse to tell shapes apart
HOLE_MIN = 0.08  # holes smaller than this share of the blob are highlights, not a ring's


def features(mask: np.ndarray) -> np.ndarray | None:
    """(5,) features of one blob's bool mask (cropped), or None if it is too small."""
    area = int(mask.sum())
    if area < MIN_PIXELS:
        return None
    filled = ndimage.binary_fill_holes(mask)
    holes_lab, n = ndimage.label(filled & ~mask)
    hole = 0.0
    if n:
        sizes = np.bincount(holes_lab.ravel())[1:]
        hole = float(sizes.max()) / float(filled.sum())
        hole = hole if hole >= HOLE_MIN else 0.0
    yy, xx = np.nonzero(filled)
    a = float(len(xx))
    cy, cx = yy.mean(), xx.mean()
    # pixel corners for the hull and the farthest point
    corners = np.concatenate(
        [np.stack([xx + dx, yy + dy], 1) for dx in (0.0, 1.0) for dy in (0.0, 1.0)]
    )
    try:
        hull = ConvexHull(corners).volume
    except QhullError:
        return None
    r_max = float(np.hypot(corners[:, 0] - cx - 0.5, corners[:, 1] - cy - 0.5).max())
    dx, dy = xx - cx, yy - cy
    cov = np.cov(np.stack([dx, dy])) + np.eye(2) / 12.0
    ev = np.linalg.eigvalsh(cov)
    polar = 2 * np.pi * float(ev.sum()) / a  # (mu20 + mu02) / A^2, 1 for a disc
    return np.array(
        [hole, a / hull, a / (np.pi * r_max**2), float(np.sqrt(ev[0] / ev[1])), polar],
        dtype=np.float64,
    )


def _raster(shape: str, radius_px: float, angle: float, offset: tuple[float, float]) -> np.ndarray:
    n = int(np.ceil(radius_px * 1.2)) + 2
    px = (np.arange(-n, n) + 0.5 + offset[0]) / radius_px
    py = (np.arange(-n, n) + 0.5 + offset[1]) / radius_px
    du, dv = np.meshgrid(px, -py)
    c, s = np.cos(angle), np.sin(angle)
    lx, ly = c * du + s * dv, c * dv - s * du
    return distance(shape, lx, ly) < 0


# blob radius (pixels, of the shape's bounding radius) bands the references are made at
RADII = (3.5, 5.0, 7.0, 10.0, 15.0)


@cache
def references() -> dict[str, np.ndarray]:
    """shape -> (M, 5) reference features over sizes, angles and sub-pixel offsets."""
    rng = np.random.default_rng(0)
    out: dict[str, np.ndarray] = {}
    for shape in SHAPES:
        rows = []
        for r in RADII:
            for angle in np.linspace(0, 2 * np.pi, 12, endpoint=False):
                f = features(_raster(shape, r, angle, tuple(rng.uniform(-0.5, 0.5, 2))))
                if f is not None:
                    rows.append(f)
        out[shape] = np.array(rows)
    return out


SCALE = np.array([0.08, 0.05, 0.06, 0.08, 0.05])  # typical spread of each feature


def shape_distances(f: np.ndarray) -> dict[str, float]:
    """Scaled distance from a blob's features to each shape's nearest references."""
    out = {}
    for shape, ref in references().items():
        d = np.sqrt((((ref - f) / SCALE) ** 2).sum(axis=1))
        out[shape] = float(np.sort(d)[:3].mean())
    return out


def classify(f: np.ndarray | None) -> tuple[str | None, dict[str, float]]:
    """The likeliest shape and a soft vote per shape (sums to 1), or (None, {})."""
    if f is None:
        return None, {}
    d = shape_distances(f)
    w = {k: float(np.exp(-0.5 * v * v)) for k, v in d.items()}
    total = sum(w.values())
    if total < 1e-12:
        best = min(d, key=d.get)
        return best, {k: float(k == best) for k in d}
    return max(w, key=w.get), {k: v / total for k, v in w.items()}
