"""Physics seen in tracks: gravity, visible impacts and object permanence.

Gravity: a falling or bouncing object's path between ground contacts is fitted with a
parabola y = a t^2 + b t + c. An arc passes when a is downward and near the world's
-g/2 (in frame heights: the camera frames VIEW_HEIGHT metres) and the fit explains the
arc; the path passes the energy test when no arc climbs higher than the one before it
(bounces lose height; a reversed clip gains it).

Impacts: a low point where a descent turns into a climb is timed between frames where the
parabolas fitted on either side cross.

Permanence: an object's track may only start or end at a frame edge or where something
covers its place (the box there differs from the boxes beside it, as a pillar, tree or
wall in front does; an emptied place looks like its surroundings).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from reelforge.evaluate.motion import BOUNCE_MIN, _lows, ramp
from reelforge.evaluate.tracks import Path, Track
from reelforge.world.scene import GRAVITY, VIEW_HEIGHT

HALF_G = 0.5 * GRAVITY / VIEW_HEIGHT  # frame heights per s^2


# ---------------------------------------------------------------------------
# Arcs and gravity
# ---------------------------------------------------------------------------


def _runs(frames: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) index ranges of the path with no missing frame."""
    cuts = np.flatnonzero(np.diff(frames) > 1) + 1
    edges = [0, *cuts.tolist(), len(frames)]
    return [(a, b) for a, b in itertools.pairwise(edges) if b > a]


def arcs(path: Path) -> list[tuple[int, int]]:
    """[start, end) index ranges of flights: between low points, within gap-free runs,
    without the stretches where the object lies still (before or after it moves)."""
    out = []
    for a, b in _runs(path.frames):
        y = path.y[a:b]
        bounds = [-1, *(_lows(y, ARC_SPLIT) if b - a >= 3 else []), b - a]
        for k in range(len(bounds) - 1):
            lo, hi = bounds[k] + 1, bounds[k + 1]
            moving = np.flatnonzero(np.abs(np.diff(y[lo:hi])) > STILL)
            if len(moving) == 0:
                continue
            lo, hi = lo + moving[0], lo + moving[-1] + 2
            if hi - lo >= ARC_POINTS and _is_flight(y[lo:hi], lo <= 2, hi >= b - a - 2):
                out.append((a + lo, a + hi))
    return out


def _is_flight(y: np.ndarray, at_start: bool, at_end: bool) -> bool:
    """A flight climbs ARC_MIN to its top and drops as much after it, or is cut by the
    run's start or end (a fall seen from its top, a climb seen to the clip's end)."""
    top = int(np.argmax(y))
    rise, drop = y[top] - y[0], y[top] - y[-1]
    if min(rise, drop) >= ARC_MIN:
        return True
    return (at_start and top == 0 and drop >= ARC_MIN) or (
        at_end and top == len(y) - 1 and rise >= ARC_MIN
    )


STILL = 0.004  # frame heights per frame: slower is lying still
ARC_SPLIT = 0.012  # a climb this high after a descent starts a new arc
ARC_POINTS = 5  # frames an arc needs to be judged
ARC_MIN = 0.08  # frame heights an arc must span to be judged (32 cm: not a settling hop)


@dataclass
class ArcFit:
    curvature: float  # a, frame heights / s^2 (the world's gravity: -HALF_G)
    r2: float
    apex: float  # highest point of the arc above the path's lowest point
    score: float


def fit_arc(t: np.ndarray, y: np.ndarray, floor: float) -> ArcFit:
    coef = np.polyfit(t, y, 2)
    a = float(coef[0])
    pred = np.polyval(coef, t)
    ss = float(((y - y.mean()) ** 2).sum()) + 1e-9
    r2 = 1.0 - float(((y - pred) ** 2).sum()) / ss
    ratio = -a / HALF_G
    score = ramp(ratio, 0.35, 0.6) * (1.0 - ramp(ratio, 1.8, 2.6)) * ramp(r2, 0.8, 0.95)
    return ArcFit(round(a, 3), round(r2, 4), float(y.max() - floor), score)


