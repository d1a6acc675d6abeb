"""The review queue: videos whose output moderation flagged wait, `in_review`, for an
admin to approve (the owner gets them as completed) or reject (they fail with
`moderation_blocked`, their files are deleted and their seconds given back). Each
decision goes to the moderation log with the admin who made it."""

from __future__ import annotations

import time

from sqlalchemy import desc, select, update
from sqlalchemy.engine import Engine

from reelforge.safety import Decision
from reelforge.studio.accounts import User
from reelforge.studio.db import moderation_log, users, videos
from reelforge.studio.errors import ConflictError, PermissionDeniedError
from reelforge.studio.moderation import log
from reelforge.studio.queue import refund
from reelforge.studio.storage import VARIANTS, Storage
from reelforge.types import InvalidInputError, NotFoundError

MAX_PAGE = 100


def require_admin(user: User) -> None:
    if not user.admin:
        raise PermissionDeniedError(
            "this needs an admin's key",
            hint="an operator makes one with `reelforge keys create --user NAME --admin`",
        )


def pending(db: Engine, admin: User) -> dict:
    """Every video waiting for review, oldest first, with why it was flagged."""
    require_admin(admin)
    flagged = (
        select(moderation_log)
        .where(moderation_log.c.what == "output", moderation_log.c.action == "review")
        .subquery()
    )
    query = (
        select(videos, users.c.name.label("user_name"), flagged.c.category, flagged.c.rule)
        .join(users, users.c.id == videos.c.user_id)
        .outerjoin(flagged, flagged.c.video_id == videos.c.id)
        .where(videos.c.status == "in_review")
        .order_by(videos.c.seq)
    )
    with db.connect() as conn:
        rows = conn.execute(query).all()
    return {"object": "list", "data": [_review_object(r) for r in rows]}


def approve(db: Engine, admin: User, video_id: str) -> dict:
    """Release a flagged video to its owner as completed."""
    require_admin(admin)
    now = time.time()
    with db.begin() as conn:
        row = _in_review(conn, video_id)
        expires = now + row.retention_s if row.retention_s else None
        conn.execute(
            update(videos)
            .where(videos.c.id == video_id)
            .values(status="completed", review="approved", completed_at=now, expires_at=expires)
        )
        decision = Decision("approve", rule="review:approved", layer="review")  # type: ignore[arg-type]
        log(db, admin.id, "review", video_id, decision, video_id=video_id, conn=conn)
    return {"id": video_id, "object": "video.review", "review": "approved"}


def reject(db: Engine, storage: Storage, admin: User, video_id: str, reason: object = None) -> dict:
    """Fail a flagged video (moderation_blocked), delete its files, refund its seconds."""
    require_admin(admin)
    if reason is not None and not isinstance(reason, str):
        raise InvalidInputError("reason must be a string", param="reason")
    why = (reason or "").strip()
    with db.begin() as conn:
        _in_review(conn, video_id)
        message = "the video was rejected in moderation review" + (f": {why}" if why else "")
        conn.execute(
            update(videos)
            .where(videos.c.id == video_id)
            .values(
                status="failed",
                review="rejected",
                completed_at=time.time(),
                error_code="moderation_blocked",
                error_message=message,
                error_param=None,
            )
        )
        refund(conn, video_id)
        decision = Decision("reject", rule="review:rejected", layer="review")  # type: ignore[arg-type]
        log(db, admin.id, "review", why or video_id, decision, video_id=video_id, conn=conn)
    storage.delete_video(video_id)
    return {"id": video_id, "object": "video.review", "review": "rejected"}


def content(db: Engine, storage: Storage, admin: User, video_id: str, variant: str):
    """A held video's file, for the admin deciding on it: (path, media type)."""
    require_admin(admin)
    if variant not in VARIANTS:
        raise InvalidInputError(
            f"variant must be one of {', '.join(VARIANTS)}; got {variant!r}", param="variant"
        )
    with db.connect() as conn:
        _in_review(conn, video_id)
    return storage.asset(video_id, variant), VARIANTS[variant][1]


def audit(db: Engine, admin: User, limit: int = 50, before: int | None = None) -> dict:
    """The moderation log, newest first; `before` pages back by sequence number."""
    require_admin(admin)
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInputError(f"limit must be 1..{MAX_PAGE}; got {limit}", param="limit")
    query = select(moderation_log, users.c.name.label("user_name")).outerjoin(
        users, users.c.id == moderation_log.c.user_id
    )
    if before is not None:
        query = query.where(moderation_log.c.seq < before)
    with db.connect() as conn:
        rows = conn.execute(query.order_by(desc(moderation_log.c.seq)).limit(limit + 1)).all()
    data = [_audit_object(r) for r in rows[:limit]]
    return {"object": "list", "data": data, "has_more": len(rows) > limit}


def _in_review(conn, video_id: str):
    row = conn.execute(select(videos).where(videos.c.id == video_id)).first()
    if row is None:
        raise NotFoundError(f"no video with id {video_id!r}", param="video_id")
    if row.status != "in_review":
        raise ConflictError(
            f"video {video_id} is not waiting for review (it is {row.status.replace('_', ' ')})",
            param="video_id",
        )
    return row


def _review_object(row) -> dict:
    return {
        "id": row.id,
        "object": "video.review",
        "user": row.user_name,
        "prompt": row.prompt,
        "model": row.model,
        "size": row.size,
        "seconds": row.seconds,
        "created_at": int(row.created_at),
        "category": row.category,
        "rule": row.rule,
        "review": row.review,
    }


def _audit_object(row) -> dict:
    return {
        "seq": row.seq,
        "at": row.at,
        "user": row.user_name,
        "user_id": row.user_id,
        "what": row.what,
        "subject": row.subject,
        "action": row.action,
        "category": row.category,
        "rule": row.rule,
        "layer": row.layer,
        "score": row.score,
        "video_id": row.video_id,
    }
