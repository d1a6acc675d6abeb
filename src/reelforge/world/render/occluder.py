"""The occluder: a pillar, tree or wall in the foreground, from below the ground line to
above the top of the picture. Opaque across its whole width, so an object behind it is
hidden completely; its texture moves with it, to sub-pixel precision."""

from __future__ import annotations

import numpy as np

from reelforge.world.render.camera import View
from reelforge.world.render.lighting import LAMP_LIGHT, Look
from reelforge.world.render.noise import hash01, noise1, noise2_grid
from reelforge.world.render.shapes import clamp

BASE = -0.3  # metres: the occluder stands in front of the ground line, so its foot is lower
STONE = (178, 170, 156)
BARK = (104, 90, 76)
LEAVES = (72, 98, 66)
BRICK = (142, 112, 102)
MORTAR = (178, 172, 162)
CANOPY = 2.55  # metres: where a tree's crown begins
BRICK_W, BRICK_H = 0.42, 0.17


def _rgb(c) -> np.ndarray:
    return np.asarray(c, dtype=np.float32)


def draw_occluder(
    frame: np.ndarray,
    view: View,
    kind: str,
    x: float,
    width: float,
    look: Look,
    lamp: float,
    fog: bool,
    seed: int,
) -> None:
    """Draw the occluder centred at world x into frame (H, W, 3) uint8 in place."""
    extra = {"pillar": 0.09, "tree": 1.6, "wall": 0.0}[kind]
    half = width / 2 + extra
    u0, _ = view.to_pixel(x - half, 0.0)
    u1, vb = view.to_pixel(x + half, BASE)
    c0, c1 = max(int(np.floor(u0)), 0), min(int(np.ceil(u1)), view.width)
    r1 = min(int(np.ceil(vb)), view.height)
    if c1 <= c0 or r1 <= 0:
        return
    xs, _ = view.to_world(np.arange(c0, c1) + 0.5, 0.0)
    _, ys = view.to_world(0.0, np.arange(0, r1) + 0.5)
    lx = (xs - x).astype(np.float32)  # (w,) metres from the occluder's axis
    ys = ys.astype(np.float32)
    ppm = view.ppm
    color, alpha = _PAINTERS[kind](lx, ys, width, ppm, seed)
    light = _rgb(look.ground_light) * 0.95 + _rgb(LAMP_LIGHT) * (0.5 * look.lamps * lamp)
    color *= light
    if fog:
        color += (_rgb(look.fog) - color) * 0.1
    alpha = alpha * clamp((ys - BASE) * ppm + 0.5)[:, None]  # the foot's edge
    region = frame[0:r1, c0:c1]
    solid = alpha >= 1.0  # most of it: no blending needed
    region[solid] = (color[solid] + 0.5).astype(np.uint8)
    edge = (alpha > 0.0) & ~solid
    if edge.any():
        base = region[edge].astype(np.float32)
        base += (color[edge] - base) * alpha[edge][:, None]
        region[edge] = (base + 0.5).astype(np.uint8)


def _band(lx: np.ndarray, half: np.ndarray | float, ppm: float) -> np.ndarray:
    """Coverage of |lx| < half with one-pixel anti-aliased edges."""
    return clamp((half - np.abs(lx)) * ppm + 0.5)


def _round_shade(lx: np.ndarray, half: float) -> np.ndarray:
    """Brightness across a round trunk or shaft lit from the upper left."""
    a = clamp(lx / half, -1.0, 1.0)
    return 0.72 + 0.38 * np.sqrt(1.0 - a * a) - 0.08 * a


def _pillar(lx, ys, width, ppm, seed):
    """A stone column of drums with shallow flutes, on a plinth."""
    half = width / 2
    flutes = 1.0 - 0.1 * (np.cos(lx / half * np.pi * 4.5) > 0.6)
    across = _rgb(STONE) * (_round_shade(lx, half) * flutes)[:, None]  # (w, 3)
    joint = np.abs((ys + 0.07) / 0.62 - np.round((ys + 0.07) / 0.62)) * 0.62  # metres
    down = 1.0 - 0.18 * clamp((max(0.012, 0.8 / ppm) - joint) * ppm + 0.5)  # (h,)
    color = down[:, None, None] * across[None, :, :]
    widths = np.where(ys < 0.0, half + 0.09, np.where(ys < 0.12, half + 0.05, half))
    foot = ys < 0.12  # a plinth and a moulding at the foot
    if foot.any():
        color[foot] = _rgb(STONE) * _round_shade(lx, half + 0.09)[:, None] * 0.92
    return color, _band(lx[None, :], widths[:, None], ppm)


