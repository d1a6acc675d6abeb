"""Stray colour: object colours spread over the picture instead of gathered into objects.

The world paints its objects in saturated palette colours on muted backgrounds, so in a
render almost every object-coloured pixel belongs to an object, and the objects cover a
small part of the frame. A model that has learned the palette but not the arrangement
paints tiles or noise in the requested colours: presence and count can still find a
blob of the right colour and shape among them, and the colour metrics are satisfied.
This measure sees that: the share of the frame painted in a colour the prompt asked for
but belonging to none of the objects the judge matched to the prompt.

Only the asked colours count: a short prompt need not name every object in view, and the
world's unnamed objects covered up to 6.5 % of the frame against such prompts (in other
colours), while the renderer's own clips left at most 1 % of the frame in an asked colour
outside the matched objects (40 held-out scenes, 24 tuning ones). The shipped model's
clips on the 24 tuning prompts: median about 4 %, and 9-19 % where it paints tile mush
in the asked colours.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from reelforge.evaluate.detect import Blob
from reelforge.evaluate.motion import ramp

# stray share → score: 1 up to CLEAN (the renderer's clips: at most 1 %), 0 from MESSY
CLEAN, MESSY = 0.02, 0.15
# A matched blob larger than this share of the frame is no object of the world (the
# renderer's largest matched blob over 64 scenes: 8 %, a big object near the camera) but
# colour poured over the picture, which the tracker took for one object: its pixels stay
# stray. Without this, guidance 20's saturated green noise was one "star" and scored 1.
MAX_OBJECT_SHARE = 0.15


def stray_share(chromatic: np.ndarray, matched: Iterable[Blob]) -> float:
    """chromatic: (T, H, W) bool, pixels of an asked colour; matched: the blobs of the
    tracks matched to the prompt's objects → mean share of the frame, over frames, in an
    asked colour outside those blobs (blobs of object size: MAX_OBJECT_SHARE)."""
    stray = chromatic.copy()
    t, h, w = stray.shape
    for blob in matched:
        if blob.area * h * h > MAX_OBJECT_SHARE * h * w:  # area: in frame heights squared
            continue
        x0, y0, x1, y1 = blob.bbox
        stray[blob.frame, y0:y1, x0:x1] &= False if blob.mask is None else ~blob.mask
    return float(stray.reshape(t, h * w).mean(axis=1).mean()) if t else 0.0


def stray_colour_score(share: float) -> float:
    """1 for a picture whose asked colours are all in the asked objects, 0 for mush."""
    return 1.0 - ramp(share, CLEAN, MESSY)
