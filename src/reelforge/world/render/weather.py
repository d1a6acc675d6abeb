"""Rain and snow: particles near the camera, falling in world space.

Particles live in a tile one view (at zoom 1) plus a margin across, repeated over the
world; they fall and drift in metres, so a pan sweeps them along with the background,
while a zoom leaves them as they are (they are close to the lens). So the density per
picture area is fixed. Positions come from the scene seed and time only.
"""

from __future__ import annotations

import numpy as np

from reelforge.world.render.camera import View
from reelforge.world.render.lighting import Look
from reelforge.world.scene import VIEW_HEIGHT

RAIN_DROPS = 120  # streaks per 16:9 picture
SNOW_FLAKES = 170  # flakes per 16:9 picture
MARGIN = 0.6  # metres of tile beyond the view on each side
EXPOSURE = 0.024  # seconds of fall a raindrop streak shows


class Weather:
    """The falling particles of one scene, for pictures of width x height."""

    def __init__(self, kind: str, seed: int, width: int, height: int):
        self.kind = kind
        self.width, self.height = width, height
        self.ppm = height / VIEW_HEIGHT
        self.tile = np.array([width / self.ppm + 2 * MARGIN, VIEW_HEIGHT + 2 * MARGIN])
        per_area = (RAIN_DROPS if kind == "rain" else SNOW_FLAKES) / (16 / 9)
        n = max(1, round(per_area * width / height))
        rng = np.random.default_rng([seed & 0xFFFFFFFF, 4242])
        self.base = rng.random((n, 2)) * self.tile
        self.depth = rng.random(n)  # 0 far (faint, small, slow) .. 1 near
        if kind == "rain":
            self.velocity = np.stack([np.full(n, 1.3), -(6.0 + 2.5 * self.depth)], axis=1)
        else:
            self.velocity = np.stack([np.full(n, 0.25), -(0.55 + 0.5 * self.depth)], axis=1)
            self.sway = rng.random((n, 2)) * np.array([0.6, 2 * np.pi])  # frequency, phase
            k = int(np.ceil(0.032 * self.ppm + 0.5))  # the largest flake's reach in pixels
            off = np.arange(-k, k + 1) + 0.5
            self._stencil = (np.tile(off, len(off))[None, :], np.repeat(off, len(off))[None, :])
        self._acc = np.zeros(width * height, dtype=np.float32)

    def positions(self, view: View, t: float) -> np.ndarray:
        """(n, 2) continuous pixel positions (u, v) of the particles at time t."""
        p = self.base + self.velocity * t
        if self.kind == "snow":
            p[:, 0] += 0.12 * np.sin(2 * np.pi * (0.3 + self.sway[:, 0]) * t + self.sway[:, 1])
        half = self.tile / 2
        rel = np.mod(p - np.array([view.cx, view.cy]) + half, self.tile) - half
        return np.stack(
            [self.width / 2 + rel[:, 0] * self.ppm, self.height / 2 - rel[:, 1] * self.ppm], axis=1
        )

    def draw(self, frame: np.ndarray, view: View, t: float, look: Look) -> None:
        """Draw the particles at time t over frame (H, W, 3) uint8 in place."""
        pos = self.positions(view, t)
        light = 0.45 + 0.55 * float(np.mean(look.ground_light))
        if self.kind == "rain":
            idx, w = self._streaks(pos)
            self._blend(frame, idx, w, np.array([200, 208, 222]) * light, 0.55)
        else:
            idx, w = self._flakes(pos)
            self._blend(frame, idx, w, np.array([244, 246, 250]) * light, 0.92)

    def _streaks(self, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each streak, row by row from its head up to where the drop was EXPOSURE ago,
        split over the two pixels nearest its exact horizontal position."""
        tail = self.velocity * EXPOSURE * self.ppm * np.array([1.0, -1.0])  # (n, 2) pixels
        rows = int(np.ceil(tail[:, 1].max())) + 2
        v = np.floor(pos[:, 1:]) - np.arange(rows)[None, :]  # (n, rows) row indices
        s = (pos[:, 1:] - (v + 0.5)) / tail[:, 1:]  # 0 at the head, 1 at the tail
        inside = np.clip(np.minimum(s + 0.5 / tail[:, 1:], 1.0 - s) * tail[:, 1:] + 0.5, 0, 1)
        weight = (0.35 + 0.45 * self.depth)[:, None] * (1.0 - 0.6 * np.clip(s, 0, 1)) * inside
        u = pos[:, :1] - s * tail[:, :1] - 0.5
        iu = np.floor(u)
        fu = u - iu
        us = np.concatenate([iu.ravel(), iu.ravel() + 1])
        vs = np.concatenate([v.ravel(), v.ravel()])
        ws = np.concatenate([(weight * (1 - fu)).ravel(), (weight * fu).ravel()])
        return self._index(us, vs, ws)

    def _flakes(self, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        radius = (0.012 + 0.02 * self.depth) * self.ppm  # pixels
        ou, ov = self._stencil
        cu = np.floor(pos[:, :1]) + ou  # (n, k) stencil pixel centres
        cv = np.floor(pos[:, 1:]) + ov
        d = np.hypot(cu - pos[:, :1], cv - pos[:, 1:])
        r = np.maximum(radius, 0.45)[:, None]
        w = np.clip(r - d + 0.5, 0.0, 1.0) * np.minimum(radius / 0.45, 1.0)[:, None] ** 2
        return self._index(cu.ravel() - 0.5, cv.ravel() - 0.5, w.ravel())

    def _index(self, us, vs, ws) -> tuple[np.ndarray, np.ndarray]:
        ok = (us >= 0) & (us < self.width) & (vs >= 0) & (vs < self.height) & (ws > 1e-3)
        idx = vs[ok].astype(np.intp) * self.width + us[ok].astype(np.intp)
        return idx, ws[ok].astype(np.float32)

    def _blend(self, frame, idx, w, color, opacity: float) -> None:
        if idx.size == 0:
            return
        acc = self._acc
        np.add.at(acc, idx, w)
        a = np.minimum(acc[idx], 1.0) * opacity
        acc[idx] = 0.0
        flat = frame.reshape(-1, 3)
        px = flat[idx].astype(np.float32)
        px += (color.astype(np.float32) - px) * a[:, None]
        flat[idx] = (px + 0.5).astype(np.uint8)
