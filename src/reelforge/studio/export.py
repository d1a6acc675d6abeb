"""Export everything a person made, as one zip they keep: every finished clip (as their
plan downloads it) with its thumbnail, every prompt with its expansion and lineage, the
files they uploaded, and their account's plan. Sora's users lost their work when it
closed; here a person can always take it with them.

    clips/<video id>.mp4, clips/<video id>.webp
    uploads/<file id>-<file name>
    videos.json    every job: the Video object, kind, expansion, parents, published
    prompts.txt    one line per job: id, status, prompt
    account.json   name, plan, when exported
"""

from __future__ import annotations

import json
import secrets
import time
import zipfile
from pathlib import Path

from sqlalchemy import select

from reelforge.prompting import expand_prompt
from reelforge.studio.accounts import User
from reelforge.studio.clips import parent_ids
from reelforge.studio.context import Context
from reelforge.studio.db import files, videos
from reelforge.studio.views import video_object
from reelforge.types import NotFoundError

STALE_S = 3600  # an export file older than this was abandoned
README = """This is everything you made in reelforge, exported {when}.
clips/ holds each finished clip and its thumbnail; videos.json every job with its prompt,
expansion and parents; prompts.txt the prompts alone; uploads/ the files you sent.
"""


def export_zip(ctx: Context, user: User) -> Path:
    """Write the user's zip to a fresh file under DATA/exports and return its path (the
    caller deletes it once sent)."""
    folder = ctx.config.data_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    _forget_old(folder)
    target = folder / f"{user.id}-{secrets.token_hex(8)}.zip"
    with ctx.db.connect() as conn:
        rows = conn.execute(
            select(videos).where(videos.c.user_id == user.id).order_by(videos.c.seq)
        ).all()
        uploads = conn.execute(select(files).where(files.c.user_id == user.id)).all()
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("README.txt", README.format(when=when))
        account = {"name": user.name, "plan": user.plan, "exported_at": when}
        zf.writestr("account.json", json.dumps(account, indent=2))
        zf.writestr("videos.json", json.dumps([_record(r) for r in rows], indent=2))
        zf.writestr("prompts.txt", "".join(f"{r.id}\t{r.status}\t{r.prompt}\n" for r in rows))
        for row in rows:
            _add_assets(ctx, zf, row)
        for upload in uploads:
            path = ctx.storage.path(upload.path)
            if path.exists():
                zf.write(path, f"uploads/{upload.id}-{Path(upload.filename).name}")
    return target


def _forget_old(folder: Path) -> None:
    """Delete exports left behind (a download the client abandoned is never unlinked)."""
    for old in folder.glob("*.zip"):
        if time.time() - old.stat().st_mtime > STALE_S:
            old.unlink(missing_ok=True)


def _record(row) -> dict:
    record = video_object(row)
    record.update(
        kind=row.kind,
        expanded_prompt=expand_prompt(row.prompt).expanded if row.prompt else "",
        parent_video_ids=parent_ids(row),
        published_at=row.published_at,
        clip=f"clips/{row.id}.mp4" if _has_assets(row) else None,
    )
    return record


def _has_assets(row) -> bool:
    return row.status == "completed" and row.assets_deleted_at is None


def _add_assets(ctx: Context, zf: zipfile.ZipFile, row) -> None:
    if not _has_assets(row):
        return
    for variant, suffix in (("video", "mp4"), ("thumbnail", "webp")):
        try:
            path = ctx.storage.asset(row.id, variant)
        except NotFoundError:
            continue
        # MP4 and WebP are compressed already: store them as they are.
        zf.write(path, f"clips/{row.id}.{suffix}", compress_type=zipfile.ZIP_STORED)
