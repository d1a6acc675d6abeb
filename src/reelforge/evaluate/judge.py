"""`judge(clip, constraints) -> JudgeReport`: how well a clip shows what was asked.

Everything is measured from the frames and the audio; the clip's metadata is never read
(a generated clip has no scene). The steps, top to bottom: colour map -> camera motion
-> blobs and tracks per colour -> each requested object's best tracks (presence, count,
motion, gravity, permanence) -> whole-frame checks (flicker, tile grid, time of day,
weather, ground) -> sound sync against the bounces seen. See docs/WORLD.md for each metric.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from reelforge.evaluate import camera as cam
from reelforge.evaluate import flicker, motion, physics_checks, scene_checks, sound_sync
from reelforge.evaluate.constraints import Constraints, ObjectConstraint
from reelforge.evaluate.detect import CHROMATIC, colour_map, find_blobs
from reelforge.evaluate.occluder import occluder_mask
from reelforge.evaluate.pixels import luminance, row_medians, working_frames
from reelforge.evaluate.report import METRICS, JudgeReport, ObjectFinding, overall
from reelforge.evaluate.stray_colour import stray_colour_score, stray_share
from reelforge.evaluate.tile_grid import grid_ratio, tile_grid_score
from reelforge.evaluate.tracks import Track, link, reference_path, reference_transform
from reelforge.types import Clip
from reelforge.world.palette import COLOR_NAMES

MIN_TRACK_S = 0.5  # a track shorter than this (and under a quarter of the clip) is noise
SHAPE_MATCH = 0.35  # a track matches a shape when that shape gets this share of its votes


# ---------------------------------------------------------------------------
# Tracks per requested object
# ---------------------------------------------------------------------------


@dataclass
class _Candidate:
    track: Track
    shape_score: float
    length: int


def _long_enough(track: Track, fps: float, frames: int) -> bool:
    return len(track.blobs) >= max(3, min(MIN_TRACK_S * fps, 0.25 * frames))


def _shape_score(track: Track, shape: str | None) -> float:
    if shape is None:
        return 1.0
    votes = track.shape_votes()
    if not votes:
        return 0.5  # never seen whole (always at an edge): cannot tell
    best = max(votes.values())
    return float(np.clip(votes.get(shape, 0.0) / max(best, 1e-9), 0.0, 1.0))


def _assign(
    wanted: list[ObjectConstraint],
    tracks: dict[str, list[Track]],
    fps: float,
    frames: int,
    s_ref: np.ndarray,
    o_ref: np.ndarray,
) -> list[list[_Candidate]]:
    """For each requested object, its best distinct tracks (up to its count): one slot per
    requested instance, tracks matched to slots to maximise shape match, then motion
    match, then length (so two red balls that move differently each get their own)."""
    slots = [wi for wi, w in enumerate(wanted) for _ in range(w.count)]
    pool = [tr for c in sorted(tracks) for tr in tracks[c] if _long_enough(tr, fps, frames)]
    if not slots or not pool:
        return [[] for _ in wanted]
    gain = np.full((len(slots), len(pool)), -1e6)
    shape = np.zeros_like(gain)
    for j, tr in enumerate(pool):
        path = _whole(reference_path(tr, s_ref, o_ref, fps))
        summary = motion.summarise(path.x, path.y, path.bottom)
        for i, wi in enumerate(slots):
            w = wanted[wi]
            if w.color is not None and tr.color != w.color:
                continue
            shape[i, j] = _shape_score(tr, w.shape)
            fit = motion.motion_score(summary, w.motion, w.direction)
            gain[i, j] = 4.0 * (shape[i, j] >= SHAPE_MATCH) + shape[i, j] + fit
            gain[i, j] += len(tr.blobs) / frames
    rows, cols = linear_sum_assignment(-gain)
    picked: list[list[_Candidate]] = [[] for _ in wanted]
    chosen: list[Track] = []
    for i, j in sorted(zip(rows, cols, strict=True), key=lambda ij: -len(pool[ij[1]].blobs)):
        tr = pool[j]
        if gain[i, j] > -1e5 and not _fragment(tr, chosen, frames):
            picked[slots[i]].append(_Candidate(tr, shape[i, j], len(tr.blobs)))
            chosen.append(tr)
    # at-least requests also count every further matching track
    taken = {id(c.track) for cands in picked for c in cands}
    for wi, w in enumerate(wanted):
        if w.at_least:
            for tr in pool:
                if id(tr) not in taken and (w.color is None or tr.color == w.color):
                    s = _shape_score(tr, w.shape)
                    if s >= SHAPE_MATCH:
                        picked[wi].append(_Candidate(tr, s, len(tr.blobs)))
                        taken.add(id(tr))
    for cands in picked:
        cands.sort(key=lambda c: (c.shape_score >= SHAPE_MATCH, c.length), reverse=True)
    return picked


def _fragment(track: Track, chosen: list[Track], frames: int) -> bool:
    """A short track of a colour already chosen that never shows beside it: likely a
    piece of that same object's path (split off by a fast bounce), not another object."""
    if len(track.blobs) >= 0.5 * frames:
        return False
    mine = set(track.frames.tolist())
    return any(
        other.color == track.color and len(mine & set(other.frames.tolist())) < 3
        for other in chosen
    )


