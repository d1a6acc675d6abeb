"""Blend two clips: a generated transition from A's end into B's start, or A's content
turning into B's over time.

    transition(a, b, engine, seconds=1.0)   A, then a 1 s bridge, then B (or the bridge alone)
    mix(a, b, engine, strength=0.6)         A's length; starts as A, ends as B

transition: one interpolation (the engine's interpolate mode): A's last CONTEXT_FRAMES
frames given at the bridge's start and B's first ones at its end, so the bridge carries
A's motion into B's. A and B keep their own frames; B is brought to A's size and fps.

mix: a pixel cross-fade from A to B (A's weight falling linearly from 1 to 0 over A's
length; B cut, or its last frame held, to that length) is the source of the engine's
remix mode at `strength`, with A's first frames given at the start and B's last frames
at the end. The model redraws the double exposure of the cross-fade as one scene, so
the middle shows A's content becoming B's, not two faded pictures; the prompt (default:
A's and B's prompts, in order) says what it may show.

Both keep A's size and fps. Audio: A's and B's (B resampled to A's rate and channels)
with silence under a transition; a mix cross-fades them with the picture's weights.
"""

from __future__ import annotations

import numpy as np

from reelforge.edit.extend import (
    ARRIVAL_FRAMES,
    CONTEXT_FRAMES,
    Sampling,
    canvas_for,
    conform,
    ease_into,
    generate_between,
    head,
    restore,
    retime,
    tail,
)
from reelforge.edit.lineage import with_parents
from reelforge.edit.remix import strength_of
from reelforge.engines.base import CancelFn, Engine, ProgressFn
from reelforge.engines.frames import hold, resize
from reelforge.types import Clip, InvalidInputError, Keyframe

MODES = ("transition", "mix")


def transition(
    a: Clip,
    b: Clip,
    engine: Engine,
    seconds: float = 1.0,
    *,
    prompt: str | None = None,
    join: bool = True,
    sampling: Sampling | None = None,
    on_progress: ProgressFn | None = None,
    should_cancel: CancelFn | None = None,
) -> Clip:
    """A, a generated `seconds`-long bridge, then B (`join`=False: the bridge alone)."""
    if not seconds > 0:
        raise InvalidInputError(f"seconds must be positive; got {seconds:g}", param="seconds")
    canvas = canvas_for(a.width, a.height, a.fps, engine)
    made = generate_between(
        engine,
        canvas,
        _prompt(prompt, a, b),
        max(1, round(seconds * canvas.fps)),
        sampling or Sampling(),
        before=tail(a, canvas),
        after=head(b, canvas, ARRIVAL_FRAMES),
        on_progress=on_progress,
        should_cancel=should_cancel,
    )
    bridge = ease_into(restore(made.frames, canvas, a), like(b, a)[0])
    if not join:
        clip = Clip(bridge, a.fps, metadata=made.metadata)
        return with_parents(clip, a, b, operation="blend", mode="transition", joined=False)
    b_frames = like(b, a)
    frames = np.concatenate([a.frames, bridge, b_frames])
    audio = None
    if a.has_audio or b.has_audio:  # silence under the bridge
        counts = [a.num_frames, len(bridge), len(b_frames)]
        audio = np.concatenate(
            [_audio(c, a, n) for c, n in zip((a, None, b), counts, strict=True)], axis=1
        )
    clip = Clip(frames, a.fps, audio, a.sample_rate, made.metadata)
    start, end = a.num_frames, a.num_frames + len(bridge)
    spans = {"a": [0, start], "bridge": [start, end], "joins": [[start, start], [end, end]]}
    return with_parents(clip, a, b, operation="blend", mode="transition", joined=True, **spans)


def mix(
    a: Clip,
    b: Clip,
    engine: Engine,
    strength: str | float = 0.6,
    *,
    prompt: str | None = None,
    sampling: Sampling | None = None,
    on_progress: ProgressFn | None = None,
    should_cancel: CancelFn | None = None,
) -> Clip:
    """A's length of A's content turning into B's (see the module doc)."""
    value = strength_of(strength)
    canvas = canvas_for(a.width, a.height, a.fps, engine)
    fa = conform(a, canvas)
    fb = hold(conform(b, canvas), len(fa))
    weight = fade_weights(len(fa))  # A's share per frame
    w = weight[:, None, None, None]
    fade = np.round(w * fa + (1 - w) * fb).astype(np.uint8)
    start, end = min(CONTEXT_FRAMES, len(fa) // 2), min(ARRIVAL_FRAMES, len(fa) // 2)
    keys = [Keyframe(0, fa[:start]), Keyframe(len(fa) - end, fb[-end:])] if start else []
    spec = (sampling or Sampling()).spec(
        _prompt(prompt, a, b),
        canvas,
        len(fa),
        source=Clip(fade, canvas.fps),
        source_strength=value,
        keyframes=keys,
    )
    made = engine.generate(spec, on_progress, should_cancel)
    frames = resize(retime(made.frames, canvas.fps, a.fps, a.num_frames), (a.width, a.height))
    audio = None
    if a.has_audio or b.has_audio:
        gain = np.interp(
            np.arange(_samples(a)) / a.sample_rate, np.arange(len(fa)) / canvas.fps, weight
        )
        audio = gain * _audio(a, a, a.num_frames) + (1 - gain) * _audio(b, a, a.num_frames)
    clip = Clip(frames, a.fps, audio, a.sample_rate, made.metadata)
    return with_parents(clip, a, b, operation="blend", mode="mix", strength=value)


def fade_weights(count: int) -> np.ndarray:
    """A's weight per frame: 1 at the first frame, 0 at the last."""
    return np.linspace(1.0, 0.0, count) if count > 1 else np.ones(1)


def like(clip: Clip, model: Clip) -> np.ndarray:
    """`clip`'s frames at `model`'s size and fps (same duration)."""
    return resize(retime(clip.frames, clip.fps, model.fps), (model.width, model.height))


def _prompt(prompt: str | None, a: Clip, b: Clip) -> str:
    if prompt is not None:
        return prompt
    return " ".join(str(c.metadata.get("prompt") or "").strip() for c in (a, b)).strip()


def _samples(clip: Clip, frames: int | None = None) -> int:
    return round((clip.num_frames if frames is None else frames) / clip.fps * clip.sample_rate)


def _audio(clip: Clip | None, model: Clip, frames: int) -> np.ndarray:
    """`clip`'s audio over `frames` frames of `model` (its rate and channel count):
    resampled linearly, cut or padded with silence; silence for None or a silent clip."""
    channels = model.audio.shape[0] if model.has_audio else 2
    out = np.zeros((channels, _samples(model, frames)), np.float32)
    if clip is None or not clip.has_audio:
        return out
    src = clip.audio
    times = np.arange(out.shape[1]) / model.sample_rate
    have = np.arange(src.shape[1]) / clip.sample_rate
    inside = times <= have[-1]
    for c in range(channels):
        row = src[min(c, src.shape[0] - 1)]
        out[c, inside] = np.interp(times[inside], have, row)
    return out
