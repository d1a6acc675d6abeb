"""A clip as the web studio's clip page shows it: the Video object plus what the API's
object leaves out (the kind of job, the prompt's expansion, its parents, whether it is
published, what a download carries, and its Content Credentials' state)."""

from __future__ import annotations

import json
import logging

from sqlalchemy import select
from sqlalchemy.engine import Row

from reelforge.prompting import expand_prompt
from reelforge.provenance.c2pa_sign import verify
from reelforge.studio.accounts import User
from reelforge.studio.context import Context
from reelforge.studio.db import users, videos
from reelforge.studio.library import owned_video
from reelforge.studio.views import video_object
from reelforge.types import ReelforgeError

logger = logging.getLogger(__name__)
MAX_LINEAGE = 20  # parents shown; a longer chain is cut (it cannot loop, but be safe)


def details(ctx: Context, user: User, video_id: str) -> dict:
    row = owned_video(ctx, user, video_id)
    clip = video_object(row)
    clip.update(
        kind=row.kind,
        expanded_prompt=expand_prompt(row.prompt).expanded if row.prompt else "",
        parents=lineage(ctx, user, row),
        published_at=row.published_at,
        download="watermarked" if row.watermark else "clean",
        provenance=provenance(ctx, row),
    )
    return clip


def parent_id(row: Row) -> str | None:
    """The clip this one was made from: a remix's source, or an extension's or edit's."""
    if row.remixed_from_video_id:
        return row.remixed_from_video_id
    return json.loads(row.params).get("source_video_id")


def lineage(ctx: Context, user: User, row: Row) -> list[dict]:
    """Parents, nearest first: each with how the child was made from it and whether the
    viewer may open it (their own, or published by someone else)."""
    parents: list[dict] = []
    child = row
    with ctx.db.connect() as conn:
        while len(parents) < MAX_LINEAGE and (pid := parent_id(child)) is not None:
            parent = conn.execute(
                select(videos, users.c.name.label("owner"))
                .join(users, users.c.id == videos.c.user_id)
                .where(videos.c.id == pid)
            ).first()
            entry = {"id": pid, "relation": child.kind, "available": False, "owner": None}
            parents.append(entry)
            if parent is None:  # deleted since: the id is all that is left
                break
            mine = parent.user_id == user.id
            public = parent.published_at is not None
            if mine or public:
                entry.update(available=True, owner=parent.owner, mine=mine, prompt=parent.prompt)
            child = parent
    return parents


def provenance(ctx: Context, row: Row) -> dict:
    """The state of the download's Content Credentials: trusted, valid, invalid, unsigned
    (or pending before the clip exists)."""
    if row.status != "completed" or row.assets_deleted_at is not None:
        return {"state": "pending" if row.status != "failed" else "none"}
    try:
        found = verify(ctx.storage.asset(row.id, "video"), ctx.identity.trust_anchors)
    except ReelforgeError as e:
        return {"state": "unreadable", "reason": e.message}
    signer = (found.manifest or {}).get("signature_info", {}).get("issuer")
    return {"state": found.state, "signer": signer}
