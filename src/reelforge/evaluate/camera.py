"""Global (camera) motion from pixels: how the background moves between frames.

Between each pair of frames the background is fitted with a shift (tx, ty) plus a zoom
s about the frame's centre: a point p moves to p + t + s (p - c); a brightness gain and
offset are fitted with them so that changing light is not taken for motion. The fit is Lucas-Kanade
on blurred luminance, coarse to fine, with robust (Tukey) weights so that objects,
weather and a passing occluder do not pull it; object pixels found by colour are masked.
Units are frame heights (per frame), so clip size does not matter.

Camera moves, seen in the background: pan left = content moves right (tx > 0), tilt up =
content moves down (ty > 0, image y points down), push in = content expands (s > 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from reelforge.evaluate.pixels import blur, downsample2, luminance

LEVELS = 3
FIT_HEIGHT = 64
ITERATIONS = 3
TUKEY_C = 4.0  # residuals beyond this many robust sigmas get no weight
CAMERA_MOVES_JUDGED = (
    "static", "pan_left", "pan_right", "tilt_up", "tilt_down", "push_in", "pull_out", "tracking",
)  # fmt: skip


@dataclass
class GlobalMotion:
    """Per frame pair k (frame k -> k+1): shift (K, 2) in frame heights (x right, y down)
    and zoom (K,) as relative scale change; `cum` (T, 3) the running sums (tx, ty, log s)."""

    shift: np.ndarray
    zoom: np.ndarray
    height: int
    width: int

    @property
    def cum(self) -> np.ndarray:
        out = np.zeros((len(self.zoom) + 1, 3))
        out[1:, :2] = np.cumsum(self.shift, axis=0)
        out[1:, 2] = np.cumsum(np.log1p(self.zoom))
        return out

    def background_motion_at(self, k: int, p: np.ndarray) -> np.ndarray:
        """Where the background at point p (x, y in frame heights, centre origin) of frame k
        is in frame k+1, minus p: the displacement a still object would show."""
        return self.shift[k] + self.zoom[k] * p

    def to_reference(self, points: np.ndarray) -> np.ndarray:
        """(T, 2) positions (frame heights, centre origin) -> positions in the frame-0
        background's coordinates: undoing the camera's cumulative shift and zoom."""
        out = np.array(points, dtype=np.float64)
        # frame k+1 point q came from p with q = p + t + s p  ->  p = (q - t) / (1 + s)
        for k in range(len(self.zoom)):
            out[k + 1 :] = (out[k + 1 :] - self.shift[k]) / (1.0 + self.zoom[k])
        return out


def _gradients(img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    gy, gx = np.gradient(img)
    return gx, gy


def _warp(img: np.ndarray, params: np.ndarray, centre: tuple[float, float]) -> np.ndarray:
    """Sample img at p + t + s (p - c): frame k+1 pulled back onto frame k's grid."""
    h, w = img.shape
    tx, ty, s = params
    cy, cx = centre
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    sx = xx + tx + s * (xx - cx)
    sy = yy + ty + s * (yy - cy)
    return ndimage.map_coordinates(img, [sy, sx], order=1, mode="nearest")


def _solve(a: np.ndarray, b: np.ndarray, mask: np.ndarray, robust_first: bool) -> np.ndarray:
    """Weighted least squares for the motion (and brightness) parameters with Tukey
    weights. robust_first: the first weights already come from the residual of no further
    motion, so that what moves against the current estimate (an object, a shadow, an
    occluder) is down-weighted before it can pull the fit; otherwise the first solve is
    plain least squares (better when only a few textured pixels say how the view moves)."""
    params = np.zeros(a.shape[1])
    if not (mask > 0).any():  # no background pixel to measure (all objects): no motion
        return params
    r = b
    for i in range(3):
        if i == 0 and not robust_first:
            sw = mask
        else:
            sigma = 1.4826 * np.median(np.abs(r[mask > 0])) + 1e-4
            u = r / (TUKEY_C * sigma)
            sw = mask * np.clip(1 - u * u, 0, None) ** 2
        ata = (a * sw[:, None]).T @ a + np.eye(a.shape[1]) * 1e-6
        params = np.linalg.solve(ata, (a * sw[:, None]).T @ b)
        r = b - a @ params
    return params


