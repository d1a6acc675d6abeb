"""Expiry: a completed video past its `expires_at` (the plan's retention) is marked
expired, and its files are deleted a grace period later; the video object stays, so its
owner can see that it expired.

Why two steps: a download checks the mark, sends its headers, and only then opens the
file. Deleting the files at the moment of marking broke off downloads that had passed
the check a moment before (the body ended after the headers). Once a video is marked,
no new download starts, and one already let through has opened its file long before
the grace is over (an open file survives its deletion on POSIX).
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import select, update

from reelforge.studio.context import Context
from reelforge.studio.db import videos

logger = logging.getLogger(__name__)

FILES_GRACE_S = 30.0  # from the mark to the files' deletion


def delete_expired(
    ctx: Context, now: float | None = None, grace_s: float = FILES_GRACE_S
) -> list[str]:
    """Mark every video past its expiry (its files are refused from now on) and delete
    the files of those marked at least `grace_s` ago; returns the ids whose files went."""
    now = time.time() if now is None else now
    with ctx.db.begin() as conn:
        conn.execute(
            update(videos)
            .where(
                videos.c.expires_at.is_not(None),
                videos.c.expires_at <= now,
                videos.c.assets_deleted_at.is_(None),
            )
            .values(assets_deleted_at=now)
        )
        due = (
            conn.execute(
                select(videos.c.id).where(
                    videos.c.assets_deleted_at <= now - grace_s,
                    videos.c.files_deleted_at.is_(None),
                )
            )
            .scalars()
            .all()
        )
    for video_id in due:
        ctx.storage.delete_video(video_id)
        with ctx.db.begin() as conn:
            conn.execute(update(videos).where(videos.c.id == video_id).values(files_deleted_at=now))
    if due:
        logger.info("deleted the files of %d expired videos", len(due))
    return due
