"""Fill frames: find missing or damaged frames and regenerate them from their neighbours.

    detect_damage(clip)        black, frozen and corrupt frames (below), in frame order
    regenerate(clip, mask, engine, prompt=...)
                               the marked frames made again by the engine, the frames
                               around them given; every other frame is returned as it was
    fill_frames(clip, engine, frames=[...], detect=True)
                               both, recording the parents and what was filled

Detection works on shrunk luma (seams.luma_thumbs) and the clip's own typical change
between frames (the median), so it adapts to how much the clip moves:

- black: a frame whose mean luma is under BLACK while the clip's median frame is at
  least 3x brighter (a clip that is dark throughout is not damaged);
- frozen: a run of frames repeating the one before (a change under FROZEN grey levels
  and under STILL x the median change, so codec noise on a repeated frame passes and
  a slow motion does not) that ends in a jump (the next change is JUMP x the median
  or more): time went on while the picture stood still, as when a player or encoder
  drops frames. A shot that comes to rest and stays still ends in no jump and is
  left alone;
- corrupt: a frame far from both neighbours (OUTLIER x more than the neighbours
  differ from each other, and than the typical change), a lone glitch. Two damaged
  frames in a row are not found this way; list them with `frames`.

Regeneration conforms each stretch of the clip to the engine (`_Window`): its native
size of the clip's aspect (or of the nearest aspect, letterboxed, stitch.letterbox) and
one of its frame rates; then the engine's `inpaint` mode (the source window + a mask)
or, where it has none, `interpolate` (the good frames given as keyframes); then back
to the clip's size and rate, tied to the kept frames beside them (`anchored`: the
engine remakes whole latent groups, so its version of a neighbour differs a little
from the real one, and that difference is carried across the gap). Each stretch is a damaged run with up to `context`
seconds of the clip on each side, so a clip of any length is filled window by window.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from reelforge.edit.extend import Canvas, Sampling, quiet, share_progress
from reelforge.edit.lineage import with_parents
from reelforge.edit.seams import frame_changes, luma_thumbs, span_joins
from reelforge.edit.stitch import letterbox, letterbox_box, retime_indices, unletterbox
from reelforge.engines.base import CancelFn, Capabilities, Engine, ProgressFn, Size
from reelforge.types import Clip, InvalidInputError, Keyframe, UnsupportedError

BLACK = 12.0  # mean luma (0-255) under which a frame reads as black
FROZEN = 0.75  # grey levels: a change this small may repeat the frame before...
STILL = 0.2  # ...when it is also this small a share of the typical change
JUMP = 1.5  # x the median change: the frame after a freeze catches up
OUTLIER = 4.0  # x: how far a corrupt frame stands from both neighbours
FLOOR = 1.0  # grey levels: the least typical change counts as
CONTEXT = 1.0  # seconds of the clip given on each side of a damaged run


@dataclass(frozen=True)
class Damage:
    index: int
    reason: str  # "black", "frozen", "corrupt" or "given" (listed by the caller)


# ---------------------------------------------------------------------------
# Detection
# ---------------------------------------------------------------------------


def detect_damage(clip: Clip) -> list[Damage]:
    """The frames that look black, frozen or corrupt (module doc), one reason each."""
    if clip.num_frames < 3:
        return []
    brightness = luma_thumbs(clip.frames).mean(axis=(1, 2))
    changes = frame_changes(clip.frames)
    median = float(np.median(changes))
    typical = max(median, FLOOR)
    found: dict[int, str] = {}
    for i in np.flatnonzero((brightness < BLACK) & (np.median(brightness) >= 3 * BLACK)):
        found[int(i)] = "black"
    for i in _frozen(changes, min(FROZEN, STILL * median), JUMP * median):
        found.setdefault(i, "frozen")
    for i in _outliers(clip.frames, changes, typical):
        found.setdefault(i, "corrupt")
    return [Damage(i, found[i]) for i in sorted(found)]


def _frozen(changes: np.ndarray, still: float, jump: float) -> Iterable[int]:
    """Frames i that repeat frame i - 1 (a change under `still`) in a run that ends in a
    jump (a change of `jump` or more)."""
    run: list[int] = []
    for pair, change in enumerate(changes):  # pair k: frames k and k + 1
        if change < still:
            run.append(pair + 1)
            continue
        if run and change >= jump:
            yield from run
        run = []


def _outliers(frames: np.ndarray, changes: np.ndarray, typical: float) -> Iterable[int]:
    """Frames much further from both neighbours than the neighbours are from each other
    (at the ends: from the one neighbour, against the next step)."""
    thumbs = luma_thumbs(frames)
    skip = np.abs(thumbs[2:] - thumbs[:-2]).mean(axis=(1, 2))  # frames i - 1 and i + 1
    for i in range(1, len(frames) - 1):
        near = min(changes[i - 1], changes[i])
        if near > OUTLIER * max(skip[i - 1], typical):
            yield i
    if changes[0] > OUTLIER * max(changes[1], typical):
        yield 0
    if changes[-1] > OUTLIER * max(changes[-2], typical):
        yield len(frames) - 1


# ---------------------------------------------------------------------------
# Conforming a stretch of the clip to the engine, and back
# ---------------------------------------------------------------------------


def engine_size(caps: Capabilities, width: int, height: int) -> Size:
    """The engine's native size for a width x height clip: its aspect's default size, or
    the default size of the aspect nearest in ratio (the clip is then letterboxed)."""
    aspect = caps.aspect_of(width, height)
    if aspect is None:
        ratio = math.log(width / height)
        aspect = min(caps.aspects, key=lambda a: abs(math.log(_ratio(caps.sizes[a][0])) - ratio))
    return caps.default_size(aspect)


def _ratio(size: Size) -> float:
    return size[0] / size[1]


def engine_fps(caps: Capabilities, fps: float) -> float:
    """The clip's own rate when the engine makes it, else the engine's first rate."""
    return next((f for f in caps.fps if abs(f - fps) < 1e-6), caps.fps[0])


@dataclass
class _Window:
    """Clip frames [start, end) conformed to the engine: `frames` at its size and rate;
    `mask` the engine frames to make; `slot[f]` the engine frame that stands for clip
    frame start + f."""

    frames: np.ndarray
    mask: np.ndarray
    slot: np.ndarray
    fps: float
    size: Size


def _window(clip: Clip, todo: np.ndarray, start: int, end: int, caps: Capabilities) -> _Window:
    size = engine_size(caps, clip.width, clip.height)
    fps = engine_fps(caps, clip.fps)
    source = retime_indices(end - start, clip.fps, fps)  # engine frame → clip frame - start
    slot = np.minimum(
        np.round(np.arange(end - start) * fps / clip.fps).astype(int), len(source) - 1
    )
    mask = todo[start:end][source].copy()
    mask[slot[todo[start:end]]] = True  # every damaged clip frame has a made frame
    frames = letterbox(clip.frames[start:end][source], size)
    return _Window(frames, mask, slot, fps, size)


def _spans(todo: np.ndarray, context: int, longest: int) -> list[tuple[int, int]]:
    """The windows [start, end) that cover the marked frames, in order (one per pass)."""
    left, spans = todo.copy(), []
    while left.any():
        start, end = _span(left, int(np.argmax(left)), context, longest)
        spans.append((start, end))
        left[start:end] = False
    return spans


def _span(todo: np.ndarray, first: int, context: int, longest: int) -> tuple[int, int]:
    """Clip frames [start, end): the damaged run from `first` with up to `context` frames
    each side, within `longest` frames when the run allows."""
    last = first
    while last + 1 < len(todo) and todo[last + 1]:
        last += 1
    side = max(0, min(context, (longest - (last + 1 - first)) // 2))
    return max(0, first - side), min(len(todo), last + 1 + side)


# ---------------------------------------------------------------------------
# Regeneration
# ---------------------------------------------------------------------------


def _mode(engine: Engine, mode: str | None) -> str:
    modes = engine.capabilities.modes
    chosen = mode or next((m for m in ("inpaint", "interpolate") if m in modes), None)
    if chosen not in ("inpaint", "interpolate") or chosen not in modes:
        raise UnsupportedError(
            f"engine {engine.name} cannot regenerate frames in place "
            f"(needs inpaint or interpolate; it has {', '.join(modes)})",
            param="engine",
        )
    return chosen


def _spec(window: _Window, mode: str, prompt: str, sampling: Sampling, offset: int):
    canvas = Canvas(*window.size, window.fps)
    spec = sampling.spec(prompt, canvas, len(window.frames), offset)
    if mode == "inpaint":
        spec.source, spec.mask = Clip(window.frames, window.fps), window.mask
        return spec
    edges = np.flatnonzero(np.diff(np.r_[True, window.mask, True].astype(int)))
    for begin, stop in zip(edges[::2], edges[1::2], strict=True):  # runs of given frames
        spec.keyframes.append(Keyframe(int(begin), window.frames[begin:stop]))
    return spec


def regenerate(
    clip: Clip,
    mask: np.ndarray | Sequence[bool],
    engine: Engine,
    *,
    prompt: str = "",
    sampling: Sampling | None = None,
    context: float = CONTEXT,
    mode: str | None = None,
    on_progress: ProgressFn | None = None,
    should_cancel: CancelFn | None = None,
) -> Clip:
    """`clip` with the frames `mask` marks (bool, one per frame) made again by `engine`
    from the frames around them (`mode` "inpaint" or "interpolate"; default the first the
    engine has), tied to the kept frames beside them (`anchored`). Unmarked frames and
    the sound are returned unchanged; metadata gains the engine and model that made the
    frames. Each window samples as `sampling` says (extend.Sampling; default its
    defaults), its seed offset by the frames filled before it; `on_progress` sees one bar
    over the windows, and `should_cancel` reaches the engine (GenerationCancelled)."""
    todo = np.asarray(mask, dtype=bool).copy()
    if todo.shape != (clip.num_frames,):
        raise InvalidInputError(
            f"the mask needs one entry per frame ({clip.num_frames}); got {todo.shape}",
            param="frames",
        )
    if todo.all():
        raise InvalidInputError(
            "every frame is marked: there are no neighbours to fill from", param="frames"
        )
    chosen, caps = _mode(engine, mode), engine.capabilities
    longest = math.floor(caps.max_frames * clip.fps / engine_fps(caps, clip.fps))
    spans = _spans(todo, round(context * clip.fps), longest)
    sampling, progress = sampling or Sampling(), on_progress or quiet
    frames, done, made_by = clip.frames.copy(), 0, {}
    for i, (start, end) in enumerate(spans):
        window = _window(clip.with_(frames=frames), todo, start, end, caps)
        spec = _spec(window, chosen, prompt, sampling, done)
        made = engine.generate(spec, share_progress(progress, i, len(spans)), should_cancel)
        made_by = made_by_of(made)
        box = letterbox_box(clip.width, clip.height, window.size)
        back = unletterbox(made.frames, box, (clip.width, clip.height))
        marked = todo[start:end]
        frames[start:end][marked] = anchored(frames[start:end], back[window.slot], marked)
        done += int(marked.sum())
        todo[start:end] = False
    progress(1.0, "done")
    return clip.with_(frames=frames, metadata={**clip.metadata, **made_by})


def anchored(kept: np.ndarray, made: np.ndarray, marked: np.ndarray) -> np.ndarray:
    """uint8 (marked.sum(), H, W, 3): the made frames of the marked runs, each run tied to
    the kept frames beside it: made + (kept - made) at the run's neighbours, interpolated
    across a run between two of them, fading out across a run with one (at an end).
    So a run meets its neighbours where it touches them and moves as the model made it
    in between, even where the model drew the scene a little differently (a 4x temporal
    VAE remakes whole groups of frames, neighbours included)."""
    out = []
    edges = np.flatnonzero(np.diff(np.r_[False, marked, False].astype(int)))
    for s, e in zip(edges[::2], edges[1::2], strict=True):  # run [s, e)
        left = kept[s - 1].astype(np.float32) - made[s - 1] if s > 0 else None
        right = kept[e].astype(np.float32) - made[e] if e < len(kept) else None
        for k in range(s, e):
            t = (k - s + 1) / (e - s + 1)  # 0 at the left neighbour, 1 at the right one
            weights = [(left, 1 - t), (right, t)]
            if left is None or right is None:  # one neighbour: its difference fades out
                weights = [(left, 1 - t)] if right is None else [(right, t)]
            offset = sum((w * d for d, w in weights if d is not None), np.float32(0))
            out.append(np.clip(made[k] + offset, 0, 255).round().astype(np.uint8))
    return np.stack(out)


def made_by_of(made: Clip) -> dict:
    """The engine and model that made frames of an edit, for its provenance."""
    return {k: made.metadata[k] for k in ("engine", "model") if k in made.metadata}


def fill_frames(
    clip: Clip,
    engine: Engine,
    *,
    frames: Sequence[int] = (),
    detect: bool = True,
    prompt: str | None = None,
    sampling: Sampling | None = None,
    mode: str | None = None,
    on_progress: ProgressFn | None = None,
    should_cancel: CancelFn | None = None,
) -> Clip:
    """`clip` with the listed `frames` and (when `detect`) the detected damaged ones made
    again from their neighbours (`regenerate`: sampling, progress and cancelling). The
    prompt defaults to the clip's own (metadata) or none. metadata["edit"]["filled"]
    lists each frame filled and why, ["joins"] the seams around them; nothing to fill
    returns the clip unchanged, with its parents recorded."""
    bad = [i for i in frames if not 0 <= i < clip.num_frames]
    if bad:
        raise InvalidInputError(
            f"frames {bad} are outside the clip (0..{clip.num_frames - 1})", param="frames"
        )
    damage = {i: "given" for i in frames}
    if detect:
        damage.update({d.index: d.reason for d in detect_damage(clip) if d.index not in damage})
    filled = clip
    mask = np.zeros(clip.num_frames, dtype=bool)
    mask[list(damage)] = True
    if damage:
        text = prompt if prompt is not None else clip.metadata.get("prompt") or ""
        filled = regenerate(
            clip, mask, engine, prompt=text, sampling=sampling, mode=mode,
            on_progress=on_progress, should_cancel=should_cancel,
        )  # fmt: skip
    listed = [{"frame": i, "reason": damage[i]} for i in sorted(damage)]
    joins = span_joins(mask)
    return with_parents(filled, clip, operation="fill", filled=listed, joins=joins)
