"""Characters: a named person or creature from a short video, owned by its creator.

Stored now (the video kept like any upload) so that clients written for Sora's
character API work; engines that declare the `characters` mode use them in a later
release. Another user's character is "not found". A character is a real person's
likeness when its video shows a face: the request must attest their consent
(`consent: true`), or it is refused (moderation.py).
"""

from __future__ import annotations

import time

from sqlalchemy import select

from reelforge.studio import moderation, uploads
from reelforge.studio.accounts import User
from reelforge.studio.context import Context
from reelforge.studio.db import characters
from reelforge.studio.ids import new_id
from reelforge.studio.requests import Upload
from reelforge.studio.views import character_object
from reelforge.types import InvalidInputError, NotFoundError

MAX_NAME = 80


def create(ctx: Context, user: User, fields: dict, video: Upload | None) -> dict:
    name = fields.get("name")
    consent = moderation.consent_of(fields.get("consent"))
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError("name must be a non-empty string", param="name")
    if len(name.strip()) > MAX_NAME:
        raise InvalidInputError(f"name is longer than {MAX_NAME} characters", param="name")
    if video is None:
        raise InvalidInputError("video (a file) is required", param="video")
    uploads.check_size(ctx, video, "video")
    uploads.video_info(video, "video")
    moderation.check_upload(ctx, user, video, consent, "video")
    character_id = new_id("char_")
    with ctx.db.begin() as conn:
        file_id = uploads.store(conn, ctx, user, video, "character")
        conn.execute(
            characters.insert().values(
                id=character_id,
                user_id=user.id,
                name=name.strip(),
                file_id=file_id,
                created_at=time.time(),
            )
        )
        row = conn.execute(select(characters).where(characters.c.id == character_id)).one()
    return character_object(row)


def get(ctx: Context, user: User, character_id: str) -> dict:
    with ctx.db.connect() as conn:
        row = conn.execute(
            select(characters).where(
                characters.c.id == character_id, characters.c.user_id == user.id
            )
        ).first()
    if row is None:
        raise NotFoundError(f"no character with id {character_id!r}", param="character_id")
    return character_object(row)
