"""Extend a clip forward or backward with generated frames that continue its end (start).

    extend(clip, engine, 4)                  4 s more after the last frame
    extend(clip, engine, 4, backward=True)   4 s that lead into the first frame
    extend(clip, engine, 4, times=15)        15 steps of 4 s, each continuing the one before

The clip's last CONTEXT_FRAMES frames, at the engine's rate and native size, are given at
the start of a new segment (the engine's extend mode); the segment's frames after them
are the new ones. Backward, the first frames are given at the segment's end. Each further
step is given the previous step's frames as the engine made them (never a resized copy),
so a long chain stays continuous. The new frames are brought back to the clip's size and
fps and joined to its own frames, which are kept untouched; its audio is kept, with
silence under the new frames.

Every generating edit (loop, blend, remix, storyboard; recut and fill for sampling and
progress) shares this module's machinery:

- `Sampling`, `share_progress`: the sampling settings of every engine pass an edit makes,
  and one progress bar split between its passes.
- `Canvas`, `canvas_for`: where an engine works for a clip: the native size nearest the
  clip's (its aspect, else the nearest one) and the engine rate nearest the clip's fps.
- `conform`, `head`, `tail`, `restore`: a clip of any size and fps to the canvas and
  back. Sizes are stretched, not cropped, both ways, so generated frames line up with
  the clip's own at a join; rates are changed by showing, at each output time, the
  frame on screen then.
- `generate_between`: new frames after given ones and/or before given ones, in as many
  engine passes as the engine's longest pass needs, each given the one before's end.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from reelforge.edit.lineage import with_parents
from reelforge.engines.base import CancelFn, Engine, ProgressFn
from reelforge.engines.frames import resize
from reelforge.types import Clip, GenerationSpec, InvalidInputError, Keyframe

# Two latent frames of a 4x causal VAE (frame 0 alone, then frames 1-4), given whole:
# they carry where things were going, not only the last picture (engines/windows.py).
CONTEXT_FRAMES = 5
# Frames given at a pass's end: any 8 in a row hold one whole latent frame (4j-3..4j) of a
# 4x causal VAE, which the engine then keeps; 5 in a row may straddle two and give none.
ARRIVAL_FRAMES = 8
EASE_FRAMES = 4  # one latent frame of a 4x causal VAE: the last step before a given frame
EPS = 1e-6  # frame times that land on a frame boundary belong to the later frame

# ---------------------------------------------------------------------------
# Sampling settings and progress shared by every pass an edit makes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Sampling:
    """How every engine pass of an edit samples. `expand` rewrites a prompt in the
    model's caption style (the caller passes reelforge.prompting's: edit may not import
    a sibling feature); pass k of an edit uses seed + k, so no two share their noise."""

    seed: int = 0
    steps: int | None = None
    guidance: float | None = None
    negative_prompt: str = ""
    expand: Callable[[str], str] | None = None

    def spec(self, prompt: str, canvas: Canvas, num_frames: int, offset: int = 0, **fields):
        return GenerationSpec(
            prompt,
            width=canvas.width,
            height=canvas.height,
            num_frames=num_frames,
            fps=canvas.fps,
            seed=self.seed + offset,
            steps=self.steps,
            guidance=self.guidance,
            negative_prompt=self.negative_prompt,
            expand_prompt=self.expand is not None,
            expanded_prompt=self.expand(prompt) if self.expand and prompt else None,
            **fields,
        )


def share_progress(progress: ProgressFn, i: int, n: int) -> ProgressFn:
    """Pass i's own 0..1 as its share of one bar over all n passes."""
    if n == 1:
        return progress
    return lambda f, m: progress((i + f) / n, f"pass {i + 1}/{n}: {m}")


def quiet(fraction: float, message: str) -> None:
    """The progress callback of an edit given none."""


# ---------------------------------------------------------------------------
# The engine's canvas, and clips brought to it and back (conform)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Canvas:
    """A native size and frame rate of one engine."""

    width: int
    height: int
    fps: float

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)


