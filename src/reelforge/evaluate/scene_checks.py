"""Time of day, weather and ground, from the background's colours and falling particles.

Backgrounds: the world's own painter (reelforge.world.render.background) paints a
reference strip for every (time of day, sky weather, ground); sky weather is clear,
overcast (rain and snow share it) or fog. Each frame row's median colour (object pixels
left out) is placed at its height in the world through the measured camera motion and
compared with each reference at that height; the nearest reference wins, per question
(time: the best over weathers and grounds; and so on). The first frames give the start
time of day, the last frames the end.

Particles: rain and snow are small bright marks that move against the background. For a
few frames, the frame minus the brighter of its camera-aligned neighbours (dilated by a
pixel, so that aligned texture cancels) leaves them as "flashes"; small upright streaks
count as rain, small round dots as snow, per frame-height squared of picture.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache

import numpy as np
from scipy import ndimage

from reelforge.evaluate.camera import GlobalMotion
from reelforge.evaluate.constraints import Constraints
from reelforge.evaluate.motion import ramp
from reelforge.evaluate.pixels import luminance
from reelforge.world.render.background import Grid, paint_background
from reelforge.world.render.lighting import LOOKS
from reelforge.world.scene import CAMERA_HEIGHT, GROUNDS, TIMES_OF_DAY, VIEW_HEIGHT

SKY_WEATHERS = {"none": "none", "overcast": "rain", "fog": "fog"}  # class -> painter's name
SKY_TOP, SKY_PPM, SKY_ROWS, SKY_COLS = 7.0, 6.0, 42, 84  # metres, px/m: y from 7 m down to 0
GROUND_DEPTH, GROUND_COLS = 2.8, 96  # metres below the ground line; columns at the clip's scale
HORIZON_BAND = 0.15  # metres either side of the ground line left out (sharp edge)
EDGE_FRAMES = 3  # frames at each end read for the start and end time of day


def _paint_rows(grid: Grid, ground: str, time: str, weather: str) -> np.ndarray:
    look = LOOKS[time]
    img = paint_background(look, ground, weather, 7, grid, (0.0, look.sun[1]))
    return np.median(img, axis=1) / 255.0  # (rows, 3)


@cache
def sky_references() -> tuple[np.ndarray, np.ndarray]:
    """(times, sky weathers, rows, 3) reference sky rows in [0, 1] and their heights (m)."""
    grid = Grid(x0=-SKY_COLS / SKY_PPM / 2, y_top=SKY_TOP, ppm=SKY_PPM, h=SKY_ROWS, w=SKY_COLS)
    out = np.stack(
        [
            np.stack([_paint_rows(grid, "grass", t, w) for w in SKY_WEATHERS.values()])
            for t in TIMES_OF_DAY
        ]
    )
    return out, grid.ys


@cache
def ground_references(ppm: float) -> tuple[np.ndarray, np.ndarray]:
    """(times, sky weathers, grounds, rows, 3) reference ground rows painted at the clip's
    scale (textures such as floor seams depend on it) and their heights (m)."""
    rows = int(np.ceil(GROUND_DEPTH * ppm))
    grid = Grid(x0=-GROUND_COLS / ppm / 2, y_top=0.0, ppm=ppm, h=rows, w=GROUND_COLS)
    out = np.stack(
        [
            np.stack(
                [
                    np.stack([_paint_rows(grid, g, t, w) for g in GROUNDS])
                    for w in SKY_WEATHERS.values()
                ]
            )
            for t in TIMES_OF_DAY
        ]
    )
    return out, grid.ys


def _scale_step(ppm: float) -> float:
    """The clip's pixels per metre, clamped to 8..64 and rounded to half-octave steps, so
    that few reference grounds are ever painted (and none huge for a wild zoom)."""
    k = round(2 * np.log2(np.clip(ppm, 8.0, 64.0)))
    return float(2.0 ** (k / 2))


def _row_heights(h: int, k: int, s_ref: np.ndarray, o_ref: np.ndarray) -> np.ndarray:
    """World height (metres) of each row of frame k, through the measured camera motion."""
    q = (np.arange(h) + 0.5 - h / 2) / h  # frame heights, y down
    q0 = (q - o_ref[k, 1]) / s_ref[k]
    return CAMERA_HEIGHT - q0 * VIEW_HEIGHT


def _row_error(
    refs: np.ndarray, ys: np.ndarray, heights: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    """Median over rows of the colour distance to each reference: (..., ) for refs (..., R, 3).
    Medians, since rows of hills, trees, clouds and lamps differ with the scene's seed."""
    ok = (heights <= ys[0]) & (heights >= ys[-1])
    if not ok.any():
        return np.zeros(refs.shape[:-2])
    idx = np.interp(heights[ok], ys[::-1], np.arange(len(ys))[::-1])  # ys descend
    lo = np.floor(idx).astype(int)
    hi = np.minimum(lo + 1, len(ys) - 1)
    wgt = (idx - lo)[:, None]
    ref_rows = refs[..., lo, :] * (1 - wgt) + refs[..., hi, :] * wgt  # (..., R, 3)
    return np.median(np.abs(ref_rows - rows[ok]).mean(axis=-1), axis=-1)


