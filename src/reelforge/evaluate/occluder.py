"""Finding a foreground occluder: a pillar, tree or wall standing in front of everything.

The world's background is even along each row (sky, hills, ground), so a pixel far from
its row's median colour is something in front. An occluder reaches from below the ground
line to above the picture's top, so the columns where most rows are "in front" are its
trunk; the in-front pixels connected to those columns (a tree's crown) belong to it too.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

FOREIGN = 0.08  # mean colour difference from the row's median that counts as in front
FOREIGN_RELATIVE = 0.3  # ... or this share of the row's brightness (at night)
TALL = 0.75  # share of a column's rows in front that makes it an occluder column
MIN_WIDTH = 0.06  # frame heights: the narrowest occluder band (the world's are 0.15+)


def occluder_mask(frames: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """(T, H, W) bool: the occluder's pixels. frames (T, H, W, 3), rows (T, H, 3)."""
    diff = np.abs(frames - rows[:, :, None, :]).mean(axis=-1)  # (T, H, W)
    level = np.maximum(rows.mean(axis=-1), 0.2)[:, :, None]
    foreign = (diff > FOREIGN) | (diff > FOREIGN_RELATIVE * level)
    columns = foreign.mean(axis=1) >= TALL  # (T, W)
    h = frames.shape[1]
    for k in range(len(columns)):  # a lamp post is tall too, but thin
        runs, n = ndimage.label(columns[k])
        for i in range(1, n + 1):
            if (runs == i).sum() < MIN_WIDTH * h:
                columns[k][runs == i] = False
    out = np.zeros_like(foreign)
    for k in np.flatnonzero(columns.any(axis=1)):
        labels, _ = ndimage.label(foreign[k], structure=np.ones((3, 3), bool))
        trunk = labels[:, columns[k]]
        keep = np.unique(trunk[trunk > 0])
        out[k] = np.isin(labels, keep)
    return out
