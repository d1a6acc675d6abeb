"""What `reelforge bench editing` measures on an edited clip: continuity at its joins,
how closely its objects follow a source's paths, the judge on a span, PSNR.

    seam_figures(clip, joins)   one row per join: frames, across, within, ratio
                                (edit.seams; issue 6 aims for ratio <= AIM)
    ratio_summary(ratios)       count, median, max and how many meet the aim
    object_tracks(clip, colours)  the longest track of each colour (the judge's tracker)
    path_agreement(a, b)        correlation and mean gap of two tracks over shared frames
    judged(clip, prompt)        the judge's overall and metrics, JSON-ready
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from reelforge.edit.seams import FLOOR, frame_changes, measure_seams
from reelforge.evaluate import judge, parse_prompt
from reelforge.evaluate.detect import colour_map, find_blobs
from reelforge.evaluate.occluder import occluder_mask
from reelforge.evaluate.pixels import row_medians, working_frames
from reelforge.evaluate.tracks import Track, link
from reelforge.types import Clip

AIM = 1.5  # issue 6: the change across a join is at most 1.5x the clip's own
MIN_SHARED = 0.5  # share of the clip's frames two tracks must share to be compared
MIN_TRAVEL = 0.03  # frame heights (RMS about its mean) a path must move to correlate


# ---------------------------------------------------------------------------
# Continuity at joins
# ---------------------------------------------------------------------------


def seam_figures(clip: Clip, joins: Sequence[Sequence[int]]) -> list[dict[str, Any]]:
    """One row per join (edit.seams.measure_seams), rounded for the report."""
    return [
        {
            "frames": [s.start, s.end],
            "across": round(s.across, 3),
            "within": round(s.within, 3),
            "ratio": round(s.ratio, 3),
        }
        for s in measure_seams(clip, joins)
    ]


def ratio_summary(ratios: Iterable[float]) -> dict[str, Any]:
    """How many joins, their median and largest ratio, and how many are within AIM."""
    values = [float(r) for r in ratios]
    if not values:
        return {"joins": 0, "median": None, "max": None, "within_aim": 0}
    return {
        "joins": len(values),
        "median": round(float(np.median(values)), 3),
        "max": round(max(values), 3),
        "within_aim": sum(v <= AIM for v in values),
    }


def step_ratio(clip: Clip) -> float:
    """The clip's largest frame-to-frame change over its median one (1: an even clip;
    a hard jump anywhere reads many times that): continuity where no join is recorded."""
    changes = frame_changes(clip.frames)
    return round(float(changes.max() / max(np.median(changes), FLOOR)), 3)


# ---------------------------------------------------------------------------
# Object paths: does an edit keep where things go?
# ---------------------------------------------------------------------------


def object_tracks(clip: Clip, colours: Iterable[str]) -> dict[str, Track]:
    """Per colour, the longest track the judge's tracker finds (colours not seen are
    left out). Positions are in frame heights from the frame's centre."""
    frames = working_frames(clip.frames)  # (T, H, W, 3) float32
    rows = row_medians(frames)
    cmap, cover = colour_map(frames, rows), occluder_mask(frames, rows)
    found = {}
    for colour in sorted(set(colours)):
        blobs = [find_blobs(cmap[t], t, colour, cover[t]) for t in range(len(frames))]
        tracks = link(blobs, float(clip.fps))
        if tracks:
            found[colour] = max(tracks, key=lambda track: len(track.blobs))
    return found


def path_agreement(a: Track, b: Track, frames: int) -> dict[str, Any] | None:
    """Two tracks over the frames both were seen in: `r`, the correlation of their
    positions about their means (x and y together, so the axis an object moves along
    weighs most; None when `a` barely moves, where a correlation is noise), and `gap`,
    their mean distance in frame heights. None when they share under MIN_SHARED of the
    clip's `frames`."""
    shared, ia, ib = np.intersect1d(a.frames, b.frames, return_indices=True)
    if len(shared) < max(3, MIN_SHARED * frames):
        return None
    pa, pb = a.xy[ia], b.xy[ib]  # (N, 2) each
    da, db = pa - pa.mean(axis=0), pb - pb.mean(axis=0)
    spread_a, spread_b = np.sqrt((da**2).sum(axis=1).mean()), np.sqrt((db**2).sum(axis=1).mean())
    r = None
    if spread_a >= MIN_TRAVEL and spread_b > 0:
        r = round(float((da * db).sum() / np.sqrt((da**2).sum() * (db**2).sum())), 4)
    gap = float(np.linalg.norm(pa - pb, axis=1).mean())
    return {"r": r, "gap": round(gap, 4), "shared_frames": len(shared)}


def motion_kept(reference: dict[str, Track], edited: Clip, frames: int) -> dict[str, Any]:
    """Per colour of `reference` (object_tracks of the source, `frames` long), how the
    edited clip's track of that colour follows it; the mean r over the objects that
    moved, the mean gap over those found in both."""
    theirs = object_tracks(edited, reference)
    objects = {
        colour: path_agreement(track, theirs[colour], frames) if colour in theirs else None
        for colour, track in reference.items()
    }
    rs = [o["r"] for o in objects.values() if o and o["r"] is not None]
    gaps = [o["gap"] for o in objects.values() if o]
    return {
        "objects": objects,
        "r": round(float(np.mean(rs)), 4) if rs else None,
        "gap": round(float(np.mean(gaps)), 4) if gaps else None,
        "compared": len(gaps),
        "correlated": len(rs),
    }


# ---------------------------------------------------------------------------
# The judge and pixels
# ---------------------------------------------------------------------------


def judged(clip: Clip, prompt: str) -> dict[str, Any]:
    """The judge's overall and metrics of `clip` (silent) against `prompt`."""
    report = judge(clip.with_(audio=None), parse_prompt(prompt))
    return {"overall": report.overall, "metrics": dict(report.metrics)}


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """dB between two uint8 arrays of one shape (99 for identical ones)."""
    mse = float(np.mean((a.astype(np.float64) - b) ** 2))
    return round(10 * np.log10(255.0**2 / mse), 2) if mse else 99.0
