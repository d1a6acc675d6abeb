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


def parent_ids(row: Row) -> list[str]:
    """The clips this one was made from: a remix's source, an extension's or edit's, or
    every source of a blend or stitch (the first is the one its lineage follows)."""
    params = json.loads(row.params)
    ids = list(params.get("source_video_ids") or [])
    single = row.remixed_from_video_id or params.get("source_video_id")
    if single and single not in ids:
        ids.insert(0, single)
    return ids


def lineage(ctx: Context, user: User, row: Row) -> list[dict]:
    """Parents, nearest first (all sources of the clip itself, then the chain of its
    first source): each with how the child was made from it and whether the viewer may
    open it (their own, or published by someone else)."""
    parents: list[dict] = []
    child = row
    with ctx.db.connect() as conn:
        while len(parents) < MAX_LINEAGE and (ids := parent_ids(child)):
            found = {
                r.id: r
                for r in conn.execute(
                    select(videos, users.c.name.label("owner"))
                    .join(users, users.c.id == videos.c.user_id)
                    .where(videos.c.id.in_(ids))
                )
            }
            for pid in ids:
                parents.append(_parent(found.get(pid), pid, child.kind, user))
            child = found.get(ids[0])
            if child is None:  # deleted since: the id is all that is left
                break
    return parents


def _parent(parent: Row | None, pid: str, relation: str, user: User) -> dict:
    entry = {"id": pid, "relation": relation, "available": False, "owner": None}
    if parent is not None and (parent.user_id == user.id or parent.published_at is not None):
        mine = parent.user_id == user.id
        entry.update(available=True, owner=parent.owner, mine=mine, prompt=parent.prompt)
    return entry


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
