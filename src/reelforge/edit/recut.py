"""Re-cut: trim a clip to a span, regenerate a span in place, extend the trimmed ends.

    trim(clip, 1.0, 3.0)                 frames [round(1·fps), round(3·fps)), the sound
                                         cut at the same instants (frame-exact, in sync)
    recut(clip, 1.0, 3.0, engine=e, regenerate=(1.5, 2.0), extend_end=2.0, prompt=...)
                                         trim, then make frames 1.5-2.0 s again from the
                                         frames around them (fill.regenerate), then add
                                         2 s after the end (the engine's extend mode)

Times are seconds of the source clip, so `regenerate` lies inside [start, end]. An
extension is given the trimmed clip's last (or first) GIVEN frames, conformed to the
engine as fill.py does (native size of the aspect, letterboxed when it differs; the
engine's rate), and what it makes is brought back to the clip's size and rate. The
extended stretch has no sound of its own: silence, so the track keeps its sync.
"""

from __future__ import annotations

import math

import numpy as np

from reelforge.edit.extend import Canvas, Sampling, quiet, share_progress
from reelforge.edit.fill import anchored, engine_fps, engine_size, made_by_of, regenerate
from reelforge.edit.lineage import with_parents
from reelforge.edit.seams import span_joins
from reelforge.edit.stitch import letterbox, letterbox_box, retime_indices, unletterbox
from reelforge.engines.base import CancelFn, Engine, GenerationSpec, ProgressFn
from reelforge.types import Clip, InvalidInputError, Keyframe

GIVEN = 5  # frames given to an extension: latent frames 0 and 1 of a 4x causal VAE


def frame_at(clip: Clip, seconds: float, param: str) -> int:
    """The frame boundary nearest `seconds` (0..num_frames), or InvalidInputError."""
    if not -0.5 / clip.fps <= seconds <= clip.duration + 0.5 / clip.fps:
        raise InvalidInputError(
            f"{seconds:g} s is outside the clip (0 to {clip.duration:g} s)", param=param
        )
    return min(clip.num_frames, max(0, round(seconds * clip.fps)))


def _cut(clip: Clip, first: int, last: int) -> Clip:
    """Frames [first, last) and the sound of the same instants."""
    audio = clip.audio
    if clip.has_audio:
        rate = clip.sample_rate
        audio = audio[:, round(first / clip.fps * rate) : round(last / clip.fps * rate)]
    return clip.with_(frames=clip.frames[first:last], audio=audio)


def trim(clip: Clip, start: float = 0.0, end: float | None = None) -> Clip:
    """The clip from `start` to `end` seconds (default: its end), frame-exact, sound in
    sync; metadata as the clip's."""
    first = frame_at(clip, start, "start")
    last = clip.num_frames if end is None else frame_at(clip, end, "end")
    if last <= first:
        raise InvalidInputError(
            f"the span {start:g}-{end:g} s holds no frame (end must come after start)",
            param="end",
        )
    return _cut(clip, first, last)


def extend_once(
    clip: Clip,
    engine: Engine,
    seconds: float,
    *,
    at_end: bool = True,
    prompt: str = "",
    sampling: Sampling | None = None,
    seed_offset: int = 0,
    on_progress: ProgressFn | None = None,
    should_cancel: CancelFn | None = None,
) -> Clip:
    """`clip` with `seconds` more made by `engine` in one pass after its end (or before
    its start), given its last (first) GIVEN frames, and tied to the clip's frame beside
    them (fill.anchored); silence under the new frames. The pass samples as `sampling`
    says, its seed offset by `seed_offset`. metadata gains the engine and model that
    made the new frames."""
    spec = extension_spec(clip, engine, seconds, at_end, prompt, sampling, seed_offset)
    count, size, fps = round(seconds * clip.fps), (spec.width, spec.height), spec.fps
    given = len(spec.keyframes[0].frames)
    new = spec.num_frames - given
    result = engine.generate(spec, on_progress, should_cancel)
    made = result.frames[given:] if at_end else result.frames[:new]
    pick = np.minimum((np.arange(count) * fps / clip.fps + 1e-6).astype(int), new - 1)
    box = letterbox_box(clip.width, clip.height, size)
    edge = given - 1 if at_end else new  # the clip's frame beside the new ones, as made
    made = np.concatenate([made[pick], result.frames[edge : edge + 1]])
    made = unletterbox(made, box, (clip.width, clip.height))
    added = _tied(clip, made, at_end)
    parts = [clip.frames, added] if at_end else [added, clip.frames]
    audio = clip.audio
    if clip.has_audio:
        silence = round((clip.num_frames + count) / clip.fps * clip.sample_rate) - audio.shape[1]
        pad = (0, silence) if at_end else (silence, 0)
        audio = np.pad(audio, ((0, 0), pad))
    metadata = {**clip.metadata, **made_by_of(result)}
    return clip.with_(frames=np.concatenate(parts), audio=audio, metadata=metadata)


