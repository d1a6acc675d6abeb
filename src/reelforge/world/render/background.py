"""The background: everything fixed in the world behind the objects, painted once per
clip into a panorama that the camera then looks at.

Layers, back to front: sky gradient (by time of day), stars, sun or moon, clouds, far
hills, a tree line, street lamps, then the ground band below y = 0 (grass, sand, snow,
water or floor), and fog where the weather has it. All of it lies in one plane fixed in
world coordinates, so a camera move is a plain shift and zoom of the background. Every
pixel is kept muted: HSV saturation at most MAX_SATURATION.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reelforge.world.render.ground import ground_albedo
from reelforge.world.render.lighting import (
    LAMP_COLOR,
    LAMP_HEIGHT,
    LAMP_SPACING,
    Look,
    lamp_positions,
)
from reelforge.world.render.noise import fbm1, hash01, lod, noise1, noise2_grid

MAX_SATURATION = 0.45
SKY_SPAN = 5.5  # metres over which the sky goes from horizon colour to top colour
POST_COLOR = (60, 62, 66)
CLOUD_CELL = 3.2  # metres of sky per possible cloud
TREE_CELL = 0.55  # metres per possible tree of the tree line
GLOW = 6.0  # the sun's glow reaches this many radii


@dataclass(frozen=True)
class Grid:
    """A panorama's pixel grid: pixel (r, c) has its centre at world
    (x0 + (c + 0.5) / ppm, y_top - (r + 0.5) / ppm)."""

    x0: float
    y_top: float
    ppm: float
    h: int
    w: int

    @property
    def xs(self) -> np.ndarray:
        return self.x0 + (np.arange(self.w) + 0.5) / self.ppm

    @property
    def ys(self) -> np.ndarray:
        return self.y_top - (np.arange(self.h) + 0.5) / self.ppm

    def cols(self, xa: float, xb: float) -> slice:
        a = int(np.floor((xa - self.x0) * self.ppm))
        b = int(np.ceil((xb - self.x0) * self.ppm))
        return slice(min(max(a, 0), self.w), min(max(b, 0), self.w))

    def rows(self, ya: float, yb: float) -> slice:
        """Rows covering world heights ya < yb."""
        a = int(np.floor((self.y_top - yb) * self.ppm))
        b = int(np.ceil((self.y_top - ya) * self.ppm))
        return slice(min(max(a, 0), self.h), min(max(b, 0), self.h))


def _rgb(c) -> np.ndarray:
    return np.asarray(c, dtype=np.float32)


def _cover(img: np.ndarray, color, alpha: np.ndarray) -> None:
    """Like _over, for a hard-edged layer (alpha mostly 0 or 1): copies where it is
    opaque and blends only its anti-aliased edge pixels."""
    color = np.broadcast_to(np.asarray(color, dtype=np.float32), img.shape)
    solid = alpha >= 1.0
    np.copyto(img, color, where=solid[..., None])
    edge = ((alpha > 0.0) & ~solid).nonzero()
    if edge[0].size:
        px = img[edge]
        px += (color[edge] - px) * alpha[edge][:, None]
        img[edge] = px


def _over(img: np.ndarray, color, alpha: np.ndarray) -> None:
    """img (h, w, 3) float in place: blend towards colour (3,) or (h, w, 3) by alpha (h, w)."""
    tmp = np.subtract(np.asarray(color, dtype=np.float32), img)
    tmp *= alpha[..., None]
    img += tmp


def paint_background(
    look: Look, ground: str, weather: str, seed: int, grid: Grid, sun_at: tuple[float, float]
) -> np.ndarray:
    """The background on `grid` as uint8 (h, w, 3)."""
    xs, ys = grid.xs, grid.ys
    img = _sky(look, weather, ys, grid.w)  # (h, w, 3) float32
    if look.stars > 0.01 and weather == "none":  # clouds, rain or snow hide the stars
        _stars(img, grid, seed, look.stars)
    _sun(img, grid, look, sun_at)
    _clouds(img, grid, seed, look, weather)
    _hills(img, grid, seed, look, xs, ys)
    _lamps(img, grid, seed, look)
    _ground(img, grid, seed, look, ground, xs, ys)
    if weather == "fog":
        _fog(img, look, ys)
    _limit_saturation(img)
    np.clip(img + 0.5, 0.0, 255.0, out=img)
    return img.astype(np.uint8)


# -- sky -------------------------------------------------------------------------


def _overcast(color, weather: str) -> np.ndarray:
    c = _rgb(color)
    if weather in ("rain", "snow"):
        grey = float(c @ np.array([0.3, 0.55, 0.15], dtype=np.float32))
        c = (0.45 * c + 0.55 * grey) * 0.9
    return c


def _sky(look: Look, weather: str, ys: np.ndarray, w: int) -> np.ndarray:
    s = (np.clip(ys / SKY_SPAN, 0.0, 1.0) ** 0.8).astype(np.float32)[:, None]
    top, hor = _overcast(look.sky_top, weather), _overcast(look.sky_horizon, weather)
    rows = hor + (top - hor) * s  # (h, 3)
    return np.repeat(rows[:, None, :], w, axis=1)


def _splat(plane: np.ndarray, u: np.ndarray, v: np.ndarray, weight: np.ndarray) -> None:
    """Add point weights at continuous pixel positions, split bilinearly over 4 pixels."""
    u, v = u - 0.5, v - 0.5
    iu, iv = np.floor(u).astype(np.intp), np.floor(v).astype(np.intp)
    fu, fv = u - iu, v - iv
    h, w = plane.shape
    for du, dv, k in (
        (0, 0, (1 - fu) * (1 - fv)),
        (1, 0, fu * (1 - fv)),
        (0, 1, (1 - fu) * fv),
        (1, 1, fu * fv),
    ):
        uu, vv = iu + du, iv + dv
        ok = (uu >= 0) & (uu < w) & (vv >= 0) & (vv < h)
        np.add.at(plane, (vv[ok], uu[ok]), (weight * k)[ok])


def _stars(img: np.ndarray, grid: Grid, seed: int, amount: float) -> None:
    cell = 0.42
    if cell * grid.ppm < 1.0:  # seen from so far that a star would be below a pixel
        return
    xs, ys = grid.xs, grid.ys
    i0, i1 = int(np.floor(xs[0] / cell)), int(np.ceil(xs[-1] / cell))
    j0, j1 = max(int(np.floor(ys[-1] / cell)), 2), int(np.ceil(ys[0] / cell))
    if j1 < j0:
        return
    ii, jj = np.meshgrid(np.arange(i0, i1 + 1), np.arange(j0, j1 + 1))
    keep = hash01(ii, jj, seed, 101) < 0.3
    ii, jj = ii[keep], jj[keep]
    x = (ii + hash01(ii, jj, seed, 102)) * cell
    y = (jj + hash01(ii, jj, seed, 103)) * cell
    bright = (0.35 + 0.65 * hash01(ii, jj, seed, 104)) * amount
    plane = np.zeros(img.shape[:2], dtype=np.float32)
    scale = max(grid.ppm / 36.0, 1.0)  # larger pictures: the same dot over more pixels
    _splat(plane, (x - grid.x0) * grid.ppm, (grid.y_top - y) * grid.ppm, bright * scale)
    lit = plane.nonzero()
    px = img[lit]
    px += (_rgb((236, 236, 226)) - px) * np.minimum(plane[lit], 1.0)[:, None]
    img[lit] = px


def _disc(grid: Grid, x: float, y: float, r: float, pad: float):
    """Rows, cols and distance (metres) from (x, y) over the box of radius r + pad."""
    rs, cs = grid.rows(y - r - pad, y + r + pad), grid.cols(x - r - pad, x + r + pad)
    dx = (grid.xs[cs] - x).astype(np.float32)[None, :]
    dy = (grid.ys[rs] - y).astype(np.float32)[:, None]
    return rs, cs, np.sqrt(dx * dx + dy * dy), dx, dy


def _sun(img: np.ndarray, grid: Grid, look: Look, sun_at: tuple[float, float]) -> None:
    x, y = sun_at
    r = look.sun_radius
    rs, cs, d, dx, dy = _disc(grid, x, y, r, GLOW * r)
    if d.size == 0:
        return
    region = img[rs, cs]
    glow = np.maximum(1.0 - d / ((GLOW + 1) * r), 0.0) ** 3
    _over(region, look.glow_color, look.glow * glow)
    disc = np.clip((r - d) * grid.ppm + 0.5, 0.0, 1.0)
    if look.stars > 0.5:  # the moon: a few soft grey maria
        for ox, oy, rr in ((-0.3, 0.25, 0.32), (0.28, -0.2, 0.26), (0.1, 0.42, 0.16)):
            m = np.hypot(dx - ox * r, dy - oy * r)
            disc = disc * (1.0 - 0.12 * np.clip((rr * r - m) * grid.ppm + 0.5, 0.0, 1.0))
    _over(region, look.sun_color, disc)
    img[rs, cs] = region


def _clouds(img: np.ndarray, grid: Grid, seed: int, look: Look, weather: str) -> None:
    xs = grid.xs
    if CLOUD_CELL * grid.ppm < 2.0:
        return
    color = _overcast(look.cloud, weather)
    k0, k1 = int(np.floor(xs[0] / CLOUD_CELL)) - 1, int(np.ceil(xs[-1] / CLOUD_CELL)) + 1
    for k in range(k0, k1 + 1):
        h = hash01(np.full(6, k), np.arange(6), seed, 201)
        if h[0] > 0.78:
            continue
        cx = (k + 0.15 + 0.7 * h[1]) * CLOUD_CELL
        cy = 2.0 + 1.7 * h[2]
        s = 0.42 + 0.4 * h[3]
        puffs = np.array(
            [[-1.05, -0.08, 0.52], [-0.45, 0.16, 0.74], [0.3, 0.22, 0.86], [0.98, -0.02, 0.58],
             [0.05, -0.12, 0.7]],
            dtype=np.float32,
        )  # fmt: skip
        puffs[:, 1] += 0.12 * (h[4] - 0.5) * np.array([1, -1, 1, -1, 1], dtype=np.float32)
        puffs *= np.float32(s) * np.array([1.0 + 0.5 * h[5], 1.0, 1.0], dtype=np.float32)
        rs, cs = grid.rows(cy - 1.2 * s, cy + 1.4 * s), grid.cols(cx - 2.2 * s, cx + 2.2 * s)
        if rs.start >= rs.stop or cs.start >= cs.stop:
            continue
        dx = (grid.xs[cs] - cx).astype(np.float32)[None, :]
        dy = (grid.ys[rs] - cy).astype(np.float32)[:, None]
        soft = 0.35 * s
        a = np.zeros((len(dy), dx.shape[1]), dtype=np.float32)
        for px, py, pr in puffs:
            np.maximum(a, (pr - np.sqrt((dx - px) ** 2 + (dy - py) ** 2)) / soft, out=a)
        a = np.clip(a, 0.0, 1.0)
        a *= np.clip((dy + 0.3 * s) / soft + 0.5, 0.0, 1.0)  # flat-ish bottoms
        a = a * a * (3.0 - 2.0 * a) * 0.85
        shade = np.clip(0.88 + 0.14 * dy / s, 0.8, 1.02)  # lit tops, greyer bellies
        region = img[rs, cs]
        _over(region, color * shade[..., None], a)
        img[rs, cs] = region


def _hills(img, grid: Grid, seed: int, look: Look, xs, ys) -> None:
    far = 0.35 + 1.1 * fbm1(xs / 7.0, seed, 301) ** 1.5  # (w,) metres
    rs = grid.rows(-1.0 / grid.ppm, max(float(far.max()), TREE_TOP) + 1.0 / grid.ppm)
    yy = ys[rs].astype(np.float32)[:, None]
    region = img[rs]
    cover = np.clip((far[None, :] - yy) * grid.ppm + 0.5, 0.0, 1.0)
    _cover(region, _rgb(look.hills) * (0.96 + 0.05 * yy)[..., None], cover)
    trees = _tree_line(xs, ys[rs], seed, grid.ppm)
    leaf = 0.94 + 0.12 * noise2_grid(xs / 0.23, ys[rs] / 0.2, seed, 302) * lod(0.23 * grid.ppm)
    _cover(region, _rgb(look.trees) * leaf[..., None], trees)
    img[rs] = region


TREE_TOP = 1.25  # metres: no tree of the tree line is taller


def _tree_line(xs: np.ndarray, ys: np.ndarray, seed: int, ppm: float) -> np.ndarray:
    """Coverage (len(ys), len(xs)) of the tree line: round crowns on thin trunks, in
    groups, over a low hedge."""
    y = ys.astype(np.float32)[:, None]
    hedge = 0.06 + 0.1 * noise1(xs / 0.4, seed, 310)
    dist = (hedge[None, :] - y).astype(np.float32)  # signed, metres, positive inside
    cell = np.floor(xs / TREE_CELL).astype(np.int64)
    for off in (-1, 0, 1):
        k = cell + off
        present = (noise1(k * TREE_CELL / 7.0, seed, 311) > 0.42) & (hash01(k, 0, seed, 312) < 0.8)
        cx = ((k + 0.5 + 0.3 * (hash01(k, 1, seed, 312) - 0.5)) * TREE_CELL).astype(np.float32)
        r = 0.2 + 0.17 * hash01(k, 2, seed, 312)
        cy = 0.42 + 0.35 * hash01(k, 3, seed, 312)
        dx = (xs - cx).astype(np.float32)[None, :]
        crown = r[None, :] - np.sqrt(dx * dx + (y - cy[None, :]) ** 2)
        trunk = np.minimum(0.03 - np.abs(dx), cy[None, :] - y)
        both = np.where(present[None, :], np.maximum(crown, trunk), -1.0)
        np.maximum(dist, both, out=dist)
    return np.clip(dist * ppm + 0.5, 0.0, 1.0)


def _lamps(img, grid: Grid, seed: int, look: Look) -> None:
    xs, ys = grid.xs, grid.ys
    if LAMP_SPACING * grid.ppm < 2.0:
        return
    post = _rgb(POST_COLOR) * _rgb(look.ground_light)
    head_day = _rgb((196, 198, 192)) * _rgb(look.ground_light)
    head = head_day + (_rgb(LAMP_COLOR) - head_day) * look.lamps
    for xl in lamp_positions(seed, xs[0] - 2.0, xs[-1] + 2.0):
        hx = xl + 0.24  # the head hangs from a short arm
        rs, cs = grid.rows(-0.01, LAMP_HEIGHT + 0.12), grid.cols(xl - 0.1, hx + 0.2)
        if rs.start < rs.stop and cs.start < cs.stop:
            dx = (xs[cs] - xl).astype(np.float32)[None, :]
            y = ys[rs].astype(np.float32)[:, None]
            pole = np.minimum(0.035 - np.abs(dx), LAMP_HEIGHT + 0.06 - y)
            arm = np.minimum(
                np.minimum(dx + 0.02, 0.3 - dx), 0.022 - np.abs(y - LAMP_HEIGHT - 0.05)
            )
            px = max(grid.ppm, 1e-6)
            shape = np.clip(np.maximum(pole, arm) * px + 0.5, 0.0, 1.0) * (y > 0)
            region = img[rs, cs]
            _cover(region, post, shape)
            lampd = np.hypot((dx - 0.24) / 0.11, (y - LAMP_HEIGHT) / 0.065)
            _over(region, head, np.clip((1.0 - lampd) * 0.11 * px + 0.5, 0.0, 1.0))
            img[rs, cs] = region
        if look.lamps > 0.01:  # halo around the head
            rs, cs, d, _, _ = _disc(grid, hx, LAMP_HEIGHT, 0.0, 1.8)
            if d.size:
                a = look.lamps * (
                    0.55 * np.exp(-((d / 0.32) ** 2)) + 0.22 * np.exp(-((d / 1.1) ** 2))
                )
                region = img[rs, cs]
                _over(region, LAMP_COLOR, a)
                img[rs, cs] = region


# -- ground ----------------------------------------------------------------------


def _ground(img, grid: Grid, seed: int, look: Look, ground: str, xs, ys) -> None:
    rs = grid.rows(-1e9, 0.5 / grid.ppm + 1e-9)
    if rs.start >= rs.stop:
        return
    yy = ys[rs]
    color, tex = ground_albedo(ground, xs, yy, seed, grid.ppm)  # (h, w, 3), (h, w)
    y32 = np.minimum(yy, 0.0).astype(np.float32)[:, None]
    lip = max(0.05, 1.2 / grid.ppm)
    color *= (1.0 + 0.1 * np.clip((y32 + lip) * grid.ppm, 0.0, 1.0))[..., None]  # lit edge
    color *= _rgb(look.ground_light)
    if look.lamps > 0.01 and LAMP_SPACING * grid.ppm >= 2.0:
        pool = np.zeros(len(xs), dtype=np.float32)
        for xl in lamp_positions(seed, xs[0] - 4.0, xs[-1] + 4.0):
            pool += np.exp(-(((xs - xl - 0.24) / 1.5) ** 2)).astype(np.float32)
        depth = np.exp(y32 / 0.9)  # strongest at the foot of the lamp, near the horizon
        glow = (0.9 * look.lamps) * pool[None, :] * depth
        color += (_rgb((150, 128, 92)) * glow[..., None]) * (0.4 + 0.6 * tex[..., None])
    near = ys[rs] > -2.0  # aerial perspective: a little sky colour near the horizon
    haze = (0.16 * np.exp(y32[near] / 0.35))[:, :, None]
    color[near] += (_rgb(look.sky_horizon) * 0.95 - color[near]) * haze
    cover = np.clip(0.5 - yy * grid.ppm, 0.0, 1.0)  # rows straddling y = 0 blend
    region = img[rs]
    full = cover >= 1.0
    region[full] = color[full]
    edge = (cover > 0.0) & ~full
    region[edge] += (color[edge] - region[edge]) * cover[edge][:, None, None]
    img[rs] = region


# -- fog and the saturation bound --------------------------------------------------


def _fog(img, look: Look, ys) -> None:
    y = ys.astype(np.float32)
    amount = np.where(
        y >= 0,
        0.62 - 0.18 * np.clip(y / 6.0, 0.0, 1.0),
        0.12 + 0.5 * np.exp(np.minimum(y, 0) / 1.2),
    )
    _over(img, look.fog, np.broadcast_to(amount[:, None], img.shape[:2]))


def _limit_saturation(img: np.ndarray) -> None:
    """Pull every pixel's channels towards its maximum so (max - min) / max <= bound."""
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    mx = np.maximum(np.maximum(r, g), b)
    chroma = mx - np.minimum(np.minimum(r, g), b)
    allowed = mx * (MAX_SATURATION * 0.98)
    over = chroma > allowed
    if not over.any():
        return
    k = np.where(over, allowed / np.maximum(chroma, 1e-6), 1.0)[..., None]
    mx = mx[..., None]
    img[...] = mx - (mx - img) * k
