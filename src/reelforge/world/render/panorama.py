"""The clip's background, painted once and looked at by the camera in every frame.

Without zoom, the camera only shifts over one panorama at the picture's own scale: a
frame is a slice of it, and sub-pixel positions come from copies of the panorama shifted
by sixteenths of a pixel (Catmull-Rom, made on first use), so a slow pan glides without
integer steps. A very long pan is painted in stretches, one at a time. With push-in or
pull-out, the panorama is painted at scales a half-octave apart, each when first needed,
and each frame is resampled (antialiased, by Pillow) from the one nearest in scale (at
most 19 % larger or smaller). A lighting change keeps one panorama per end of the change
and blends the two per frame.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from reelforge.world.physics import Simulation
from reelforge.world.render.background import Grid, paint_background
from reelforge.world.render.camera import View
from reelforge.world.render.lighting import LOOKS, Look
from reelforge.world.scene import VIEW_HEIGHT

PAD = 4  # pixels of panorama beyond the farthest view
PHASES = 16  # sub-pixel steps of a shifting camera
PHASE_BUDGET = 96 * 2**20  # bytes of shifted copies kept per clip; beyond it, blend per frame
PANORAMA_BUDGET = 2_000_000  # pixels painted at once; a longer pan is cut into stretches
KEEP_LEVELS = 3  # scales of a zooming clip kept painted


def sun_position(look: Look, first: View) -> tuple[float, float]:
    """World position of the sun or moon: placed relative to the first frame's view."""
    return first.cx + look.sun[0] * first.width / first.ppm, look.sun[1]


def _catmull_rom(img: np.ndarray, f: float, axis: int) -> np.ndarray:
    """img resampled at index + f along axis (0 < f < 1), edges repeated; uint8 in and out.

    Fixed point: weights in 64ths, sums in int16."""
    w = [(-f + 2 * f * f - f**3) / 2, (2 - 5 * f * f + 3 * f**3) / 2,
         (f + 4 * f * f - 3 * f**3) / 2, (-f * f + f**3) / 2]  # fmt: skip
    q = [round(64 * x) for x in w]
    q[1] += 64 - sum(q)  # exact unit gain
    pad = [(0, 0)] * img.ndim
    pad[axis] = (1, 2)
    src = np.pad(img, pad, mode="edge").astype(np.int16)
    n = img.shape[axis]

    def tap(k: int) -> np.ndarray:
        index = [slice(None)] * img.ndim
        index[axis] = slice(k, k + n)
        return src[tuple(index)]

    acc = tap(1) * np.int16(q[1])
    tmp = np.empty_like(acc)
    for k in (0, 2, 3):
        np.multiply(tap(k), np.int16(q[k]), out=tmp)
        acc += tmp
    acc += 32
    acc >>= 6
    np.clip(acc, 0, 255, out=acc)
    return acc.astype(np.uint8)


def _blend(a: np.ndarray, b: np.ndarray, w: float, out: np.ndarray) -> None:
    """out = a + (b - a) * w for uint8 images, in 8-bit fixed point."""
    k = round(w * 256)
    if k <= 0:
        out[...] = a
    elif k >= 256:
        out[...] = b
    else:
        acc = a.astype(np.uint16) * (256 - k)
        acc += b.astype(np.uint16) * k
        acc += 128
        out[...] = (acc >> 8).astype(np.uint8)


def plan_stretches(sim: Simulation, width: int, height: int) -> list[tuple[int, int]]:
    """Split the clip's camera states into stretches (first, last state) whose panoramas
    stay within PANORAMA_BUDGET pixels: one for almost every clip, more for long, fast
    pans. A zooming clip is one stretch (its scales are painted as needed)."""
    cam, n = sim.camera, len(sim.camera)
    if np.any(np.abs(cam[:, 2] - 1.0) > 1e-9) or n < 3:
        return [(0, n - 1)]
    p = height / VIEW_HEIGHT
    budget = max(PANORAMA_BUDGET, 3 * width * height)
    out, i0 = [], 0
    while True:
        rest = cam[i0:]
        spans = []
        for a in (0, 1):
            ptp = np.maximum.accumulate(rest[:, a]) - np.minimum.accumulate(rest[:, a])
            spans.append(ptp * p + 2 * PAD + 2)
        area = (spans[0] + width) * (spans[1] + height)
        i1 = i0 + max(int(np.count_nonzero(area <= budget)) - 1, 1)
        if i1 >= n - 1:
            out.append((i0, n - 1))
            return out
        out.append((i0, i1))
        i0 = i1