def extension_spec(
    clip: Clip,
    engine: Engine,
    seconds: float,
    at_end: bool = True,
    prompt: str = "",
    sampling: Sampling | None = None,
    seed_offset: int = 0,
) -> GenerationSpec:
    """The engine pass that extends `clip` by `seconds`: at the engine's size and rate,
    given the clip's last (first) GIVEN frames, conformed."""
    count = round(seconds * clip.fps)  # frames at the clip's rate
    if count < 1:
        raise InvalidInputError(
            f"an extension of {seconds:g} s is shorter than a frame at {clip.fps:g} fps",
            param="extend",
        )
    caps = engine.capabilities
    size, fps = engine_size(caps, clip.width, clip.height), engine_fps(caps, clip.fps)
    ours = letterbox(clip.frames[retime_indices(clip.num_frames, clip.fps, fps)], size)
    given = ours[-GIVEN:] if at_end else ours[:GIVEN]
    new = math.ceil(seconds * fps - 1e-6)
    keys = [Keyframe(0 if at_end else new, given)]
    return (sampling or Sampling()).spec(
        prompt, Canvas(*size, fps), len(given) + new, seed_offset, keyframes=keys
    )


def _tied(clip: Clip, made: np.ndarray, at_end: bool) -> np.ndarray:
    """The new frames (made[:-1]) tied to the clip's frame beside them (fill.anchored);
    made[-1] is the engine's own version of that frame."""
    new, edge = made[:-1], made[-1:]
    marked = np.ones(len(made), dtype=bool)
    if at_end:
        marked[0] = False
        kept, ours = np.concatenate([clip.frames[-1:], new]), np.concatenate([edge, new])
    else:
        marked[-1] = False
        kept, ours = np.concatenate([new, clip.frames[:1]]), np.concatenate([new, edge])
    return anchored(kept, ours, marked)


def recut(
    clip: Clip,
    start: float = 0.0,
    end: float | None = None,
    *,
    engine: Engine | None = None,
    regenerate_span: tuple[float, float] | None = None,
    extend_start: float = 0.0,
    extend_end: float = 0.0,
    prompt: str | None = None,
    sampling: Sampling | None = None,
    on_progress: ProgressFn | None = None,
    should_cancel: CancelFn | None = None,
) -> Clip:
    """Trim `clip` to [start, end] seconds; then, with an `engine`, make the frames of
    `regenerate_span` (source seconds, inside the span) again and add `extend_start` /
    `extend_end` seconds. The prompt defaults to the clip's own (metadata) or none.
    Every engine pass samples as `sampling` says; `on_progress` sees one bar over them,
    and `should_cancel` reaches the engine (GenerationCancelled).

    metadata["edit"]: the `span` kept (seconds), `regenerated_frames` [a, b) and
    `extended` (frames added before, after) in the result's frames, and the `joins`
    between made and kept frames (seams.measure_seams)."""
    if extend_start < 0 or extend_end < 0:
        raise InvalidInputError("extensions must be 0 or more seconds", param="extend")
    wants_engine = regenerate_span is not None or extend_start > 0 or extend_end > 0
    if wants_engine and engine is None:
        raise InvalidInputError("regenerating or extending needs an engine", param="engine")
    first = frame_at(clip, start, "start")
    out = trim(clip, start, end)
    text = prompt if prompt is not None else clip.metadata.get("prompt") or ""
    common = dict(prompt=text, sampling=sampling, should_cancel=should_cancel)
    details: dict = {"span": [first / clip.fps, (first + out.num_frames) / clip.fps]}
    # The engine passes, in order: each takes the clip so far, its share of the progress
    # bar and its seed offset. Regenerating offsets its windows by the frames filled
    # before each (fill.regenerate), so the extensions start past its last offset: no
    # two passes share their noise.
    passes = []
    if regenerate_span is not None:
        a, b = (frame_at(clip, s, "regenerate") - first for s in regenerate_span)
        if not 0 <= a < b <= out.num_frames:
            raise InvalidInputError(
                f"regenerate {regenerate_span[0]:g}-{regenerate_span[1]:g} s must be a span "
                f"inside the re-cut {start:g}-{details['span'][1]:g} s",
                param="regenerate",
            )
        mask = np.zeros(out.num_frames, dtype=bool)
        mask[a:b] = True
        passes.append(lambda c, bar, _: regenerate(c, mask, engine, on_progress=bar, **common))
        details["regenerated_frames"] = [a, b]
    for seconds, at_end in ((extend_end, True), (extend_start, False)):
        if seconds > 0:  # an extension the engine cannot make is refused before any pass
            engine.check(extension_spec(out, engine, seconds, at_end, text, sampling))
            passes.append(
                lambda c, bar, k, seconds=seconds, at_end=at_end: extend_once(
                    c, engine, seconds, at_end=at_end, seed_offset=k, on_progress=bar, **common
                )
            )
    offset = 0 if regenerate_span is None else b - a
    progress = on_progress or quiet
    for i, run in enumerate(passes):
        out = run(out, share_progress(progress, i, len(passes)), offset + i)
    if passes:
        progress(1.0, "done")
    ahead, after = round(extend_start * clip.fps), round(extend_end * clip.fps)
    details["extended"] = [ahead, after]
    made = np.zeros(out.num_frames, dtype=bool)  # frames the engine made, for the seams
    made[:ahead] = True
    made[out.num_frames - after :] = True
    if regenerate_span is not None:
        a, b = (i + ahead for i in details["regenerated_frames"])
        details["regenerated_frames"] = [a, b]
        made[a:b] = True
    details["joins"] = span_joins(made)
    return with_parents(out, clip, operation="recut", **details)
