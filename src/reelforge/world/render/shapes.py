"""The seven shapes as signed distance functions, with their surface normals and marks.

Coordinates are local to the object, in units of its bounding radius R: x right, y up,
rotated with the object. Distances are negative inside. A shape rests on its lowest
point: `lowest(shape, angle)` says how far below its centre that point lies, so the
renderer can put it on the ground exactly where the physics' bounding circle touches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# -- outlines ------------------------------------------------------------------

CUBE_HALF, CUBE_ROUND = 0.8, 0.1
CONE_APEX, CONE_BASE, CONE_HALF, CONE_FOOT = 1.0, -0.7, 0.62, 0.15
STAR_INNER = 0.45
RING_MID, RING_TUBE = 0.78, 0.22
CYL_HALF, CYL_TOP, CYL_CAP = 0.6, 0.68, 0.17
PYR_APEX, PYR_BASE, PYR_HALF = 0.7, -0.72, 1.0


def _star_tips() -> tuple[tuple[float, float], ...]:
    a = [math.pi / 2 + 2 * math.pi * k / 5 for k in range(5)]
    return tuple((math.cos(t), math.sin(t)) for t in a)


_c = CUBE_HALF - CUBE_ROUND
# Each shape lies within discs of radius `pad` around its points and within its ellipses
# (cx, cy, rx, ry), touching their outer edges: (points, pad, ellipses).
HULLS: dict[str, tuple[tuple, float, tuple]] = {
    "ball": ((), 0.0, ((0.0, 0.0, 1.0, 1.0),)),
    "cube": (((-_c, -_c), (_c, -_c), (_c, _c), (-_c, _c)), CUBE_ROUND, ()),
    "cone": (((0.0, CONE_APEX),), 0.0, ((0.0, CONE_BASE, CONE_HALF, CONE_FOOT),)),
    "star": (_star_tips(), 0.0, ()),
    "ring": ((), 0.0, ((0.0, 0.0, 1.0, 1.0),)),
    "cylinder": ((), 0.0, ((0.0, CYL_TOP, CYL_HALF, CYL_CAP), (0.0, -CYL_TOP, CYL_HALF, CYL_CAP))),
    "pyramid": (((0.0, PYR_APEX), (-PYR_HALF, PYR_BASE), (PYR_HALF, PYR_BASE)), 0.0, ()),
}


def lowest(shape: str, angle: float) -> float:
    """Depth of the shape's lowest point below its centre at this rotation (units of R)."""
    s, c = math.sin(angle), math.cos(angle)
    points, pad, ellipses = HULLS[shape]
    low = -math.inf
    for x, y in points:  # a point's height after rotating by angle: s * x + c * y
        low = max(low, -(s * x + c * y) + pad)
    for cx, cy, rx, ry in ellipses:
        low = max(low, -(s * cx + c * cy) + math.hypot(s * rx, c * ry))
    return low


def reach(shape: str) -> float:
    """The farthest any point of the shape lies from its centre (units of R)."""
    points, pad, ellipses = HULLS[shape]
    far = [math.hypot(x, y) + pad for x, y in points]
    for cx, cy, rx, ry in ellipses:
        t = [2 * math.pi * k / 256 for k in range(256)]
        far += [math.hypot(cx + rx * math.cos(a), cy + ry * math.sin(a)) + 0.005 for a in t]
    return max(far)


# -- distance helpers ----------------------------------------------------------


def _ellipse(x, y, cx: float, cy: float, rx: float, ry: float) -> np.ndarray:
    """Approximate signed distance to an ellipse (exact on the axes, good near the edge)."""
    px, py = (x - cx) / rx, (y - cy) / ry
    k0 = np.sqrt(px * px + py * py)
    k1 = np.sqrt(px * px / (rx * rx) + py * py / (ry * ry))
    return k0 * (k0 - 1.0) / np.maximum(k1, 1e-6)


def _box(x, y, hx: float, hy: float, cy: float = 0.0, rr: float = 0.0) -> np.ndarray:
    qx = np.abs(x) - (hx - rr)
    qy = np.abs(y - cy) - (hy - rr)
    outside = np.hypot(np.maximum(qx, 0.0), np.maximum(qy, 0.0))
    return outside + np.minimum(np.maximum(qx, qy), 0.0) - rr


def _triangle(x, y, apex: float, base: float, half: float) -> np.ndarray:
    """Isosceles triangle, apex up: the largest of its three edge distances."""
    h = apex - base
    n = np.hypot(h, half)
    side = (h * np.abs(x) + half * (y - apex)) / n
    return np.maximum(side, base - y)


def _star(x, y, inner: float) -> np.ndarray:
    """Five-pointed star of outer radius 1, a tip straight up (after Inigo Quilez)."""
    k1x, k1y = 0.809016994375, -0.587785252292
    k2x = -k1x
    px = np.abs(x)
    py = y
    d = np.maximum(k1x * px + k1y * py, 0.0) * 2.0
    px, py = px - d * k1x, py - d * k1y
    d = np.maximum(k2x * px + k1y * py, 0.0) * 2.0
    px, py = np.abs(px - d * k2x), py - d * k1y - 1.0
    bax, bay = -inner * k1y, inner * k1x - 1.0
    h = clamp((px * bax + py * bay) * (1.0 / (bax * bax + bay * bay)))
    dist = np.hypot(px - bax * h, py - bay * h)
    return dist * np.sign(py * bax - px * bay)


# -- surfaces ------------------------------------------------------------------