@dataclass
class GravityFinding:
    arcs: list[ArcFit]
    energy_ok: float  # share of successive arcs not climbing higher than the one before
    score: float | None


def gravity(path: Path) -> GravityFinding:
    """Gravity check of one falling/bouncing object's path (score 0: no arc seen). The
    path of its lowest point is fitted, not its centre's: the world puts a shape's lowest
    point where its bounding circle's is, so a tumbling cone's bottom flies a clean
    parabola while its centre wobbles."""
    path = Path(path.t, path.x, path.bottom, path.bottom, path.half_height, path.frames, path.edge)
    found = arcs(path)
    if not found:
        return GravityFinding([], 0.0, 0.0)
    floor = float(path.y.min())
    fits = [fit_arc(path.t[a:b], path.y[a:b], floor) for a, b in found]
    pairs = [fits[k + 1].apex <= 1.1 * fits[k].apex + 0.02 for k in range(len(fits) - 1)]
    energy = float(np.mean(pairs)) if pairs else 1.0
    # a climb out of rest: the path's first arc starting from its lowest level and rising
    if len(fits) >= 1 and not pairs:
        a, b = found[0]
        if path.y[a] - floor < 0.3 * (fits[0].apex + 1e-9) and path.y[b - 1] > path.y[a]:
            energy = 0.0
    score = float(np.mean([f.score for f in fits])) * energy
    return GravityFinding(fits, energy, score)


# ---------------------------------------------------------------------------
# Impacts seen
# ---------------------------------------------------------------------------


def ground_impacts(path: Path) -> list[float]:
    """Times (s) of visible landings: a fall of BOUNCE_MIN or more over 3+ frames into a
    low point, timed between frames where the parabola through the object's lowest points
    before the landing reaches the floor (the lowest its bottom gets anywhere on the path:
    the ground). Its bottom, not its centre: a tumbling shape's centre is not where it
    touches."""
    times = []
    floor = float(path.bottom.min()) if len(path.bottom) else 0.0
    for a, b in _runs(path.frames):
        y, t, bottom = path.y[a:b], path.t[a:b], path.bottom[a:b]
        for i in sorted(set(_lows(y, ARC_SPLIT) + _landings(y))):
            j = i
            while j > 0 and y[j - 1] > y[j]:
                j -= 1
            if i - j < 2 or y[j] - y[i] < BOUNCE_MIN:
                continue
            if i < 3 or not _hits(y[i - 3], y[i - 2], y[i - 1]):
                continue
            before = slice(max(j, i - 5), i)
            dt = t[i] - t[i - 1]
            if i - before.start < 3:  # too few points for a parabola: mid-interval
                times.append(float(t[i] - 0.5 * dt))
                continue
            t0 = t[i]  # fit in time around the low: well conditioned
            p1 = np.polyfit(t[before] - t0, bottom[before], 2)
            roots = np.roots(p1 - np.array([0.0, 0.0, floor]))
            roots = roots[np.isreal(roots)].real + t0
            ok = roots[(roots >= t[i - 1] - 0.25 * dt) & (roots <= t[i] + 0.25 * dt)]
            times.append(float(ok.min()) if len(ok) else float(t[i] - 0.5 * dt))
    return sorted(times)


def _hits(a: float, b: float, c: float) -> bool:
    """Whether heights a, b, c (three frames before a low) come down fast and not slowing
    as a fall does into a hit; an orbit's smooth bottom slows down into its low."""
    v_far, v_near = a - b, b - c
    return v_near > 0.015 and v_near >= 0.7 * v_far


def _landings(y: np.ndarray) -> list[int]:
    """Indices where a descent stops dead (a fall that comes to rest without a rebound)."""
    out = []
    for i in range(2, len(y) - 2):
        falling = y[i - 2] - y[i - 1] > STILL and y[i - 1] - y[i] > STILL
        resting = abs(y[i + 1] - y[i]) <= 2 * STILL and abs(y[i + 2] - y[i]) <= 2 * STILL
        if falling and resting:
            out.append(i)
    return out


