"""The ground band below y = 0: grass, sand, snow, water or a wooden floor.

Each ground is a muted base colour times a brightness texture fixed in world metres, so
it moves exactly with the camera. Texture detail finer than about two pixels at the
painted scale is left out (`lod`), so nothing shimmers when the camera moves.
"""

from __future__ import annotations

import numpy as np

from reelforge.world.render.noise import hash01, lod, noise1, noise2_grid

GROUND_BASE = {
    "grass": (88, 124, 72),
    "sand": (200, 180, 140),
    "snow": (234, 238, 245),
    "water": (84, 116, 142),
    "floor": (158, 122, 90),
}
SNOW_SHADE = (192, 206, 232)  # the blue of shadowed snow


def ground_albedo(
    ground: str, xs: np.ndarray, ys: np.ndarray, seed: int, ppm: float
) -> tuple[np.ndarray, np.ndarray]:
    """Unlit colour (len(ys), len(xs), 3) float32 of the ground at world points ys x xs,
    and the brightness texture (len(ys), len(xs)) it was made with."""
    tex = _TEXTURES[ground](xs, ys, seed, ppm).astype(np.float32)
    color = np.asarray(GROUND_BASE[ground], dtype=np.float32) * tex[..., None]
    if ground == "snow":  # soft blue shadows in the hollows
        hollow = np.clip(1.6 * (noise2_grid(xs / 1.3, ys / 0.45, seed, 451) - 0.35), 0.0, 0.7)
        color += (np.asarray(SNOW_SHADE, dtype=np.float32) - color) * hollow[..., None]
    return color, tex


def _grass(xs, ys, seed, ppm):
    t = 1.0 + 0.16 * (noise2_grid(xs / 1.1, ys / 0.45, seed, 401) - 0.5)
    t += 0.03 * np.tanh(3.0 * np.sin(2 * np.pi * xs / 1.3)).astype(np.float32)[None, :]
    t += 0.2 * lod(0.2 * ppm) * (noise2_grid(xs / 0.2, ys / 0.12, seed, 402) - 0.5)
    t += 0.26 * lod(0.06 * ppm) * (noise2_grid(xs / 0.06, ys / 0.13, seed, 403) - 0.5)
    depth = np.clip(-ys / 1.5, 0.0, 1.0).astype(np.float32)[:, None]
    return t * (1.0 - 0.12 * depth)


def _sand(xs, ys, seed, ppm):
    t = 1.0 + 0.1 * (noise2_grid(xs / 1.6, ys / 0.6, seed, 411) - 0.5)
    wobble = 0.35 * noise1(xs / 0.9, seed, 412)[None, :]
    ripple = np.sin(2 * np.pi * (ys[:, None] / 0.12 + wobble)).astype(np.float32)
    t += 0.05 * lod(0.12 * ppm) * ripple
    t += 0.16 * lod(0.035 * ppm) * (noise2_grid(xs / 0.035, ys / 0.035, seed, 413) - 0.5)
    return t


def _snow(xs, ys, seed, ppm):
    t = 1.0 + 0.04 * (noise2_grid(xs / 0.6, ys / 0.3, seed, 421) - 0.5)
    t += 0.06 * lod(0.05 * ppm) * (noise2_grid(xs / 0.05, ys / 0.05, seed, 422) - 0.5)
    return np.minimum(t, 1.02)


def _water(xs, ys, seed, ppm):
    depth = np.clip(-ys / 1.6, 0.0, 1.0).astype(np.float32)[:, None]
    t = 1.0 + 0.12 * (noise2_grid(xs / 0.9, ys / 0.07, seed, 431) - 0.5) * lod(0.07 * ppm)
    t += 0.08 * (noise2_grid(xs / 2.5, ys / 0.5, seed, 432) - 0.5)
    return t * (1.0 - 0.22 * depth)


PLANK_HEIGHT = 0.17  # metres per row of floor boards


def _floor(xs, ys, seed, ppm):
    row = np.floor(-ys / PLANK_HEIGHT).astype(np.int64)  # (h,)
    shift = hash01(row, 0, seed, 441) * 1.6
    length = 1.6
    pos = (xs[None, :] + shift[:, None]) / length  # (h, w) position along boards
    board = np.floor(pos).astype(np.int64)
    tone = 0.9 + 0.2 * hash01(board, row[:, None], seed, 442)
    seam_w = max(0.014, 1.0 / ppm)
    fx = (pos - board) * length  # metres from the board's start
    dx = np.minimum(fx, length - fx)
    fy = (-ys / PLANK_HEIGHT - row) * PLANK_HEIGHT
    dy = np.minimum(fy, PLANK_HEIGHT - fy).astype(np.float32)[:, None]
    seam = np.clip((seam_w - np.minimum(dx, dy)) * ppm + 0.5, 0.0, 1.0).astype(np.float32)
    grain = noise2_grid(xs / 0.6, ys / 0.018, seed, 443) * lod(0.018 * ppm)
    t = tone.astype(np.float32) * (0.95 + 0.1 * grain)
    return t * (1.0 - 0.42 * seam)


_TEXTURES = {
    "grass": _grass,
    "sand": _sand,
    "snow": _snow,
    "water": _water,
    "floor": _floor,
}