class Panorama:
    """The background of a simulation's camera states first..last (inclusive), for
    pictures of width x height."""

    def __init__(self, sim: Simulation, width: int, height: int, first: int = 0, last: int = -1):
        self.width, self.height = width, height
        scene = sim.scene
        names = [scene.lighting.start]
        if scene.lighting.end is not None and scene.lighting.end != scene.lighting.start:
            names.append(scene.lighting.end)
        self.looks = [LOOKS[n] for n in names]
        c0 = sim.camera[0]
        start = View(float(c0[0]), float(c0[1]), float(c0[2]), width, height)
        self._paint_args = [
            (look, scene.ground, scene.weather, scene.seed, sun_position(look, start))
            for look in self.looks
        ]
        self.ppm0 = height / VIEW_HEIGHT
        cam = sim.camera[first : (last % len(sim.camera)) + 1]
        self.zooming = bool(np.any(np.abs(cam[:, 2] - 1.0) > 1e-9))
        if self.zooming:
            self._plan_levels(cam)
        else:
            self._plan_flat(cam)

    def _paint(self, grid: Grid) -> list[np.ndarray]:
        return [paint_background(*a[:4], grid, a[4]) for a in self._paint_args]

    # -- planning ----------------------------------------------------------------

    def _plan_flat(self, cam: np.ndarray) -> None:
        p, w, h = self.ppm0, self.width, self.height
        cx0, cy0 = float(cam[0, 0]), float(cam[0, 1])
        ox0 = math.ceil((cx0 - cam[:, 0].min()) * p - 1e-9) + PAD  # first frame: whole pixels
        oy0 = math.ceil((cam[:, 1].max() - cy0) * p - 1e-9) + PAD
        gw = ox0 + math.ceil((cam[:, 0].max() - cx0) * p) + w + PAD + 2
        gh = oy0 + math.ceil((cy0 - cam[:, 1].min()) * p) + h + PAD + 2
        self.grid = Grid(cx0 - w / 2 / p - ox0 / p, cy0 + h / 2 / p + oy0 / p, p, gh, gw)
        self.images = self._paint(self.grid)
        self.axis = None  # which axis shifts by fractions of a pixel
        moving_x = np.ptp(cam[:, 0]) * p > 1e-6
        moving_y = np.ptp(cam[:, 1]) * p > 1e-6
        if moving_x != moving_y:
            self.axis = 1 if moving_x else 0
        phase_bytes = sum(im.nbytes for im in self.images) * (PHASES - 1)
        self.use_phases = phase_bytes <= PHASE_BUDGET
        self._phases: dict[tuple[int, int], np.ndarray] = {}

    def _plan_levels(self, cam: np.ndarray) -> None:
        """Where each half-octave scale is needed; painted on first use (few kept)."""
        p0, w, h = self.ppm0, self.width, self.height
        z = cam[:, 2]
        steps = np.round(2 * np.log2(z)).astype(int)  # nearest half-octave
        self.grids: dict[int, Grid] = {}
        for m in sorted(set(steps.tolist())):
            sel = steps == m
            p = p0 * 2 ** (m / 2)
            hw, hh = w / 2 / (p0 * z[sel]), h / 2 / (p0 * z[sel])
            left, right = (cam[sel, 0] - hw).min(), (cam[sel, 0] + hw).max()
            bottom, top = (cam[sel, 1] - hh).min(), (cam[sel, 1] + hh).max()
            gw = math.ceil((right - left) * p) + 2 * PAD
            gh = math.ceil((top - bottom) * p) + 2 * PAD
            self.grids[int(m)] = Grid(left - PAD / p, top + PAD / p, p, gh, gw)
        self._levels: dict[int, list[Image.Image]] = {}

    def _level(self, m: int) -> tuple[Grid, list[Image.Image]]:
        if m not in self._levels:
            if len(self._levels) >= KEEP_LEVELS:
                self._levels.pop(next(iter(self._levels)))
            self._levels[m] = [Image.fromarray(a) for a in self._paint(self.grids[m])]
        return self.grids[m], self._levels[m]

    # -- drawing -----------------------------------------------------------------

    def draw(self, out: np.ndarray, view: View, blend: float) -> None:
        """Fill out (H, W, 3) uint8 with the background seen by `view`; `blend` is how
        far the lighting change has gone (0 = start look)."""
        layers = self._resample(view) if self.zooming else self._slice(view)
        if len(layers) == 1:
            out[...] = layers[0]
        else:
            _blend(layers[0], layers[1], blend, out)

    def _slice(self, view: View) -> list[np.ndarray]:
        g, w, h = self.grid, self.width, self.height
        ox = (view.cx - g.x0) * g.ppm - w / 2
        oy = (g.y_top - view.cy) * g.ppm - h / 2
        if self.axis is None or not self.use_phases:
            return [self._lerp(img, ox, oy) for img in self.images]
        off = ox if self.axis == 1 else oy
        i = math.floor(off)
        q = round((off - i) * PHASES)
        if q == PHASES:
            i, q = i + 1, 0
        if self.axis == 1:
            r, c = round(oy), i
        else:
            r, c = i, round(ox)
        r, c = min(max(r, 0), g.h - h), min(max(c, 0), g.w - w)
        return [self._phase(k, q)[r : r + h, c : c + w] for k in range(len(self.images))]

    def _phase(self, k: int, q: int) -> np.ndarray:
        if q == 0:
            return self.images[k]
        key = (k, q)
        if key not in self._phases:
            self._phases[key] = _catmull_rom(self.images[k], q / PHASES, self.axis)
        return self._phases[key]

    def _lerp(self, img: np.ndarray, ox: float, oy: float) -> np.ndarray:
        """Bilinear slice for offsets in both axes (or too large a panorama for phases)."""
        h, w = self.height, self.width
        c, r = math.floor(ox), math.floor(oy)
        fx, fy = ox - c, oy - r
        c, r = min(max(c, 0), img.shape[1] - w - 1), min(max(r, 0), img.shape[0] - h - 1)
        kx, ky = round(fx * 256), round(fy * 256)
        if kx == 0 and ky == 0:
            return img[r : r + h, c : c + w]
        src = img[r : r + h + 1, c : c + w + 1].astype(np.uint16)
        rows = (src[:, :-1] * (256 - kx) + src[:, 1:] * kx + 128) >> 8
        out = (rows[:-1] * (256 - ky) + rows[1:] * ky + 128) >> 8
        return out.astype(np.uint8)

    def _resample(self, view: View) -> list[np.ndarray]:
        m = round(2 * math.log2(view.zoom))
        g, imgs = self._level(min(max(m, min(self.grids)), max(self.grids)))
        x0, y0, x1, y1 = view.rect
        box = [
            (x0 - g.x0) * g.ppm,
            (g.y_top - y1) * g.ppm,
            (x1 - g.x0) * g.ppm,
            (g.y_top - y0) * g.ppm,
        ]
        # keep the box inside the panorama (only rounding could push it out)
        dx = max(0.0, -box[0]) - max(0.0, box[2] - g.w)
        dy = max(0.0, -box[1]) - max(0.0, box[3] - g.h)
        box = (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)
        size = (self.width, self.height)
        shape = (self.height, self.width, 3)
        out = [im.resize(size, Image.Resampling.BILINEAR, box=box).tobytes() for im in imgs]
        return [np.frombuffer(b, dtype=np.uint8).reshape(shape) for b in out]
