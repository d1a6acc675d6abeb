"""The clips a job starts from: the user's finished videos and uploaded files, read back
with errors that name the request field they came from."""

from __future__ import annotations

from sqlalchemy import select

from reelforge.media import read_clip
from reelforge.studio.context import Context
from reelforge.studio.db import videos
from reelforge.studio.uploads import get_file_row
from reelforge.types import Clip, MediaError


def source_clip(ctx: Context, params: dict) -> Clip:
    """The clip a remix, edit or extension starts from: one of the user's videos or the
    uploaded file."""
    if params.get("source_video_id"):
        return video_clip(ctx, params["source_video_id"], "video")
    return read_source(file_bytes(ctx, params["source_file_id"]), "video")


def video_clip(ctx: Context, video_id: str, param: str) -> Clip:
    """A finished video's frames without the visible mark (storage.master), with its
    prompt in the metadata: operations given no prompt of their own continue the clip's."""
    clip = read_source(ctx.storage.master(video_id), param)
    with ctx.db.connect() as conn:
        prompt = conn.execute(select(videos.c.prompt).where(videos.c.id == video_id)).scalar()
    return clip.with_(metadata={**clip.metadata, "prompt": prompt or "", "id": video_id})


def read_source(source, param: str) -> Clip:
    """read_clip, its errors naming the request field the media came from."""
    try:
        return read_clip(source)
    except MediaError as e:
        raise MediaError(f"{param} could not be read: {e.message}", param=param) from None


def file_bytes(ctx: Context, file_id: str) -> bytes:
    return ctx.storage.path(get_file_row(ctx, file_id).path).read_bytes()