def _distances(frames: np.ndarray, cmap: np.ndarray, which: list[int], s_ref, o_ref) -> np.ndarray:
    """(times, weathers, grounds) colour distance of the given frames' rows: the sky's
    distance plus the ground's."""
    h = frames.shape[1]
    sky, sky_ys = sky_references()
    ground, ground_ys = ground_references(_scale_step(h / VIEW_HEIGHT * s_ref[which].mean()))
    total = np.zeros(ground.shape[:3])
    for k in which:
        f = frames[k].copy()
        f[cmap[k] >= 0] = np.nan
        seen = (cmap[k] < 0).sum(axis=1) >= 0.2 * f.shape[1]
        rows = np.full((h, 3), np.nan)
        rows[seen] = np.nanmedian(f[seen], axis=1)  # (H, 3)
        heights = _row_heights(h, k, s_ref, o_ref)
        ok = seen & (np.abs(heights) > HORIZON_BAND)
        up, down = ok & (heights > 0), ok & (heights < 0)
        if up.any():
            total += _row_error(sky, sky_ys, heights[up], rows[up])[:, :, None]
        if down.any():
            total += _row_error(ground, ground_ys, heights[down], rows[down])
    return total / max(len(which), 1)


# ---------------------------------------------------------------------------
# Particles
# ---------------------------------------------------------------------------

FLASH = 0.05  # luminance a mark must stand above its aligned neighbours
PARTICLE_FRAMES = 8
MAX_MARK = 0.07  # frame heights: larger flashes are things moving, not drops


def _aligned(lum: np.ndarray, k_from: int, k_to: int, s_ref, o_ref) -> np.ndarray:
    """Frame k_from's luminance resampled onto frame k_to's pixel grid (background-aligned)."""
    h, w = lum.shape[1:]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    q = np.stack([(xx + 0.5 - w / 2) / h, (yy + 0.5 - h / 2) / h], -1)  # frame k_to coords
    q0 = (q - o_ref[k_to]) / s_ref[k_to]
    p = q0 * s_ref[k_from] + o_ref[k_from]
    px, py = p[..., 0] * h + w / 2 - 0.5, p[..., 1] * h + h / 2 - 0.5
    return ndimage.map_coordinates(lum[k_from], [py, px], order=1, mode="nearest")


def particles(frames: np.ndarray, cmap: np.ndarray, s_ref, o_ref) -> tuple[float, float]:
    """(rain, snow): small upright flashes and small round flashes per frame, per frame
    height squared of picture."""
    t, h, w, _ = frames.shape
    if t < 3:
        return 0.0, 0.0
    lum = luminance(frames)
    ks = np.unique(np.linspace(1, t - 2, min(PARTICLE_FRAMES, t - 2)).astype(int))
    rain = snow = 0.0
    max_px = MAX_MARK * h
    for k in ks:
        nb = np.maximum(
            _aligned(lum, k - 1, k, s_ref, o_ref), _aligned(lum, k + 1, k, s_ref, o_ref)
        )
        flash = lum[k] - ndimage.grey_dilation(nb, size=(1, 3))  # drops fall: no vertical slack
        objects = ndimage.binary_dilation(cmap[k] >= 0, iterations=2)
        marks = (flash > FLASH) & ~objects
        labels, _n = ndimage.label(marks)
        for sl in ndimage.find_objects(labels):
            dy, dx = sl[0].stop - sl[0].start, sl[1].stop - sl[1].start
            if max(dy, dx) > max_px:
                continue
            if dy >= 2.5 * dx and dy >= 3:
                rain += 1
            elif dy <= 2 * dx:
                snow += 1
    area = (w / h) * len(ks)  # frame heights squared of picture looked at
    return rain / area, snow / area


