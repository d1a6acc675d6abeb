"""The public feed: clips their owners published, newest first, from every user.

Anyone signed in may watch a published clip and remix it; the remix is the remixer's own
job with `remixed_from_video_id` naming the published clip, so the lineage stays visible
even across users. Unpublishing hides the clip again; remixes already made stay.
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.engine import Row

from reelforge.studio import submit
from reelforge.studio.accounts import User
from reelforge.studio.context import Context
from reelforge.studio.db import users, videos
from reelforge.studio.errors import ConflictError
from reelforge.studio.library import owned_video
from reelforge.studio.storage import VARIANTS
from reelforge.types import InvalidInputError, NotFoundError

MAX_PAGE = 100


def publish(ctx: Context, user: User, video_id: str) -> dict:
    row = owned_video(ctx, user, video_id)
    if row.status != "completed" or row.assets_deleted_at is not None:
        state = "expired" if row.status == "completed" else row.status.replace("_", " ")
        raise ConflictError(
            f"video {video_id} is {state}; only a completed video can be published",
            param="video_id",
        )
    when = row.published_at or time.time()
    _set_published(ctx, row.id, when)
    return {"id": row.id, "object": "video.publication", "published": True, "published_at": when}


def unpublish(ctx: Context, user: User, video_id: str) -> dict:
    row = owned_video(ctx, user, video_id)
    _set_published(ctx, row.id, None)
    return {"id": row.id, "object": "video.publication", "published": False, "published_at": None}


def page(ctx: Context, user: User, before: float | None, limit: int) -> dict:
    """Published clips of all users, newest publication first, older than `before`."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInputError(f"limit must be 1..{MAX_PAGE}; got {limit}", param="limit")
    query = _published().order_by(videos.c.published_at.desc(), videos.c.seq.desc())
    if before is not None:
        query = query.where(videos.c.published_at < before)
    with ctx.db.connect() as conn:
        rows = conn.execute(query.limit(limit + 1)).all()
    data = [item(r, user) for r in rows[:limit]]
    return {
        "object": "list",
        "data": data,
        "has_more": len(rows) > limit,
        "next_before": data[-1]["published_at"] if len(rows) > limit else None,
    }


def get(ctx: Context, user: User, video_id: str) -> dict:
    return item(published_video(ctx, video_id), user)


def content(ctx: Context, video_id: str, variant: str) -> tuple[Path, str]:
    """A published clip's download (as its owner's plan marks it), thumbnail or sheet."""
    if variant not in VARIANTS:
        raise InvalidInputError(
            f"variant must be one of {', '.join(VARIANTS)}; got {variant!r}", param="variant"
        )
    row = published_video(ctx, video_id)
    return ctx.storage.asset(row.id, variant), VARIANTS[variant][1]


def remix(ctx: Context, user: User, video_id: str, fields: dict) -> dict:
    """The caller's own remix of a published clip (theirs or anyone's): checked like
    /v1/videos/{id}/remix, charged to the caller, its lineage naming the source."""
    return submit.remix_of(ctx, user, published_video(ctx, video_id), fields)


def published_video(ctx: Context, video_id: str) -> Row:
    """A published clip with its owner's name; "not found" for anything private."""
    with ctx.db.connect() as conn:
        row = conn.execute(_published().where(videos.c.id == video_id)).first()
    if row is None:
        raise NotFoundError(f"no published video with id {video_id!r}", param="video_id")
    return row


def item(row: Row, viewer: User) -> dict:
    return {
        "id": row.id,
        "object": "feed.item",
        "owner": row.owner,
        "mine": row.user_id == viewer.id,
        "prompt": row.prompt,
        "size": row.size,
        "seconds": row.seconds,
        "kind": row.kind,
        "created_at": int(row.created_at),
        "published_at": row.published_at,
        "remixed_from_video_id": row.remixed_from_video_id,
    }


def _published():
    return (
        select(videos, users.c.name.label("owner"))
        .join(users, users.c.id == videos.c.user_id)
        .where(
            videos.c.published_at.is_not(None),
            videos.c.status == "completed",
            videos.c.assets_deleted_at.is_(None),
        )
    )


def _set_published(ctx: Context, video_id: str, when: float | None) -> None:
    with ctx.db.begin() as conn:
        conn.execute(update(videos).where(videos.c.id == video_id).values(published_at=when))