def canvas_for(width: int, height: int, fps: float, engine: Engine) -> Canvas:
    """The largest native size of the clip's aspect (else the nearest aspect) that fits in
    width x height (else the smallest), at the engine rate nearest `fps`."""
    cap = engine.capabilities
    aspect = cap.aspect_of(width, height) or min(
        cap.sizes, key=lambda a: abs(math.log(_ratio(cap.sizes[a][0]) / (width / height)))
    )
    natives = sorted(cap.sizes[aspect], key=lambda s: s[0] * s[1])
    fits = [s for s in natives if s[0] <= width and s[1] <= height]
    w, h = fits[-1] if fits else natives[0]
    return Canvas(w, h, min(cap.fps, key=lambda f: abs(f - fps)))


def _ratio(size: tuple[int, int]) -> float:
    return size[0] / size[1]


def retime(frames: np.ndarray, fps: float, to_fps: float, count: int | None = None) -> np.ndarray:
    """Frames at `fps` shown at `to_fps`: output frame i is the one on screen at i/to_fps
    (`count` frames; default the same duration)."""
    n = len(frames)
    if count is None:
        count = max(1, round(n * to_fps / fps))
    if count == n and abs(fps - to_fps) < EPS:
        return frames
    index = np.minimum(np.floor(np.arange(count) * fps / to_fps + EPS).astype(int), n - 1)
    return frames[index]


def conform(clip: Clip, canvas: Canvas) -> np.ndarray:
    """All of `clip` at the canvas's size and rate: uint8 (T', h, w, 3)."""
    return resize(retime(clip.frames, clip.fps, canvas.fps), canvas.size)


def head(clip: Clip, canvas: Canvas, count: int = CONTEXT_FRAMES) -> np.ndarray:
    """The clip's first `count` frames at the canvas (fewer for a clip that short)."""
    take = clip.frames[: math.ceil(count * clip.fps / canvas.fps) + 1]
    return resize(retime(take, clip.fps, canvas.fps)[:count], canvas.size)


def tail(clip: Clip, canvas: Canvas, count: int = CONTEXT_FRAMES) -> np.ndarray:
    """The clip's last `count` frames at the canvas, ending on its last frame."""
    take = clip.frames[::-1][: math.ceil(count * clip.fps / canvas.fps) + 1]
    return resize(retime(take, clip.fps, canvas.fps)[:count][::-1], canvas.size)


def restore(frames: np.ndarray, canvas: Canvas, like: Clip, *, ending: bool = False) -> np.ndarray:
    """Frames made at the canvas brought to `like`'s size and fps. `ending`: they end
    where something starts (a backward extension), so the time grid is laid from their
    end."""
    if ending:
        return restore(frames[::-1], canvas, like)[::-1]
    return resize(retime(frames, canvas.fps, like.fps), (like.width, like.height))


# ---------------------------------------------------------------------------
# Generating frames between given ones
# ---------------------------------------------------------------------------


@dataclass
class Made:
    """Frames an edit generated at its canvas, with the first pass's metadata (prompt,
    engine, model, seed, ...) and how many passes it took."""

    frames: np.ndarray
    metadata: dict
    passes: int


