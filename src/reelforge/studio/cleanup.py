"""Expiry: a completed video's files are deleted once its `expires_at` has passed (the
plan's retention); the video object stays, so its owner can see that it expired."""

from __future__ import annotations

import logging
import time

from sqlalchemy import select, update

from reelforge.studio.context import Context
from reelforge.studio.db import videos

logger = logging.getLogger(__name__)


def delete_expired(ctx: Context, now: float | None = None) -> list[str]:
    """Delete the files of every video past its expiry; returns their ids."""
    now = time.time() if now is None else now
    with ctx.db.connect() as conn:
        expired = (
            conn.execute(
                select(videos.c.id).where(
                    videos.c.expires_at.is_not(None),
                    videos.c.expires_at <= now,
                    videos.c.assets_deleted_at.is_(None),
                )
            )
            .scalars()
            .all()
        )
    for video_id in expired:
        ctx.storage.delete_video(video_id)
        with ctx.db.begin() as conn:
            conn.execute(
                update(videos).where(videos.c.id == video_id).values(assets_deleted_at=now)
            )
    if expired:
        logger.info("deleted the files of %d expired videos", len(expired))
    return expired
