"""The studio's editing jobs made: each row's parameters (submit_edits.py) passed to the
`reelforge.edit` operation of the same name, on the sources' clean frames."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.engine import Row

from reelforge import edit
from reelforge.engines.base import CancelFn, Engine, ProgressFn
from reelforge.studio.context import Context
from reelforge.studio.requests import size_of
from reelforge.studio.sources import video_clip
from reelforge.studio.uploads import get_file_row
from reelforge.types import Clip


@dataclass(frozen=True)
class EditJob:
    """What one editing job needs: its row, parameters, engine and sampling settings."""

    ctx: Context
    row: Row
    params: dict[str, Any]
    engine: Engine
    sampling: edit.Sampling
    progress: ProgressFn
    cancel: CancelFn

    def source(self, video_id: str | None = None) -> Clip:
        return video_clip(self.ctx, video_id or self.params["source_video_id"], "video_id")

    @property
    def prompt(self) -> str | None:
        """The request's own prompt; None lets the operation continue its clips' own."""
        return self.params.get("prompt") or None


def _recut(job: EditJob) -> Clip:
    p = job.params
    generates = p["regenerate"] is not None or p["extend_start"] or p["extend_end"]
    return edit.recut(
        job.source(),
        p["start"],
        p["end"],
        engine=job.engine if generates else None,
        regenerate_span=tuple(p["regenerate"]) if p["regenerate"] else None,
        extend_start=p["extend_start"],
        extend_end=p["extend_end"],
        prompt=job.prompt,
        sampling=job.sampling,
        on_progress=job.progress,
        should_cancel=job.cancel,
    )


def _loop(job: EditJob) -> Clip:
    return edit.loop(
        job.source(),
        job.engine,
        job.params["seconds"],
        prompt=job.prompt,
        sampling=job.sampling,
        on_progress=job.progress,
        should_cancel=job.cancel,
    )


def _blend(job: EditJob) -> Clip:
    a, b = (job.source(video_id) for video_id in job.params["source_video_ids"])
    common = dict(
        prompt=job.prompt,
        sampling=job.sampling,
        on_progress=job.progress,
        should_cancel=job.cancel,
    )
    if job.params["mode"] == "transition":
        return edit.transition(a, b, job.engine, job.params["seconds"], **common)
    return edit.mix(a, b, job.engine, job.params["strength"], **common)


def _fill(job: EditJob) -> Clip:
    return edit.fill_frames(
        job.source(),
        job.engine,
        frames=job.params["frames"],
        detect=job.params["detect"],
        prompt=job.prompt,
        sampling=job.sampling,
        on_progress=job.progress,
        should_cancel=job.cancel,
    )


def _stitch(job: EditJob) -> Clip:
    clips = [job.source(video_id) for video_id in job.params["source_video_ids"]]
    return edit.stitch(clips, job.params["transition"], job.params["duration"])


def _storyboard(job: EditJob) -> Clip:
    cards = tuple(
        edit.Card(
            c["prompt"],
            c["seconds"],
            c["start"],
            image=_file_path(job.ctx, c["image_file_id"]) if c["image_file_id"] else None,
            cut=c["cut"],
        )
        for c in job.params["cards"]
    )
    seed = job.params["board_seed"]
    sampling = job.sampling if seed is None else replace(job.sampling, seed=seed)
    return edit.render_storyboard(
        edit.Storyboard(cards),
        job.engine,
        size=size_of(job.row.size),
        sampling=sampling,
        on_progress=job.progress,
        should_cancel=job.cancel,
    )


def _file_path(ctx: Context, file_id: str):
    return ctx.storage.path(get_file_row(ctx, file_id).path)


KINDS: dict[str, Callable[[EditJob], Clip]] = {
    "recut": _recut,
    "loop": _loop,
    "blend": _blend,
    "fill": _fill,
    "stitch": _stitch,
    "storyboard": _storyboard,
}
