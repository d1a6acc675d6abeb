"""A user's videos: look up, list a page, download, delete. Another user's video is
"not found", never "forbidden": ids must not reveal what others made."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.engine import Row

from reelforge.studio.accounts import User
from reelforge.studio.context import Context
from reelforge.studio.db import files, videos
from reelforge.studio.errors import ConflictError
from reelforge.studio.queue import refund
from reelforge.studio.storage import VARIANTS
from reelforge.studio.views import video_object
from reelforge.types import InvalidInputError, NotFoundError

MAX_PAGE = 100


def owned_video(ctx: Context, user: User, video_id: str, param: str = "video_id") -> Row:
    with ctx.db.connect() as conn:
        row = conn.execute(
            select(videos).where(videos.c.id == video_id, videos.c.user_id == user.id)
        ).first()
    if row is None:
        raise NotFoundError(f"no video with id {video_id!r}", param=param)
    return row


def get(ctx: Context, user: User, video_id: str) -> dict:
    return video_object(owned_video(ctx, user, video_id))


def page(ctx: Context, user: User, after: str | None, limit: int, order: str) -> dict:
    """A page of the user's videos, newest first by default, after the video `after`."""
    if order not in ("asc", "desc"):
        raise InvalidInputError(f"order must be asc or desc; got {order!r}", param="order")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInputError(f"limit must be 1..{MAX_PAGE}; got {limit}", param="limit")
    query = select(videos).where(videos.c.user_id == user.id)
    if after:
        cursor = owned_video(ctx, user, after, "after")
        newer = videos.c.seq > cursor.seq
        query = query.where(newer if order == "asc" else videos.c.seq < cursor.seq)
    key = videos.c.seq.asc() if order == "asc" else videos.c.seq.desc()
    with ctx.db.connect() as conn:
        rows = conn.execute(query.order_by(key).limit(limit + 1)).all()
    data = [video_object(r) for r in rows[:limit]]
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": len(rows) > limit,
    }


def content(ctx: Context, user: User, video_id: str, variant: str) -> tuple[Path, str]:
    """The file and media type of a finished video's `variant`."""
    if variant not in VARIANTS:
        raise InvalidInputError(
            f"variant must be one of {', '.join(VARIANTS)}; got {variant!r}", param="variant"
        )
    row = owned_video(ctx, user, video_id)
    if row.status != "completed":
        raise ConflictError(
            f"video {video_id} is {row.status.replace('_', ' ')}; content is available once "
            "it has completed",
            param="video_id",
        )
    if row.assets_deleted_at is not None:
        raise NotFoundError(f"video {video_id} has expired; its files were deleted")
    return ctx.storage.asset(video_id, variant), VARIANTS[variant][1]


def remove(ctx: Context, user: User, video_id: str) -> dict:
    """Delete a video: a queued one is cancelled (its seconds given back), a running one
    is stopped by its worker at the next step, and every file it made or was given goes."""
    row = owned_video(ctx, user, video_id)
    owned = json.loads(row.params).get("owned_files", [])
    with ctx.db.begin() as conn:
        conn.execute(delete(videos).where(videos.c.id == row.id))
        if row.status in ("queued", "in_progress"):
            refund(conn, row.id)
        kept = conn.execute(select(files.c.path).where(files.c.id.in_(owned))).all()
        conn.execute(delete(files).where(files.c.id.in_(owned)))
    for upload in kept:
        ctx.storage.delete_upload(upload.path)
    ctx.storage.delete_video(row.id)
    return {"id": row.id, "object": "video.deleted", "deleted": True}