def generate_between(
    engine: Engine,
    canvas: Canvas,
    prompt: str,
    count: int,
    sampling: Sampling,
    *,
    before: np.ndarray | None = None,
    after: np.ndarray | None = None,
    backward: bool = False,
    most: int | None = None,
    offset: int = 0,
    on_progress: ProgressFn | None = None,
    should_cancel: CancelFn | None = None,
) -> Made:
    """`count` new frames at the canvas that continue `before` (given at the start) and
    lead into `after` (given at the end), both canvas frames or None.

    The work is cut into passes of at most `most` new frames, each within the engine's
    longest pass; each pass is given the last CONTEXT_FRAMES frames so far (backward,
    the first ARRIVAL_FRAMES, at its end). Forward,
    passes run from `before` and the last one is also given `after`; backward, they run
    from `after` towards the start and the first-made frames sit last. Every pass is
    checked by the engine before the first one runs. Pass k uses seed offset + k.
    """
    if count < 1:
        raise InvalidInputError(f"nothing to generate: {count} frames", param="seconds")
    lead, trail = (after, before) if backward else (before, after)
    keep = ARRIVAL_FRAMES if backward else CONTEXT_FRAMES  # the running context's length
    sizes = _passes(count, _len(lead), _len(trail), engine.capabilities.max_frames, most, keep)
    specs = [
        _pass_spec(sampling, prompt, canvas, k, i, sizes, lead, trail, backward, offset, keep)
        for i, k in enumerate(sizes)
    ]
    for spec in specs:
        engine.check(spec)  # refuse before any work
    progress = on_progress or quiet
    made: list[np.ndarray] = []
    context = lead
    metadata: dict = {}
    for i, (k, spec) in enumerate(zip(sizes, specs, strict=True)):
        far = trail if i == len(sizes) - 1 else None
        spec.keyframes = _keys(spec.num_frames, context, far, backward)
        clip = engine.generate(spec, share_progress(progress, i, len(sizes)), should_cancel)
        start = _len(far if backward else context)  # the frames given at the pass's start
        new = clip.frames[start : start + k]
        made.append(new)
        metadata = metadata or dict(clip.metadata)
        context = _context(context, new, backward, keep)
    progress(1.0, "done")
    frames = np.concatenate(made[::-1] if backward else made)
    return Made(frames, metadata, len(sizes))


def ease_into(frames: np.ndarray, target: np.ndarray, count: int = EASE_FRAMES) -> np.ndarray:
    """`frames` with their last `count` cross-faded towards `target` (one frame), weights
    rising linearly to count/(count+1). Generated frames that lead into given ones arrive
    at the engine's redrawing of them (a latent boundary, and a causal stand-in for the
    frames before them: about twice a normal frame step away); easing spreads that step
    over the last frames so the join to the real frame is no larger than the steps before."""
    count = min(count, len(frames))
    if count < 1:
        return frames
    w = (np.arange(1, count + 1) / (count + 1))[:, None, None, None]
    out = frames.copy()
    eased = (1 - w) * frames[-count:] + w * target[None].astype(np.float64)
    out[-count:] = np.round(eased).astype(np.uint8)
    return out


def _len(frames: np.ndarray | None) -> int:
    return 0 if frames is None else len(frames)


def _passes(
    count: int, lead: int, trail: int, longest: int, most: int | None, keep: int
) -> list[int]:
    """New frames per pass: at most `most`, and each pass within `longest` frames with
    its context (`keep` frames once made) and, for the last pass, the trailing frames."""
    sizes: list[int] = []
    left, context = count, lead
    while left > 0:
        room = longest - context
        cap = min(room, most or room)
        if left <= cap and left + context + trail <= longest:
            sizes.append(left)
            break
        k = min(cap, left - 1) if left <= cap else cap  # leave the last pass room to arrive
        if k < 1:
            raise InvalidInputError(
                f"the engine's longest pass ({longest} frames) leaves no room for new frames "
                f"beside {context + trail} given ones",
                param="seconds",
            )
        sizes.append(k)
        left -= k
        context = min(keep, context + k)
    return sizes


def _pass_spec(sampling, prompt, canvas, k, i, sizes, lead, trail, backward, offset, keep):
    """Pass i's spec, with stand-in frames of the sizes it will be given (for check)."""
    context = _len(lead) if i == 0 else min(keep, _len(lead) + sum(sizes[:i]))
    given = _len(trail) if i == len(sizes) - 1 else 0
    spec = sampling.spec(prompt, canvas, context + k + given, offset + i)
    blank = np.zeros((1, canvas.height, canvas.width, 3), np.uint8)
    lead_stand = np.repeat(blank, context, axis=0) if context else None
    trail_stand = np.repeat(blank, given, axis=0) if given else None
    spec.keyframes = _keys(spec.num_frames, lead_stand, trail_stand, backward)
    return spec


