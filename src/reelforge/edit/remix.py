"""Remix a clip: a new prompt over its motion and layout, `strength` of the way.

    remix(clip, engine, "the same at night, in the rain", "mild")

The clip, at the engine's canvas, is the source of the engine's remix mode: sampling
starts from the source noised to flow time `strength` (SDEdit), so a low strength keeps
colours and details, a high one keeps only the broad layout and motion. The result has
the clip's size, fps, frame count and audio.
"""

from __future__ import annotations

from reelforge.edit.extend import Sampling, canvas_for, conform, retime
from reelforge.edit.lineage import with_parents
from reelforge.engines.base import CancelFn, Engine, ProgressFn
from reelforge.engines.frames import resize
from reelforge.types import Clip, InvalidInputError

# The seeds' named strengths (Sora's remix: subtle, mild, strong); the studio's are the same.
STRENGTHS = {"subtle": 0.35, "mild": 0.55, "strong": 0.8}


def strength_of(value: str | float) -> float:
    """subtle / mild / strong, or a number in 0..1, as a number."""
    if isinstance(value, str):
        key = value.strip().lower()
        if key in STRENGTHS:
            return STRENGTHS[key]
        try:
            value = float(key)
        except ValueError:
            raise InvalidInputError(
                f"strength {value!r} is not a number or a name",
                param="strength",
                hint=f"use {', '.join(STRENGTHS)} or a number in 0..1",
            ) from None
    if not 0.0 <= value <= 1.0:
        raise InvalidInputError(f"strength must be in 0..1; got {value:g}", param="strength")
    return float(value)


def remix(
    clip: Clip,
    engine: Engine,
    prompt: str,
    strength: str | float = "mild",
    *,
    sampling: Sampling | None = None,
    on_progress: ProgressFn | None = None,
    should_cancel: CancelFn | None = None,
) -> Clip:
    """`clip` re-imagined as `prompt`, `strength` of the way (see the module doc)."""
    value = strength_of(strength)
    canvas = canvas_for(clip.width, clip.height, clip.fps, engine)
    frames = conform(clip, canvas)
    source = Clip(frames, canvas.fps, metadata=dict(clip.metadata))
    spec = (sampling or Sampling()).spec(
        prompt, canvas, len(frames), source=source, source_strength=value
    )
    made = engine.generate(spec, on_progress, should_cancel)
    back = retime(made.frames, canvas.fps, clip.fps, clip.num_frames)
    result = Clip(
        resize(back, (clip.width, clip.height)),
        clip.fps,
        clip.audio,
        clip.sample_rate,
        made.metadata,
    )
    return with_parents(result, clip, operation="remix", strength=value)
