"""Rows as the API's objects: exactly the fields the `openai` SDK reads."""

from __future__ import annotations

from sqlalchemy.engine import Row


def video_object(row: Row) -> dict:
    """A video as the SDK reads it. A job held for moderation review shows as
    in_progress (clients poll until completed or failed) and, only then and after, has
    reelforge's own field `review`: "pending", "approved" or "rejected"."""
    error = None
    if row.status == "failed":
        error = {
            "code": row.error_code or "generation_failed",
            "message": row.error_message or "generation failed",
            "param": row.error_param,
            "type": "server_error"
            if row.error_code == "internal_error"
            else "invalid_request_error",
        }
    video = {
        "id": row.id,
        "object": "video",
        "model": row.model,
        "status": "in_progress" if row.status == "in_review" else row.status,
        "progress": 99 if row.status == "in_review" else int(row.progress),
        "created_at": int(row.created_at),
        "completed_at": _seconds(row.completed_at),
        "expires_at": _seconds(row.expires_at),
        "prompt": row.prompt,
        "size": row.size,
        "seconds": row.seconds,
        "remixed_from_video_id": row.remixed_from_video_id,
        "error": error,
    }
    if row.review is not None:
        video["review"] = row.review
    return video


def file_object(row: Row) -> dict:
    return {
        "id": row.id,
        "object": "file",
        "bytes": int(row.bytes),
        "created_at": int(row.created_at),
        "filename": row.filename,
        "purpose": row.purpose,
        "status": "processed",
        "expires_at": None,
    }


def character_object(row: Row) -> dict:
    return {
        "id": row.id,
        "object": "character",
        "name": row.name,
        "created_at": int(row.created_at),
    }


def _seconds(value: float | None) -> int | None:
    return None if value is None else int(value)