def distance(shape: str, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Signed distance (units of R, negative inside) from local points to the outline."""
    return _DISTANCES[shape](x, y)


def clamp(a: np.ndarray, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    """a clipped to [lo, hi] in place (several times cheaper than np.clip on the small
    arrays the renderer works on)."""
    np.maximum(a, lo, out=a)
    return np.minimum(a, hi, out=a)


def _band(d: np.ndarray, half: float, px: float) -> np.ndarray:
    """1 inside |d| < half, anti-aliased over one pixel (px = pixels per unit)."""
    return clamp((half - np.abs(d)) * px + 0.5)


_DISTANCES = {
    "ball": lambda x, y: np.sqrt(x * x + y * y) - 1.0,
    "cube": lambda x, y: _box(x, y, CUBE_HALF, CUBE_HALF, rr=CUBE_ROUND),
    "cone": lambda x, y: np.minimum(
        _triangle(x, y, CONE_APEX, CONE_BASE, CONE_HALF),
        _ellipse(x, y, 0.0, CONE_BASE, CONE_HALF, CONE_FOOT),
    ),
    "star": lambda x, y: _star(x, y, STAR_INNER),
    "ring": lambda x, y: np.abs(np.sqrt(x * x + y * y) - RING_MID) - RING_TUBE,
    "cylinder": lambda x, y: np.minimum(
        _box(x, y, CYL_HALF, CYL_TOP),
        np.minimum(
            _ellipse(x, y, 0.0, CYL_TOP, CYL_HALF, CYL_CAP),
            _ellipse(x, y, 0.0, -CYL_TOP, CYL_HALF, CYL_CAP),
        ),
    ),
    "pyramid": lambda x, y: _triangle(x, y, PYR_APEX, PYR_BASE, PYR_HALF),
}


# -- surfaces ------------------------------------------------------------------


@dataclass
class Surface:
    """How a shape's surface faces and what marks it carries at local points: the local
    normal (not necessarily unit), a brightness mark, and the width of the bevel the
    renderer adds along the outline (units of R; 0 for none)."""

    normal: tuple[np.ndarray, np.ndarray, np.ndarray]
    mark: np.ndarray | float = 1.0
    bevel: float = 0.0
    unit: bool = False  # the normal is already of unit length


def surface(shape: str, x: np.ndarray, y: np.ndarray, px: float) -> Surface:
    """The surface of `shape` at local points (x, y) inside it; px = pixels per unit R."""
    return _SURFACES[shape](x, y, px)


def _ball(x, y, px):
    nz = np.sqrt(np.maximum(1.0 - (x * x + y * y), 0.0))
    band = _band(y, 0.2, px)
    dot = clamp((0.17 - np.sqrt(x * x + (y - 0.58) ** 2)) * px + 0.5)
    return Surface((x, y, nz), 1.0 - 0.38 * np.maximum(band, dot), unit=True)


def _cube(x, y, px):
    top = clamp((y - (CUBE_HALF - 0.3)) * px + 0.5)
    return Surface((np.zeros_like(x), 0.7 * top, 1.0 - 0.3 * top), 1.0 + 0.12 * top, bevel=0.16)


def _cone(x, y, px):
    half = CONE_HALF * clamp((CONE_APEX - y) * (1.0 / (CONE_APEX - CONE_BASE)), 0.05, 1.0)
    a = clamp(x / half, -1.0, 1.0)
    normal = (0.85 * a, np.full_like(x, 0.35), np.sqrt(np.maximum(1.0 - 0.72 * a * a, 0.05)))
    return Surface(normal, bevel=0.06)


def _star_surface(x, y, px):
    phi = np.arctan2(y, x)
    step = 2 * np.pi / 5
    tip = np.round((phi - np.pi / 2) / step) * step + np.pi / 2
    side = clamp((phi - tip) * np.sqrt(x * x + y * y) * px, -1.0, 1.0)
    # each arm is a ridge: the facet on one side faces one way, the other the other way
    st, ct = np.sin(tip), np.cos(tip)
    nx = -0.55 * side * st + 0.2 * ct
    ny = 0.55 * side * ct + 0.2 * st
    return Surface((nx, ny, np.full_like(x, 0.8)), bevel=0.08)


def _ring(x, y, px):
    rho = np.sqrt(x * x + y * y)
    d = clamp((rho - RING_MID) * (1.0 / RING_TUBE), -1.0, 1.0)
    inv = d / np.maximum(rho, 1e-6)
    notch = _band(x, 0.1, px) * (y > 0)
    normal = (x * inv, y * inv, np.sqrt(np.maximum(1.0 - d * d, 0.0)))
    return Surface(normal, 1.0 - 0.38 * notch, unit=True)


def _cylinder(x, y, px):
    top = clamp(-_ellipse(x, y, 0.0, CYL_TOP, CYL_HALF, CYL_CAP) * px + 0.5)
    a = clamp(x * (1.0 / CYL_HALF), -1.0, 1.0)
    side_z = np.sqrt(np.maximum(1.0 - a * a, 0.0))
    normal = (a * (1 - top), 0.85 * top, side_z * (1 - top) + 0.5 * top)
    return Surface(normal, 1.0 + 0.1 * top, bevel=0.05)


def _pyramid(x, y, px):
    split = 0.22 * (PYR_APEX - y) / (PYR_APEX - PYR_BASE)  # the front edge, seen off-centre
    right = clamp((x - split) * px + 0.5)
    normal = (-0.55 + 1.15 * right, np.full_like(x, 0.32), np.full_like(x, 0.78))
    return Surface(normal, bevel=0.05)


_SURFACES = {
    "ball": _ball,
    "cube": _cube,
    "cone": _cone,
    "star": _star_surface,
    "ring": _ring,
    "cylinder": _cylinder,
    "pyramid": _pyramid,
}
