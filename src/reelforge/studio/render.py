"""A queued job → the clip: what the row asks for, made by the engine through the same
operations `reelforge.edit` gives the CLI.

create: text to video, or image to video with the reference image as frame 0.
remix / edit: `edit.remix`, the source re-imagined `strength` of the way.
extend: `edit.extend`, new seconds after (or before) the source's own frames, which are
kept (the Video's `seconds` is the total).
recut, loop, blend, fill, stitch, storyboard: the studio's editing jobs
(render_edits.py).
"""

from __future__ import annotations

import json

from sqlalchemy.engine import Row

from reelforge import edit
from reelforge.engines.base import CancelFn, ProgressFn
from reelforge.prompting import expand_prompt
from reelforge.studio import render_edits
from reelforge.studio.context import Context
from reelforge.studio.requests import size_of
from reelforge.studio.sources import file_bytes, read_source, source_clip
from reelforge.types import Clip, GenerationSpec, Keyframe


def render(ctx: Context, row: Row, progress: ProgressFn, cancel: CancelFn) -> Clip:
    params = json.loads(row.params)
    engine = ctx.engines.get(row.engine)
    if row.kind == "create":
        return _create(ctx, row, params, engine, progress, cancel)
    negative = params.get("negative_prompt", "")
    sampling = edit.Sampling(seed=params["seed"], negative_prompt=negative, expand=expanded)
    if row.kind in ("remix", "edit"):
        source = source_clip(ctx, params)
        return edit.remix(
            source,
            engine,
            row.prompt,
            params["strength"],
            sampling=sampling,
            on_progress=progress,
            should_cancel=cancel,
        )
    if row.kind == "extend":
        return edit.extend(
            source_clip(ctx, params),
            engine,
            params["added_seconds"],
            backward=params.get("direction") == "backward",
            prompt=row.prompt,
            sampling=sampling,
            on_progress=progress,
            should_cancel=cancel,
        )
    make = render_edits.KINDS.get(row.kind)
    if make is None:
        raise ValueError(f"unknown job kind {row.kind!r}")
    job = render_edits.EditJob(ctx, row, params, engine, sampling, progress, cancel)
    return make(job)


def expanded(prompt: str) -> str:
    """The prompt in the caption style the native model learned (prompting's expansion)."""
    return expand_prompt(prompt).expanded


def _create(ctx: Context, row: Row, params: dict, engine, progress, cancel) -> Clip:
    fps = engine.capabilities.fps[0]
    width, height = size_of(row.size)
    spec = GenerationSpec(
        row.prompt,
        width=width,
        height=height,
        num_frames=round(int(row.seconds) * fps),
        fps=fps,
        seed=params["seed"],
        expanded_prompt=expanded(row.prompt),
        negative_prompt=params.get("negative_prompt", ""),
    )
    if params.get("input_reference"):
        image = read_source(file_bytes(ctx, params["input_reference"]), "input_reference")
        spec.keyframes = [Keyframe(0, image.frames[:1])]
    return engine.generate(spec, progress, cancel)