def _simultaneous(tracks: list[Track]) -> int:
    """Most of these tracks present in one frame."""
    if not tracks:
        return 0
    counts: dict[int, int] = {}
    for tr in tracks:
        for f in set(tr.frames.tolist()):
            counts[f] = counts.get(f, 0) + 1
    return max(counts.values())


# ---------------------------------------------------------------------------
# The judge
# ---------------------------------------------------------------------------


def judge(clip: Clip, constraints: Constraints) -> JudgeReport:
    """Score `clip` against `constraints` from its pixels and audio alone."""
    start = time.perf_counter()
    frames = working_frames(clip.frames)  # (T, H, W, 3) float32
    fps = float(clip.fps)
    t_count = len(frames)
    rows = row_medians(frames)  # (T, H, 3)
    cmap = colour_map(frames, rows)  # (T, H, W) int8
    occ = occluder_mask(frames, rows)  # (T, H, W) bool
    chromatic = np.isin(cmap, [COLOR_NAMES.index(c) for c in CHROMATIC])
    gm = cam.global_motion(frames, chromatic | occ)
    s_ref, o_ref = reference_transform(gm)

    wanted = list(constraints.objects)
    colours = {w.color for w in wanted if w.color} or set()
    if any(w.color is None for w in wanted):
        colours |= set(COLOR_NAMES)
    tracks = {
        c: link([find_blobs(cmap[t], t, c, occ[t]) for t in range(t_count)], fps)
        for c in sorted(colours)
    }
    picked = _assign(wanted, tracks, fps, t_count, s_ref, o_ref)

    findings, presence, counts, motions, gravities, perms = [], [], [], [], [], []
    impacts: list[float] = []
    for w, cands in zip(wanted, picked, strict=True):
        good = [c for c in cands if c.shape_score >= SHAPE_MATCH]
        n_found = min(len(good), max(_simultaneous([c.track for c in good]), 1 if good else 0))
        found = min(n_found, w.count)
        pres = (
            sum(
                0.5 + 0.5 * c.shape_score
                for c in sorted(cands, key=lambda c: -c.shape_score)[: w.count]
            )
            / w.count
            if cands
            else 0.0
        )
        presence.append(min(pres, 1.0))
        over = n_found > w.count and not w.at_least
        counts.append(found / w.count * (w.count / n_found if over else 1.0))
        finding = _object_finding(w, cands, frames, occ, s_ref, o_ref, fps, presence[-1], n_found)
        for c in cands[: w.count]:
            path = reference_path(c.track, s_ref, o_ref, fps).inside()
            impacts += physics_checks.ground_impacts(path)
        if w.motion is not None or w.direction is not None:
            motions.append(finding.motion_score or 0.0)
        if finding.gravity is not None:
            gravities.append(finding.gravity)
        if cands:
            perms.append(0.0 if finding.permanence else 1.0)
        findings.append(finding)

    asked = [COLOR_NAMES.index(c) for c in sorted(colours) if c in CHROMATIC]
    matched = [b for cands in picked for c in cands for b in c.track.blobs]
    stray = stray_share(np.isin(cmap, asked), matched) if asked else None
    found_cam = cam.camera_finding(gm, fps)
    metrics: dict[str, float | None] = dict.fromkeys(METRICS)
    if wanted:
        metrics["presence"] = _mean(presence)
        metrics["count"] = _mean(counts)
    metrics["motion"] = _mean(motions)
    metrics["gravity"] = _mean(gravities)
    metrics["permanence"] = _mean(perms)
    if constraints.camera is not None:
        held = _subject_held(picked, s_ref, o_ref, fps)
        metrics["camera"] = round(cam.camera_score(found_cam, constraints.camera, held), 4)
    ratio = flicker.flicker_ratio(frames)
    metrics["flicker"] = flicker.flicker_score(ratio)
    metrics["stray_colour"] = None if stray is None else stray_colour_score(stray)
    grid = grid_ratio(luminance(frames) * 255.0)
    metrics["tile_grid"] = None if grid is None else tile_grid_score(grid)
    scene = scene_checks.measure(frames, cmap, s_ref, o_ref, gm, fps)
    metrics.update(scene_checks.scores(scene, constraints))
    sync = None
    if clip.has_audio:
        onsets = sound_sync.audio_onsets(clip.audio, clip.sample_rate)
        sync = sound_sync.sync_finding(impacts, onsets)
        metrics["sound_sync"] = sync.score
    metrics = {k: (None if v is None else round(float(v), 4)) for k, v in metrics.items()}
    measured = {
        "camera": {
            "pan_per_s": round(found_cam.pan, 4),
            "tilt_per_s": round(found_cam.tilt, 4),
            "zoom_per_s": round(found_cam.zoom, 4),
            "move": found_cam.move,
        },
        "flicker_ratio": None if ratio is None else round(ratio, 4),
        "stray_colour": None if stray is None else round(stray, 4),
        "grid_ratio": None if grid is None else round(grid, 4),
        "scene": scene.to_dict(),
        "sound": None if sync is None else sync.__dict__,
    }
    return JudgeReport(
        overall=overall(metrics),
        metrics=metrics,
        objects=findings,
        measured=measured,
        seconds=round(time.perf_counter() - start, 3),
    )