# ---------------------------------------------------------------------------
# Permanence
# ---------------------------------------------------------------------------

EDGE_MARGIN = 1.0  # object sizes from the frame edge that count as leaving the frame
COVER_DIFF = 0.06  # mean colour difference that counts as a different surface
COVER_RELATIVE = 0.25  # ... or this share of the brightness (at night)


def _box_mean(frame: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> np.ndarray | None:
    h, w, _ = frame.shape
    if x0 < 0 or y0 < 0 or x1 > w or y1 > h or x1 <= x0 or y1 <= y0:
        return None
    return frame[y0:y1, x0:x1].reshape(-1, 3).mean(axis=0)


def covered(frame: np.ndarray, occ: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """Whether something stands at `box` (pixels x0, y0, x1, y1): the occluder found there
    (occ: (H, W) bool), or a surface that differs from the same-sized boxes left and right
    of it, as one in front of the background does."""
    x0, y0, x1, y1 = box
    m = max(x1 - x0, y1 - y0)  # the occluder within an object's size: it went behind it
    if occ[max(y0 - m, 0) : y1 + m, max(x0 - m, 0) : x1 + m].mean() >= 0.05:
        return True
    w = x1 - x0
    here = _box_mean(frame, *box)
    if here is None:
        return True
    for shift in (-2 * w, 2 * w):
        side = _box_mean(frame, x0 + shift, y0, x1 + shift, y1)
        if side is None:
            continue
        level = max(float(side.mean()), float(here.mean()), 0.1)  # night: all is dark
        if np.abs(side - here).mean() < min(COVER_DIFF, COVER_RELATIVE * level):
            return False
    return True


def _near_edge(blob, h: int, w: int, velocity: np.ndarray) -> bool:
    x0, y0, x1, y1 = blob.bbox
    size = max(x1 - x0, y1 - y0)
    m = EDGE_MARGIN * size + 2
    vx, vy = velocity * h
    return bool(
        x0 + min(vx, 0) * 2 <= m
        or y0 + min(vy, 0) * 2 <= m
        or x1 + max(vx, 0) * 2 >= w - m
        or y1 + max(vy, 0) * 2 >= h - m
    )


@dataclass
class PermanenceFinding:
    events: int  # disappearances and appearances checked
    unexplained: list[str]  # "vanished at frame 20 (x, y)" ...


def permanence(track: Track, frames: np.ndarray, occ: np.ndarray) -> PermanenceFinding:
    """Checks each start, end and gap of a track (frames: float (T, H, W, 3); occ: the
    occluder mask (T, H, W))."""
    t_total, h, w, _ = frames.shape
    blobs = track.blobs
    events, bad = 0, []

    def check(blob, neighbour, at: int, what: str) -> None:
        nonlocal events
        events += 1
        v = np.array([blob.x - neighbour.x, blob.y - neighbour.y]) / max(
            abs(blob.frame - neighbour.frame), 1
        )
        if blob.at_edge or _near_edge(blob, h, w, v):
            return
        x0, y0, x1, y1 = blob.bbox
        # where it was, and where it would be a frame on (it may have just gone behind)
        dx, dy = (round(c * h) for c in v * (1 if what == "vanished" else -1))
        boxes = [(x0, y0, x1, y1), (x0 + dx, y0 + dy, x1 + dx, y1 + dy)]
        if not any(covered(frames[at], occ[at], b) for b in boxes):
            bad.append(f"{what} at frame {at}")

    if blobs[0].frame > 0:
        check(blobs[0], blobs[min(1, len(blobs) - 1)], blobs[0].frame - 1, "appeared")
    for a, b in itertools.pairwise(blobs):
        if b.frame - a.frame > 1:
            prev = blobs[max(blobs.index(a) - 1, 0)]
            check(a, prev, a.frame + 1, "vanished")
    if blobs[-1].frame < t_total - 1:
        check(blobs[-1], blobs[max(len(blobs) - 2, 0)], blobs[-1].frame + 1, "vanished")
    return PermanenceFinding(events, bad)