# ---------------------------------------------------------------------------
# Findings and scores
# ---------------------------------------------------------------------------


@dataclass
class SceneFinding:
    time_start: dict[str, float]  # colour distance per time of day (lower is nearer)
    time_end: dict[str, float]
    sky_weather: dict[str, float]  # per sky weather class
    ground: dict[str, float]
    rain_marks: float
    snow_marks: float

    def to_dict(self) -> dict:
        d = asdict(self)
        for k, v in d.items():
            d[k] = {a: round(b, 4) for a, b in v.items()} if isinstance(v, dict) else round(v, 3)
        d["found"] = {
            "time_start": _best(self.time_start),
            "time_end": _best(self.time_end),
            "weather": weather_found(self),
            "ground": _best(self.ground),
        }
        return d


def measure(
    frames: np.ndarray,
    cmap: np.ndarray,
    s_ref: np.ndarray,
    o_ref: np.ndarray,
    gm: GlobalMotion,
    fps: float,
) -> SceneFinding:
    t = len(frames)
    first = list(range(min(EDGE_FRAMES, t)))
    last = list(range(max(t - EDGE_FRAMES, 0), t))
    d0 = _distances(frames, cmap, first, s_ref, o_ref)
    d1 = _distances(frames, cmap, last, s_ref, o_ref)
    d = 0.5 * (d0 + d1)
    rain, snow = particles(frames, cmap, s_ref, o_ref)
    return SceneFinding(
        time_start={x: float(d0[i].min()) for i, x in enumerate(TIMES_OF_DAY)},
        time_end={x: float(d1[i].min()) for i, x in enumerate(TIMES_OF_DAY)},
        sky_weather={x: float(d[:, j].min()) for j, x in enumerate(SKY_WEATHERS)},
        ground={x: float(d[:, :, k].min()) for k, x in enumerate(GROUNDS)},
        rain_marks=rain,
        snow_marks=snow,
    )


def _best(d: dict[str, float]) -> str:
    return min(d, key=d.get)


def _closeness(d: dict[str, float], wanted: str) -> float:
    """1 when `wanted` is the nearest, else the nearest's distance over wanted's."""
    return float(min(d.values()) / max(d[wanted], 1e-9))


RAIN_MARKS = (2.0, 3.5)  # upright marks per frame-height squared: none .. surely rain
SNOW_MARKS = (2.0, 3.0)  # round marks
OVERCAST = (0.55, 0.8)  # closeness of the overcast sky that falling weather needs


def weather_scores(f: SceneFinding) -> dict[str, float]:
    """A score per weather: particles say rain or snow when the sky is overcast too (a
    bright clear sky with a few stray marks is not weather); the sky says clear or fog."""
    sky = {k: _closeness(f.sky_weather, k) for k in SKY_WEATHERS}
    gate = ramp(sky["overcast"], *OVERCAST)
    rain = ramp(f.rain_marks, *RAIN_MARKS) * gate
    snow = ramp(f.snow_marks, *SNOW_MARKS) * (1.0 - ramp(f.rain_marks, 1.5, 3.0)) * gate
    falling = max(rain, snow)
    return {
        "none": sky["none"] * (1.0 - falling),
        "fog": sky["fog"] * (1.0 - falling),
        "rain": rain,
        "snow": snow,
    }


def weather_found(f: SceneFinding) -> str:
    s = weather_scores(f)
    return max(s, key=s.get)


def scores(f: SceneFinding, c: Constraints) -> dict[str, float | None]:
    out: dict[str, float | None] = {"time_of_day": None, "weather": None, "ground": None}
    parts = []
    if c.time_of_day is not None:
        parts.append(_closeness(f.time_start, c.time_of_day))
    if c.time_of_day_end is not None:
        parts.append(_closeness(f.time_end, c.time_of_day_end))
    if parts:
        out["time_of_day"] = float(np.mean(parts))
    if c.weather is not None:
        s = weather_scores(f)
        out["weather"] = float(s[c.weather] / max(max(s.values()), 1e-9))
    if c.ground is not None:
        out["ground"] = _closeness(f.ground, c.ground)
    return out