def _keys(n: int, context, other, backward: bool) -> list[Keyframe]:
    """Keyframes of one pass: the running context on its side, the far frames on the other."""
    first, last = (other, context) if backward else (context, other)
    keys = []
    if first is not None and len(first):
        keys.append(Keyframe(0, first))
    if last is not None and len(last):
        keys.append(Keyframe(n - len(last), last))
    return keys


def _context(context: np.ndarray | None, new: np.ndarray, backward: bool, keep: int):
    """The `keep` frames the next pass continues from (backward: leads into)."""
    if backward:
        joined = new if context is None else np.concatenate([new, context])
        return joined[:keep]
    joined = new if context is None else np.concatenate([context, new])
    return joined[-keep:]


# ---------------------------------------------------------------------------
# Extend
# ---------------------------------------------------------------------------


def extend(
    clip: Clip,
    engine: Engine,
    seconds: float,
    *,
    backward: bool = False,
    prompt: str | None = None,
    times: int = 1,
    sampling: Sampling | None = None,
    on_progress: ProgressFn | None = None,
    should_cancel: CancelFn | None = None,
) -> Clip:
    """`clip` with `times` x `seconds` of generated frames after its end (before its
    start when `backward`), each step continuing the one before (see the module doc).
    `prompt` (default: the clip's own, if it carries one) says what the new frames show."""
    if not seconds > 0:
        raise InvalidInputError(f"seconds must be positive; got {seconds:g}", param="seconds")
    if times < 1:
        raise InvalidInputError(f"times must be at least 1; got {times}", param="times")
    canvas = canvas_for(clip.width, clip.height, clip.fps, engine)
    step = max(1, round(seconds * canvas.fps))
    text = prompt if prompt is not None else str(clip.metadata.get("prompt") or "")
    given = head(clip, canvas, ARRIVAL_FRAMES) if backward else tail(clip, canvas)
    made = generate_between(
        engine,
        canvas,
        text,
        step * times,
        sampling or Sampling(),
        before=None if backward else given,
        after=given if backward else None,
        backward=backward,
        most=step,
        on_progress=on_progress,
        should_cancel=should_cancel,
    )
    new = restore(made.frames, canvas, clip, ending=backward)
    if backward:  # the new frames arrive at the clip's first frame, as a loop's bridge does
        new = ease_into(new, clip.frames[0])
    parts = [new, clip.frames] if backward else [clip.frames, new]
    audio = pad_audio(clip, len(new) / clip.fps, before=backward)
    result = Clip(np.concatenate(parts), clip.fps, audio, clip.sample_rate, made.metadata)
    join = len(new) if backward else clip.num_frames  # the first frame after the seam
    details = dict(seconds=seconds, times=times, backward=backward, added_frames=len(new))
    details["joins"] = [[join, join]]
    return with_parents(result, clip, operation="extend", passes=made.passes, **details)


def steps_to_reach(clip: Clip, seconds: float, total: float) -> int:
    """How many extensions of `seconds` make `clip` at least `total` seconds long."""
    if not seconds > 0:
        raise InvalidInputError(f"seconds must be positive; got {seconds:g}", param="seconds")
    if total <= clip.duration:
        raise InvalidInputError(
            f"the clip is already {clip.duration:.2f} s; a total of {total:g} s adds nothing",
            param="total",
        )
    return math.ceil((total - clip.duration) / seconds - EPS)


def pad_audio(clip: Clip, seconds: float, *, before: bool = False) -> np.ndarray | None:
    """The clip's audio with `seconds` of silence after it (before it, with `before`),
    cut or padded to the new length in frames; None for a silent clip."""
    if not clip.has_audio:
        return None
    total = round((clip.duration + seconds) * clip.sample_rate)
    own = clip.audio[:, : round(clip.duration * clip.sample_rate)]
    out = np.zeros((own.shape[0], total), np.float32)
    if before:
        out[:, total - own.shape[1] :] = own[:, :total]
    else:
        out[:, : own.shape[1]] = own[:, :total]
    return out
