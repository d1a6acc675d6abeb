"""Temporal flicker: brightness that jumps back and forth, which motion does not explain.

In a smooth clip every patch's brightness at frame t lies between its brightness at t-1
and t+1, up to noise: things move, light changes, but they do not go and come back within
one frame. On blurred, block-averaged luminance (so that rain, snow and small objects
average out) the flicker ratio is how far frames overshoot that band, relative to how
much the patches change at all. Shuffled or flickering frames overshoot by about half
their change; a clean render by a few percent.
"""

from __future__ import annotations

import numpy as np

from reelforge.evaluate.pixels import luminance

BLOCK_ROWS = 12  # patches per frame height
NOISE_FLOOR = 0.004  # luminance change per patch that counts as still (about 1 level)


def patch_luminance(frames: np.ndarray) -> np.ndarray:
    """(T, H, W, 3) float -> (T, h, w) block means of luminance, h = BLOCK_ROWS."""
    lum = luminance(frames)
    t, h, w = lum.shape
    k = max(1, h // BLOCK_ROWS)
    h2, w2 = h // k, w // k
    return lum[:, : h2 * k, : w2 * k].reshape(t, h2, k, w2, k).mean(axis=(2, 4))


def flicker_ratio(frames: np.ndarray) -> float | None:
    """Overshoot / change, in [0, ~1]; None for clips under 3 frames."""
    p = patch_luminance(frames)
    if len(p) < 3:
        return None
    prev, cur, nxt = p[:-2], p[1:-1], p[2:]
    hi, lo = np.maximum(prev, nxt), np.minimum(prev, nxt)
    over = np.maximum(cur - hi, 0) + np.maximum(lo - cur, 0)
    over = np.maximum(over - NOISE_FLOOR, 0)
    change = 0.5 * (np.abs(cur - prev) + np.abs(nxt - cur))
    return float(over.sum() / (change.sum() + NOISE_FLOOR * change.size))


def flicker_score(ratio: float | None) -> float | None:
    """1 for a steady clip, falling to 0 at the overshoot of shuffled frames."""
    if ratio is None:
        return None
    return float(np.clip(1.0 - (ratio - RATIO_OK) / (RATIO_BAD - RATIO_OK), 0.0, 1.0))


RATIO_OK = 0.1  # clean renders: 0.00-0.10 (fast bouncing objects are the most)
RATIO_BAD = 0.25  # shuffled renders: 0.17-0.47
