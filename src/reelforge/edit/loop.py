"""Loop a clip: generated frames carry its last frame back into its first, so it plays
seamlessly on repeat.

    loop(clip, engine, seconds=1.0)   clip + a 1 s bridge; its last frame leads into frame 0

The bridge is one interpolation (the engine's interpolate mode): the clip's last
CONTEXT_FRAMES frames are given at its start and its first ones at its end, both at the
engine's canvas; the frames between them are the bridge, brought back to the clip's size
and fps and appended. The clip's own frames are kept untouched; its audio is kept, with
silence under the bridge.
"""

from __future__ import annotations

import numpy as np

from reelforge.edit.extend import (
    ARRIVAL_FRAMES,
    Sampling,
    canvas_for,
    ease_into,
    generate_between,
    head,
    pad_audio,
    restore,
    tail,
)
from reelforge.edit.lineage import with_parents
from reelforge.engines.base import CancelFn, Engine, ProgressFn
from reelforge.types import Clip, InvalidInputError


def loop(
    clip: Clip,
    engine: Engine,
    seconds: float = 1.0,
    *,
    prompt: str | None = None,
    sampling: Sampling | None = None,
    on_progress: ProgressFn | None = None,
    should_cancel: CancelFn | None = None,
) -> Clip:
    """`clip` followed by a `seconds`-long bridge from its end back to its start.
    `prompt` (default: the clip's own, if it carries one) says what the bridge shows."""
    if not seconds > 0:
        raise InvalidInputError(f"seconds must be positive; got {seconds:g}", param="seconds")
    canvas = canvas_for(clip.width, clip.height, clip.fps, engine)
    text = prompt if prompt is not None else str(clip.metadata.get("prompt") or "")
    made = generate_between(
        engine,
        canvas,
        text,
        max(1, round(seconds * canvas.fps)),
        sampling or Sampling(),
        before=tail(clip, canvas),
        after=head(clip, canvas, ARRIVAL_FRAMES),
        on_progress=on_progress,
        should_cancel=should_cancel,
    )
    bridge = ease_into(restore(made.frames, canvas, clip), clip.frames[0])
    audio = pad_audio(clip, len(bridge) / clip.fps)
    result = Clip(
        np.concatenate([clip.frames, bridge]), clip.fps, audio, clip.sample_rate, made.metadata
    )
    # the join into the bridge; the one back into frame 0 is where playback repeats
    joins = [[clip.num_frames, clip.num_frames]]
    return with_parents(result, clip, operation="loop", bridge_frames=len(bridge), joins=joins)