def _tree(lx, ys, width, ppm, seed):
    """A broad trunk with furrowed bark, flaring at the roots, under a leafy crown."""
    half = width / 2
    flare = half + 0.14 * clamp((0.25 - ys) / 0.55) ** 2  # roots
    trunk = _band(lx[None, :], flare[:, None], ppm)
    furrows = 0.8 + 0.32 * noise1(lx / 0.05, seed, 611)
    across = _rgb(BARK) * (_round_shade(lx, half) * furrows)[:, None]  # (w, 3)
    down = 0.94 + 0.12 * noise1(ys / 0.5, seed, 614)
    color = down[:, None, None] * across[None, :, :]
    canopy_rows = ys > CANOPY - 0.3
    if canopy_rows.any():
        yc = ys[canopy_rows]
        blob = np.full((len(yc), len(lx)), -1e3, dtype=np.float32)
        h = hash01(np.arange(7), 0, seed, 612)
        for i in range(7):  # big round clumps of leaves
            cx = (i - 3) * (0.26 + 0.08 * h[i])
            cy = CANOPY + 0.45 + 0.35 * np.cos(i * 1.7) + 0.2 * h[i]
            r = 0.5 + 0.15 * h[(i + 3) % 7]
            d = r - np.sqrt((lx[None, :] - cx) ** 2 + (yc[:, None] - cy) ** 2)
            np.maximum(blob, d, out=blob)
        # the crown's upper part: one big lumpy ellipse reaching far above the picture
        ex, ey = lx[None, :] / (half + 1.05), (yc[:, None] - CANOPY - 1.9) / 2.0
        k = np.sqrt(ex * ex + ey * ey) * (1.0 + 0.05 * np.sin(9.0 * np.arctan2(ey, ex) + h[0] * 6))
        np.maximum(blob, (1.0 - k) * (half + 1.05), out=blob)
        cover = clamp(blob * ppm + 0.5)
        leaf = 0.8 + 0.3 * noise2_grid(lx / 0.16, yc / 0.16, seed, 613)
        leaf *= 0.9 + 0.15 * clamp(blob / 0.4)
        leaves = _rgb(LEAVES) * leaf[..., None]
        part = color[canopy_rows]
        part += (leaves - part) * cover[..., None]
        color[canopy_rows] = part
        trunk[canopy_rows] = np.maximum(trunk[canopy_rows], cover)
    return color, trunk


def _wall(lx, ys, width, ppm, seed):
    half = width / 2
    row = np.floor(ys / BRICK_H).astype(np.int64)  # (h,)
    shift = np.where(row % 2 == 0, 0.0, BRICK_W / 2).astype(np.float32)
    pos = (lx[None, :] + half + shift[:, None]) / BRICK_W
    brick = np.floor(pos)
    fx = (pos - brick) * BRICK_W
    fy = ((ys / BRICK_H - row) * BRICK_H).astype(np.float32)[:, None]
    gap = max(0.018, 1.0 / ppm)
    d = np.minimum(np.minimum(fx, BRICK_W - fx), np.minimum(fy, BRICK_H - fy))
    mortar = clamp((gap / 2 - d) * ppm + 0.5)
    tone = 0.88 + 0.22 * hash01(brick.astype(np.int64), row[:, None], seed, 621)
    tone *= 0.95 + 0.1 * noise1(lx / 0.5, seed, 622)[None, :]
    color = _rgb(BRICK) * tone[..., None]
    color += (_rgb(MORTAR) - color) * mortar[..., None]
    return color, np.broadcast_to(_band(lx, half, ppm)[None, :], mortar.shape)


_PAINTERS = {"pillar": _pillar, "tree": _tree, "wall": _wall}