def _pyramid(f0, f1, mask):
    pyr = [(f0, f1, np.ones_like(f0) if mask is None else mask.astype(np.float32))]
    for _ in range(LEVELS - 1):
        if min(pyr[-1][0].shape) < 24:
            break
        pyr.append(tuple(downsample2(x) for x in pyr[-1]))
    return pyr


def _refine(pyr, init: np.ndarray, robust_first: bool, top: int, bottom: int = 0) -> np.ndarray:
    """Coarse-to-fine Lucas-Kanade over pyramid levels top..bottom from `init`; params in
    level-0 pixels in and out."""
    params = np.array(init, dtype=np.float64)
    params[:2] /= 2.0 ** (top + 1)
    for level in range(top, bottom - 1, -1):
        a0, a1, m = pyr[level]
        m = (m > 0.99).astype(np.float32)
        params[:2] *= 2.0
        h, w = a0.shape
        centre = ((h - 1) / 2.0, (w - 1) / 2.0)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        gx, gy = _gradients(a0)
        zoom = gx * (xx - centre[1]) + gy * (yy - centre[0])
        # two more unknowns, a gain and an offset of brightness: light that changes over the
        # clip (night falling, lamps) must not read as motion
        a = np.stack([gx, gy, zoom, -a0, -np.ones_like(a0)], -1).reshape(-1, 5)
        edge = np.zeros_like(m)
        edge[2:-2, 2:-2] = 1.0
        for _ in range(ITERATIONS):
            warped = _warp(a1, params, centre)
            b = (a0 - warped).reshape(-1)
            # frame k+1 sampled at p + d: f1(p + d) ~ f0(p)  =>  grad . dd = f0 - f1(p + d)
            dd = _solve(a, b, (m * edge).reshape(-1), robust_first)[:3]
            params = params + dd
            if np.abs(dd[:2]).max() < 0.01 and abs(dd[2]) < 1e-4:
                break
    params[:2] *= 2.0**bottom
    return params


INLIER = 0.012  # luminance residual of a well-aligned textured pixel
GOOD_AGREEMENT = 0.9  # a fit aligning this share of textured pixels needs no rival


def _agreement(pyr, params: np.ndarray, level: int) -> float:
    """Share of textured background pixels that the motion aligns (after a global offset)."""
    a0, a1, m = pyr[level]
    h, w = a0.shape
    p = np.array([params[0] / 2**level, params[1] / 2**level, params[2]])
    r = a0 - _warp(a1, p, ((h - 1) / 2.0, (w - 1) / 2.0))
    gx, gy = _gradients(a0)
    textured = (np.hypot(gx, gy) > 0.004) & (m > 0.99)
    textured[:2], textured[-2:], textured[:, :2], textured[:, -2:] = False, False, False, False
    if not textured.any():
        return 0.0
    r = r[textured]
    return float((np.abs(r - np.median(r)) < INLIER).mean())


def pair_motion(
    f0: np.ndarray, f1: np.ndarray, mask: np.ndarray | None = None, guess: np.ndarray | None = None
) -> np.ndarray:
    """(tx, ty, s) in pixels of f0's grid: f1(p + t + s(p - c)) ~ f0(p). f0, f1: (H, W).

    Several fits compete (from no motion, robust or plain, and from `guess`, the previous
    pair's motion); the one that aligns most textured background pixels wins."""
    pyr = _pyramid(f0, f1, mask)
    top = len(pyr) - 1
    choose = min(1, top)  # the rivals race down to this level; the winner goes on alone
    starts = [(np.zeros(3), True), (np.zeros(3), False)]
    if guess is not None and np.any(guess != 0):
        starts.insert(0, (guess, True))
    best, best_score, best_robust = np.zeros(3), -1.0, True
    for init, robust in starts:
        p = _refine(pyr, init, robust, top, choose)
        score = _agreement(pyr, p, choose)
        if score > best_score:
            best, best_score, best_robust = p, score, robust
        if best_score >= GOOD_AGREEMENT:
            break
    if choose == 0:
        return best
    return _refine(pyr, best, best_robust, choose - 1, 0)