def _mean(xs: list[float]) -> float | None:
    return float(np.mean(xs)) if xs else None


def _object_finding(
    w: ObjectConstraint,
    cands: list[_Candidate],
    frames: np.ndarray,
    occ: np.ndarray,
    s_ref: np.ndarray,
    o_ref: np.ndarray,
    fps: float,
    presence: float,
    n_found: int,
) -> ObjectFinding:
    request = w.model_dump(exclude_defaults=True)
    if not cands:
        return ObjectFinding(request=request, detected=0, presence=0.0)
    scores, kinds, gravs, perm, summary = [], [], [], [], None
    for c in cands[: w.count]:
        path = _whole(reference_path(c.track, s_ref, o_ref, fps))
        s = motion.summarise(path.x, path.y, path.bottom)
        summary = summary or s.to_dict()
        scores.append(motion.motion_score(s, w.motion, w.direction))
        kinds.append(motion.best_kind(s))
        if (w.motion in ("bounce", "fall")) or (
            w.motion is None and kinds[-1] in ("bounce", "fall")
        ):
            gravs.append(physics_checks.gravity(path.inside()).score or 0.0)
        perm += physics_checks.permanence(c.track, frames, occ).unexplained
    return ObjectFinding(
        request=request,
        detected=n_found,
        presence=round(presence, 4),
        shape_found=cands[0].track.shape(),
        motion_found=kinds[0],
        motion_score=round(float(np.mean(scores)), 4),
        track=summary,
        gravity=round(float(np.mean(gravs)), 4) if gravs else None,
        permanence=perm,
    )


def _whole(path):
    """The samples where the object was seen whole, when there are enough of them."""
    inside = path.inside()
    return inside if len(inside.t) >= max(3, 0.5 * len(path.t)) else path


def _subject_held(picked: list[list[_Candidate]], s_ref, o_ref, fps: float) -> float:
    """For tracking shots: how well some object stays put in frame while it travels
    against the background (1: held in frame and moving through the world)."""
    best = 0.0
    for cands in picked:
        for c in cands:
            xy = c.track.xy
            if len(xy) < 3:
                continue
            in_frame = float(np.ptp(xy[:, 0]))
            path = reference_path(c.track, s_ref, o_ref, fps)
            travel = abs(float(path.x[-1] - path.x[0]))
            score = motion.ramp(travel, 0.1, 0.25) * (
                1.0 - motion.ramp(in_frame / max(travel, 1e-6), 0.3, 0.6)
            )
            best = max(best, score)
    return best
