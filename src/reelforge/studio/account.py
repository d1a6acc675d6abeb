"""A person's account as the web studio shows it: the plan and what is left of it, the
jobs running, the API keys (made and revoked by the person, not only the operator's
CLI), and the deletion of the whole account, which must be asked for by name."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import asdict

from sqlalchemy import delete, func, select, update

from reelforge.studio.accounts import User, create_key, list_keys
from reelforge.studio.context import Context
from reelforge.studio.db import (
    api_keys,
    characters,
    files,
    moderation_log,
    sessions,
    usage,
    users,
    videos,
)
from reelforge.types import InvalidInputError, NotFoundError

# Sizes the studio offers per aspect (Sora's, plus the default model's native drafts);
# the plan's `max_short_side` decides which of them a person sees.
SIZES = {
    "16:9": ["128x72", "640x360", "854x480", "1280x720", "1920x1080"],
    "9:16": ["72x128", "360x640", "480x854", "720x1280", "1080x1920"],
    "1:1": ["96x96", "480x480", "720x720", "1080x1080"],
}
DURATIONS = [4, 8, 12, 16, 20]


def period(now: float | None = None) -> str:
    return dt.datetime.fromtimestamp(now or time.time(), dt.UTC).strftime("%Y-%m")


def summary(ctx: Context, user: User) -> dict:
    plan = ctx.config.plan(user.plan)
    month = period()
    with ctx.db.connect() as conn:
        used = conn.execute(
            select(func.coalesce(func.sum(usage.c.seconds), 0.0)).where(
                usage.c.user_id == user.id, usage.c.period == month
            )
        ).scalar_one()
        counts = dict(
            conn.execute(
                select(videos.c.status, func.count())
                .where(videos.c.user_id == user.id)
                .group_by(videos.c.status)
            ).all()
        )
    limit = plan.monthly_seconds
    return {
        "object": "account",
        "user": {"id": user.id, "name": user.name, "admin": user.admin},
        "plan": asdict(plan),
        "usage": {
            "period": month,
            "seconds_used": float(used),
            "seconds_left": None if limit <= 0 else max(0.0, limit - float(used)),
        },
        "jobs": {
            "running": counts.get("in_progress", 0) + counts.get("in_review", 0),
            "queued": counts.get("queued", 0),
            "concurrency": plan.concurrency,
            "total": sum(counts.values()),
        },
        "choices": choices(plan.max_short_side, plan.max_seconds),
        "models": ctx.engines.models(),
        "default_model": ctx.config.server.default_model,
        "keys": keys(ctx, user),
    }


def choices(max_short_side: int, max_seconds: int) -> dict:
    """The sizes and durations a plan allows, for the create form."""
    sizes = {
        aspect: [s for s in options if min(map(int, s.split("x"))) <= max_short_side]
        for aspect, options in SIZES.items()
    }
    durations = [d for d in DURATIONS if d <= max_seconds] or [max_seconds]
    return {"sizes": sizes, "seconds": durations}


def keys(ctx: Context, user: User) -> list[dict]:
    return [
        {"id": k["id"], "prefix": k["prefix"], "created_at": k["created_at"]}
        for k in list_keys(ctx.db, user.name)
        if k["revoked_at"] is None
    ]


def new_key(ctx: Context, user: User) -> dict:
    made = create_key(ctx.db, user.name, None)
    return {"id": made.key_id, "key": made.key, "prefix": made.key[:7], "object": "api_key"}


def revoke_key(ctx: Context, user: User, key_id: str) -> dict:
    """Revoke one of the user's own keys (sessions opened with it end too)."""
    with ctx.db.begin() as conn:
        done = conn.execute(
            update(api_keys)
            .where(
                api_keys.c.id == key_id,
                api_keys.c.user_id == user.id,
                api_keys.c.revoked_at.is_(None),
            )
            .values(revoked_at=time.time())
        )
        conn.execute(delete(sessions).where(sessions.c.key_id == key_id))
    if done.rowcount == 0:
        raise NotFoundError(f"no active key {key_id!r}", param="key_id")
    return {"id": key_id, "object": "api_key", "revoked": True}


ERASED = "(deleted with the account)"  # a deleted user's prompt or file name in the log


def delete_account(ctx: Context, user: User, confirm: object) -> dict:
    """Delete the user, their keys, sessions, videos, uploads and characters. `confirm`
    must be the user's name, so nothing is lost to a stray click or request.

    The moderation log keeps its rows (when, what kind, the decision, category, rule,
    score: the operator's record of what was blocked and how often) but loses what the
    user wrote: the subject of their prompt and upload rows is erased."""
    if confirm != user.name:
        raise InvalidInputError(
            f"to delete the account, confirm with its name ({user.name!r}); everything in it "
            "is deleted for good, so export it first",
            param="confirm",
        )
    with ctx.db.begin() as conn:
        # Running jobs stop at their next step when their row is gone (as on delete).
        jobs = conn.execute(select(videos.c.id).where(videos.c.user_id == user.id)).all()
        uploads = conn.execute(select(files.c.path).where(files.c.user_id == user.id)).all()
        for table in (videos, files, characters, sessions, api_keys, usage):
            conn.execute(delete(table).where(table.c.user_id == user.id))
        written = moderation_log.c.what.in_(("prompt", "upload"))
        conn.execute(
            update(moderation_log)
            .where(moderation_log.c.user_id == user.id, written)
            .values(subject=ERASED)
        )
        conn.execute(delete(users).where(users.c.id == user.id))
    for upload in uploads:
        ctx.storage.delete_upload(upload.path)
    for job in jobs:
        ctx.storage.delete_video(job.id)
    return {"object": "account.deleted", "deleted": True, "videos": len(jobs)}
