"""Finding the world's objects in frames: colour by hue, then blobs per frame.

Object colours are saturated and far apart in hue (palette.py) while the world's
backgrounds stay muted, so a pixel belongs to a colour when it is saturated enough and
its hue is nearest that colour's (within HUE_TOLERANCE); white and black are the bright
and the dark unsaturated pixels. Lights are near-neutral, so hue survives the time of
day; fog and shading lower saturation and value, hence the loose thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from reelforge.evaluate.pixels import hue_sat_val, luminance
from reelforge.evaluate.shape_features import classify, features
from reelforge.world.palette import COLOR_NAMES, PALETTE

HUE_TOLERANCE = 20.0  # degrees
MIN_SATURATION = 0.5
# no background has these hues (skies, grass, sand, water, wood are blue, green or warm):
# a fog-veiled pink, purple or red object keeps its hue at lower saturation
LOW_SAT_COLOURS, LOW_SATURATION = ("red", "purple", "pink"), 0.32
MIN_CHROMA = 0.14  # (max - min) / 255: dark pixels are not trusted for hue
WHITE_MAX_SAT, WHITE_MIN_VALUE = 0.16, 0.5
BLACK_MAX_VALUE, BLACK_MAX_CHROMA = 0.32, 0.08
STAND_OUT = 0.1  # white / black pixels must differ this much from their row's median
MIN_AREA = 0.0008  # of the frame height squared: smaller specks are noise

CHROMATIC = tuple(c for c in COLOR_NAMES if c not in ("white", "black"))


def _palette_hue(name: str) -> float:
    rgb = np.asarray(PALETTE[name], dtype=np.float32)[None] / 255.0
    return float(hue_sat_val(rgb)[0][0])


HUES = np.array([_palette_hue(c) for c in CHROMATIC], dtype=np.float32)


def _hue_table() -> np.ndarray:
    """Palette index of the nearest object hue per half degree, -1 beyond the tolerance."""
    h = (np.arange(720) + 0.5) / 2.0
    d = np.abs(h[:, None] - HUES) % 360.0
    d = np.minimum(d, 360.0 - d)
    index = np.array([COLOR_NAMES.index(c) for c in CHROMATIC], dtype=np.int8)
    return np.where(d.min(axis=1) <= HUE_TOLERANCE, index[d.argmin(axis=1)], -1).astype(np.int8)


_HUE_TABLE = _hue_table()
_LOW_SAT_INDEX = np.array([COLOR_NAMES.index(c) for c in LOW_SAT_COLOURS], dtype=np.int8)


def colour_map(frames: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """(T, H, W) int8: index into COLOR_NAMES of each pixel's object colour, -1 for none.
    rows: (T, H, 3) row medians (pixels.row_medians): white and black must stand out of
    their row, since sky, clouds, snow and night are unsaturated too."""
    hue, sat, val = hue_sat_val(frames)
    lum = luminance(frames)
    contrast = lum - luminance(rows)[:, :, None]  # (T, H, W)
    index = _HUE_TABLE[np.minimum(hue * 2, 719).astype(np.int16)]
    need = np.where(np.isin(index, _LOW_SAT_INDEX), LOW_SATURATION, MIN_SATURATION)
    chromatic = (sat >= need) & (sat * val >= MIN_CHROMA)
    out = np.where(chromatic, index, -1).astype(np.int8)
    grey = (sat <= WHITE_MAX_SAT) & (val >= WHITE_MIN_VALUE) & (np.abs(contrast) >= STAND_OUT)
    out[grey] = COLOR_NAMES.index("white")
    black = (val <= BLACK_MAX_VALUE) & (sat * val <= BLACK_MAX_CHROMA) & (contrast <= -STAND_OUT)
    out[black] = COLOR_NAMES.index("black")
    return out


@dataclass
class Blob:
    """One connected patch of one colour in one frame. Positions in frame heights from
    the frame's centre (x right, y down); bbox in pixels (x0, y0, x1, y1), exclusive."""

    frame: int
    color: str
    x: float
    y: float
    bottom: float
    half_height: float
    area: float  # frame heights squared
    bbox: tuple[int, int, int, int]
    at_edge: bool
    mask: np.ndarray | None = field(default=None, repr=False)  # the blob's own pixels (crop)
    _votes: dict[str, float] | None = field(default=None, repr=False)

    @property
    def votes(self) -> dict[str, float]:
        """Soft shape vote (shape_features.classify), computed on first use; {} for a blob
        cut by the frame's edge or too small to tell."""
        if self._votes is None:
            self._votes = {} if self.at_edge else classify(features(self.mask))[1]
        return self._votes


def find_blobs(
    cmap: np.ndarray, frame: int, color: str, cover: np.ndarray | None = None
) -> list[Blob]:
    """The blobs of `color` in one frame's colour map (H, W). cover: (H, W) bool, where
    something stands in front (the occluder): a blob touching it is cut like one at the
    frame's edge (its outline and centre are not the object's)."""
    h, w = cmap.shape
    mask = cmap == COLOR_NAMES.index(color)
    if not mask.any():
        return []
    # close 1-2 pixel gaps: a highlight or a shading stripe can split an object in two
    k = max(1, round(h / 144))
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    r0, r1 = max(rows[0] - 2 * k, 0), rows[-1] + 2 * k + 1
    c0, c1 = max(cols[0] - 2 * k, 0), cols[-1] + 2 * k + 1
    sub = mask[r0:r1, c0:c1]
    mask = mask.copy()
    mask[r0:r1, c0:c1] = ndimage.binary_closing(sub, iterations=k, border_value=0) | sub
    labels, _n = ndimage.label(mask)
    out = []
    min_px = max(5.0, MIN_AREA * h * h)
    for i, sl in enumerate(ndimage.find_objects(labels), start=1):
        crop = labels[sl] == i
        area = int(crop.sum())
        if area < min_px:
            continue
        ys, xs = np.nonzero(crop)
        y0, x0 = sl[0].start, sl[1].start
        y1, x1 = sl[0].stop, sl[1].stop
        edge = x0 <= 0 or y0 <= 0 or x1 >= w or y1 >= h
        if not edge and cover is not None:
            ring = cover[max(y0 - 2, 0) : y1 + 2, max(x0 - 2, 0) : x1 + 2]
            edge = bool(ring.any())
        out.append(
            Blob(
                frame=frame,
                color=color,
                x=(x0 + xs.mean() + 0.5 - w / 2) / h,
                y=(y0 + ys.mean() + 0.5 - h / 2) / h,
                bottom=(y1 - h / 2) / h,
                half_height=(y1 - y0) / (2 * h),
                area=area / (h * h),
                bbox=(x0, y0, x1, y1),
                at_edge=edge,
                mask=crop,
            )
        )
    return out
