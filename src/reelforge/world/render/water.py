"""Wave lines on water: thin light dashes in rows below the horizon, drawn per frame.

Alternate rows drift in opposite directions at the same speed, so the water moves
without adding any net motion that could be mistaken for a camera pan."""

from __future__ import annotations

import numpy as np

from reelforge.world.render.camera import View
from reelforge.world.render.lighting import Look
from reelforge.world.render.noise import hash01

WAVE_SPACING = 0.13  # metres between wave lines
WAVE_SPEED = 0.22  # m/s
DASH = 0.6  # metres per dash cell


def draw_waves(frame: np.ndarray, view: View, look: Look, seed: int, t: float) -> None:
    """Draw the wave lines at time t over frame (H, W, 3) uint8 in place."""
    ppm = view.ppm
    horizon = view.to_pixel(0.0, 0.0)[1]
    r0 = min(max(int(np.floor(horizon)), 0), view.height)
    if r0 >= view.height:
        return
    rows = np.arange(r0, view.height)
    _, y = view.to_world(0.0, rows + 0.5)
    depth = -y
    n = np.round(depth / WAVE_SPACING)
    thick = max(0.02, 1.0 / ppm)
    cover = np.clip((thick / 2 - np.abs(depth - n * WAVE_SPACING)) * ppm + 0.5, 0.0, 1.0)
    cover *= np.clip(depth * ppm - 1.0, 0.0, 1.0) * np.exp(-depth / 2.5)  # none on the edge
    keep = (cover > 0.01) & (n >= 1)
    if not keep.any():
        return
    rows, n, cover = rows[keep], n[keep].astype(np.int64), cover[keep].astype(np.float32)
    xs, _ = view.to_world(np.arange(view.width) + 0.5, 0.0)
    direction = np.where(n % 2 == 0, 1.0, -1.0)[:, None]
    xw = (xs[None, :] - direction * WAVE_SPEED * t) / DASH + 0.37 * n[:, None]
    cell = np.floor(xw)
    f = (xw - cell) * DASH  # metres into the dash cell
    length = (0.25 + 0.4 * hash01(cell.astype(np.int64), n[:, None], seed, 501)) * DASH
    on = hash01(cell.astype(np.int64), n[:, None], seed, 502) < 0.6
    a = np.clip(np.minimum(f, length - f) * ppm + 0.5, 0.0, 1.0) * on
    a = a * cover[:, None] * 0.55
    region = frame[rows]
    px = region.astype(np.float32)
    target = np.asarray(look.sky_horizon, dtype=np.float32) * (0.55 + 0.45 * look.ground_light[1])
    px += (target - px) * a[..., None].astype(np.float32)
    frame[rows] = (px + 0.5).astype(np.uint8)
