"""What an object's path does, and how well that fits a wanted motion.

Paths are in the frame-0 background's coordinates (camera motion undone, see camera.py),
in frame heights with y pointing up, so 1.0 is the frame's height at the clip's start.
The world's camera frames 4 m, so 0.25 is a metre; the ground is GROUND_Y below centre.

Kinds, as seen: bounce = vertical oscillation with rebounds from a common low point;
roll = sideways along the ground, level; fall / rise = a vertical trend (a fall may end
in a small rebound, much lower than a bounce's); fly = sideways, level, in the air;
orbit = winding around a centre (counterclockwise = positive, y up); stay = no motion.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from reelforge.world.scene import CAMERA_HEIGHT, VIEW_HEIGHT

GROUND_Y = -CAMERA_HEIGHT / VIEW_HEIGHT  # the ground line, frame heights from centre
METRE = 1.0 / VIEW_HEIGHT


def ramp(x: float, lo: float, hi: float) -> float:
    """0 at or below lo, 1 at or above hi, linear between (lo > hi flips it)."""
    return float(np.clip((x - lo) / (hi - lo), 0.0, 1.0))


@dataclass
class PathSummary:
    """Measured numbers of one path (frame heights, seconds, revolutions)."""

    frames: int
    dx: float  # net sideways travel, + = right
    dx_early: float  # sideways travel over the first third (before any knock)
    dy: float  # net vertical travel, + = up
    x_range: float
    y_range: float
    jitter: float  # how far it strays from its median position at most
    elevation: float  # median height of its lowest point above the ground line
    rebounds: int  # descents that turn into climbs of BOUNCE_MIN or more
    rebound_ratio: float  # highest climb after the first low point / the first drop
    winding: float  # revolutions around its centre, + = counterclockwise
    roundness: float  # 1 - spread of its distance to the centre / mean distance

    def to_dict(self) -> dict:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


BOUNCE_MIN = 0.05  # frame heights a rebound must climb (20 cm)


def _lows(y: np.ndarray, climb: float = BOUNCE_MIN) -> list[int]:
    """Indices of low points: a descent followed by a climb of `climb` or more."""
    lows: list[int] = []
    i_min, peak_before = 0, y[0]
    falling = True
    for i in range(1, len(y)):
        if falling:
            if y[i] < y[i_min]:
                i_min = i
            elif y[i] - y[i_min] >= climb and peak_before - y[i_min] >= climb:
                lows.append(i_min)
                falling = False
                peak_before = y[i]
        else:
            if y[i] > peak_before:
                peak_before = y[i]
            elif peak_before - y[i] >= climb:
                falling = True
                i_min = i
    return lows


def _winding(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Revolutions around the best-fitting circle's centre, and how round the path is
    (1 - rms distance from that circle / its radius; 0 for paths not like a circle)."""
    if len(x) < 5:
        return 0.0, 0.0
    # algebraic circle fit: x^2 + y^2 = 2 a x + 2 b y + c
    a_mat = np.stack([2 * x, 2 * y, np.ones_like(x)], axis=1)
    (a, b, c), *_ = np.linalg.lstsq(a_mat, x * x + y * y, rcond=None)
    r = float(np.sqrt(max(c + a * a + b * b, 0.0)))
    extent = max(float(np.ptp(x)), float(np.ptp(y)), 1e-6)
    if r < 0.02 or r > extent:  # a dot or a line, not a circle
        return 0.0, 0.0
    ang = np.unwrap(np.arctan2(y - b, x - a))
    rms = float(np.sqrt(np.mean((np.hypot(x - a, y - b) - r) ** 2)))
    return float((ang[-1] - ang[0]) / (2 * np.pi)), max(0.0, 1.0 - rms / r)


def summarise(x: np.ndarray, y: np.ndarray, bottom: np.ndarray) -> PathSummary:
    """x, y: (N,) centre positions (y up); bottom: (N,) the object's lowest point."""
    lows = _lows(y)
    first_drop = y[0] - y[lows[0]] if lows else 0.0
    climb = max((y[lows[0] :].max() - y[lows[0]]) if lows else 0.0, 0.0)
    winding, roundness = _winding(x, y)
    mx, my = np.median(x), np.median(y)
    return PathSummary(
        frames=len(x),
        dx=float(x[-1] - x[0]),
        dy=float(y[-1] - y[0]),
        x_range=float(x.max() - x.min()),
        y_range=float(y.max() - y.min()),
        jitter=float(np.max(np.hypot(x - mx, y - my))),
        dx_early=float(x[min(len(x) - 1, max(2, len(x) // 3))] - x[0]),
        elevation=float(np.median(bottom) - GROUND_Y),
        rebounds=len(lows),
        rebound_ratio=float(climb / first_drop) if first_drop > BOUNCE_MIN else 0.0,
        winding=winding,
        roundness=roundness,
    )


# ---------------------------------------------------------------------------
# Scores
# ---------------------------------------------------------------------------

SIDEWAYS = 0.08  # frame heights of net travel that make a direction (32 cm)
IN_AIR = 0.12  # elevation above which an object is off the ground (48 cm)


def _direction_score(s: PathSummary, direction: str | None, kind: str | None) -> float:
    if direction in (None, "clockwise", "counterclockwise"):
        return 1.0
    if direction == "none":  # before any knock from another object, or overall
        return 1.0 - ramp(min(abs(s.dx), abs(s.dx_early)), SIDEWAYS, 2.0 * SIDEWAYS)
    sign = 1.0 if direction == "right" else -1.0
    net = ramp(sign * s.dx, 0.1 * SIDEWAYS, 0.5 * SIDEWAYS)
    # a knock from another object may turn it back later: its first heading counts too
    return max(net, ramp(sign * s.dx_early, 0.1 * SIDEWAYS, 0.4 * SIDEWAYS))


def _level(s: PathSummary) -> float:
    return 1.0 - ramp(s.y_range, 0.08, 0.14)


def kind_scores(s: PathSummary) -> dict[str, float]:
    """How well the path reads as each motion kind, in [0, 1]."""
    sideways = ramp(s.x_range, 0.5 * SIDEWAYS, SIDEWAYS)
    still = 1.0 - ramp(s.jitter, 0.025, 0.06)
    bounce = ramp(s.rebounds, 0, 1) * ramp(s.rebound_ratio, 0.06, 0.18)
    orbit = ramp(abs(s.winding), 0.25, 0.45) * ramp(s.roundness, 0.75, 0.9)
    return {
        "stay": still,
        "roll": sideways * _level(s) * (1.0 - ramp(s.elevation, 0.5 * IN_AIR, IN_AIR)),
        "fly": sideways * _level(s) * ramp(s.elevation, 0.5 * IN_AIR, IN_AIR),
        "bounce": bounce,
        "fall": ramp(-s.dy, 0.1, 0.2) * (1.0 - ramp(s.rebound_ratio, 0.22, 0.32)),
        "rise": ramp(s.dy, 0.05, 0.12) * (1.0 - ramp(s.rebounds, 0, 1)),
        "orbit": orbit,
    }


def motion_score(s: PathSummary, kind: str | None, direction: str | None) -> float:
    """How well the path shows `kind` going `direction` (either may be None)."""
    score = _direction_score(s, direction, kind)
    if kind is not None:
        score *= kind_scores(s)[kind]
    if kind == "orbit" and direction in ("clockwise", "counterclockwise"):
        sign = 1.0 if direction == "counterclockwise" else -1.0
        score *= ramp(sign * s.winding, 0.0, 0.2)
    return score


def best_kind(s: PathSummary) -> str:
    scores = kind_scores(s)
    return max(scores, key=scores.get)
