"""A queued job → the clip: its GenerationSpec built from the row, the engine run.

create: text to video, or image to video with the reference image as frame 0.
remix / edit: the source clip re-imagined `strength` of the way (the engine's remix).
extend: the source's last frames given at the start of a new segment, which is then
appended to the source (the Video's `seconds` is the stitched total).
"""

from __future__ import annotations

import json

import numpy as np
from sqlalchemy.engine import Row

from reelforge.engines.base import CancelFn, ProgressFn
from reelforge.media import read_clip
from reelforge.prompting import expand_prompt
from reelforge.studio.context import Context
from reelforge.studio.requests import size_of
from reelforge.studio.submit import EXTEND_CONTEXT_FRAMES
from reelforge.studio.uploads import get_file_row
from reelforge.types import Clip, GenerationSpec, Keyframe, MediaError


def render(ctx: Context, row: Row, progress: ProgressFn, cancel: CancelFn) -> Clip:
    params = json.loads(row.params)
    engine = ctx.engines.get(row.engine)
    fps = engine.capabilities.fps[0]
    width, height = size_of(row.size)
    spec = GenerationSpec(
        row.prompt,
        width=width,
        height=height,
        fps=fps,
        seed=params["seed"],
        expanded_prompt=expand_prompt(row.prompt).expanded,
    )
    if row.kind == "create":
        spec.num_frames = round(int(row.seconds) * fps)
        if params.get("input_reference"):
            image = _read(_file_bytes(ctx, params["input_reference"]), "input_reference")
            image = image.frames[:1]
            spec.keyframes = [Keyframe(0, image)]
        return engine.generate(spec, progress, cancel)
    source = _source(ctx, params, fps, (width, height))
    if row.kind in ("remix", "edit"):
        spec.source, spec.source_strength = source, params["strength"]
        spec.num_frames = source.num_frames
        return engine.generate(spec, progress, cancel)
    if row.kind == "extend":
        return _extend(engine, spec, source, params["added_seconds"], progress, cancel)
    raise ValueError(f"unknown job kind {row.kind!r}")


def _extend(engine, spec, source: Clip, added: int, progress, cancel) -> Clip:
    context = source.frames[-EXTEND_CONTEXT_FRAMES:]
    spec.num_frames = len(context) + round(added * spec.fps)
    spec.keyframes = [Keyframe(0, context)]
    segment = engine.generate(spec, progress, cancel)
    frames = np.concatenate([source.frames, segment.frames[len(context) :]])
    audio = None
    if source.has_audio:  # the source's sound, then silence under the new frames
        samples = round(len(frames) / spec.fps * source.sample_rate)
        audio = np.zeros((source.audio.shape[0], samples), np.float32)
        kept = min(samples, source.audio.shape[1])
        audio[:, :kept] = source.audio[:, :kept]
    return Clip(frames, spec.fps, audio, source.sample_rate, metadata=segment.metadata)


def _source(ctx: Context, params: dict, fps: float, size: tuple[int, int]) -> Clip:
    """The clip a remix, edit or extension starts from, at the engine's frame rate."""
    if params.get("source_video_id"):
        clip = _read(ctx.storage.master(params["source_video_id"]), "video")
    else:
        clip = _read(_file_bytes(ctx, params["source_file_id"]), "video")
    if (clip.width, clip.height) != size:
        raise MediaError(
            f"the source video is {clip.width}x{clip.height}, not {size[0]}x{size[1]}",
            param="video",
        )
    return at_rate(clip, fps)


def at_rate(clip: Clip, fps: float) -> Clip:
    """`clip` at `fps` by picking the nearest earlier frame (durations are kept)."""
    if abs(clip.fps - fps) / fps < 0.01:
        return clip.with_(fps=fps)
    count = max(1, int(clip.duration * fps + 1e-6))
    index = np.minimum((np.arange(count) * clip.fps / fps).astype(int), clip.num_frames - 1)
    return clip.with_(frames=clip.frames[index], fps=fps)


def _read(source, param: str) -> Clip:
    """read_clip, its errors naming the request field the media came from."""
    try:
        return read_clip(source)
    except MediaError as e:
        raise MediaError(f"{param} could not be read: {e.message}", param=param) from None


def _file_bytes(ctx: Context, file_id: str) -> bytes:
    return ctx.storage.path(get_file_row(ctx, file_id).path).read_bytes()