def global_motion(frames: np.ndarray, object_mask: np.ndarray | None = None) -> GlobalMotion:
    """Background motion of each frame pair. frames: float (T, H, W, 3) in [0, 1];
    object_mask: bool (T, H, W), True where an object (not background) was found."""
    t, h, _w, _ = frames.shape
    lum = luminance(frames)  # (T, H, W)
    flat = np.zeros((3, 3, 3), bool)
    flat[1] = ndimage.generate_binary_structure(2, 1)  # grow within each frame, not in time
    keep = None
    if object_mask is not None:
        keep = ~ndimage.binary_dilation(object_mask, structure=flat, iterations=2)
    while lum.shape[1] >= 1.4 * FIT_HEIGHT:  # fit at about FIT_HEIGHT rows: fast, and enough
        lum = downsample2(lum)
        keep = None if keep is None else downsample2(keep.astype(np.float32)) > 0.99
    lum = blur(lum, 0.7)
    h = lum.shape[1]
    shift = np.zeros((max(t - 1, 0), 2))
    zoom = np.zeros(max(t - 1, 0))
    guess = None
    for k in range(t - 1):
        m = None if keep is None else keep[k] & keep[k + 1]
        tx, ty, s = guess = pair_motion(lum[k], lum[k + 1], m, guess)
        # the fit says f1 at p + d matches f0 at p: content moved by +d
        shift[k] = (tx / h, ty / h)
        zoom[k] = s
    return GlobalMotion(shift=shift, zoom=zoom, height=frames.shape[1], width=frames.shape[2])


# ---------------------------------------------------------------------------
# Camera move: classification and score
# ---------------------------------------------------------------------------


@dataclass
class CameraFinding:
    """Mean background motion per second (frame heights for shifts, relative for zoom)
    and the move it reads as."""

    pan: float  # content moving right per second (> 0: the camera pans left)
    tilt: float  # content moving down per second (> 0: the camera tilts up)
    zoom: float  # content expanding per second (> 0: pushing in)
    move: str


PAN_MIN = 0.025  # frame heights per second of background motion that count as a move
ZOOM_MIN = 0.04  # relative scale change per second


def camera_finding(gm: GlobalMotion, fps: float) -> CameraFinding:
    if len(gm.zoom) == 0:
        return CameraFinding(0.0, 0.0, 0.0, "static")
    pan = float(np.median(gm.shift[:, 0]) * fps)
    tilt = float(np.median(gm.shift[:, 1]) * fps)
    zoom = float(np.median(gm.zoom) * fps)
    rel = {
        "pan": abs(pan) / PAN_MIN,
        "tilt": abs(tilt) / PAN_MIN,
        "zoom": abs(zoom) / ZOOM_MIN,
    }
    kind = max(rel, key=rel.get)
    if rel[kind] < 1.0:
        move = "static"
    elif kind == "pan":
        move = "pan_left" if pan > 0 else "pan_right"
    elif kind == "tilt":
        move = "tilt_up" if tilt > 0 else "tilt_down"
    else:
        move = "push_in" if zoom > 0 else "pull_out"
    return CameraFinding(pan, tilt, zoom, move)


def _ramp(x: float, lo: float, hi: float) -> float:
    return float(np.clip((x - lo) / (hi - lo), 0.0, 1.0))


def camera_score(found: CameraFinding, wanted: str, subject_still_in_frame: float) -> float:
    """How well the measured background motion matches the wanted camera move, in [0, 1].

    subject_still_in_frame: in [0, 1], how well the best-held object stays put in frame
    while it moves against the background (used for tracking)."""
    p, t, z = found.pan / PAN_MIN, found.tilt / PAN_MIN, found.zoom / ZOOM_MIN
    # how much motion there is on the other axes, as a penalty
    if wanted == "static":
        return 1.0 - _ramp(max(abs(p), abs(t), abs(z)), 0.6, 1.6)
    signed = {
        "pan_left": (p, (t, z)),
        "pan_right": (-p, (t, z)),
        "tilt_up": (t, (p, z)),
        "tilt_down": (-t, (p, z)),
        "push_in": (z, (p, t)),
        "pull_out": (-z, (p, t)),
    }
    if wanted == "tracking":
        return _ramp(abs(p), 0.5, 1.2) * subject_still_in_frame
    if wanted not in signed:
        return 0.0
    main, others = signed[wanted]
    off = max(abs(o) for o in others)
    return _ramp(main, 0.4, 1.0) * (1.0 - 0.5 * _ramp(off - abs(main), 0.0, 1.0))
