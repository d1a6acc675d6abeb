"""Expiry: a completed video past its `expires_at` loses its files (the row stays, marked);
unexpired and never-expiring videos keep theirs."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from reelforge.provenance.identity import ensure_local_identity, installation_id
from reelforge.provenance.invisible import DEFAULT_KEY
from reelforge.safety import Moderator
from reelforge.studio.cleanup import delete_expired
from reelforge.studio.config import load_config
from reelforge.studio.context import Context, MarkSettings
from reelforge.studio.db import connect, database_url, videos
from reelforge.studio.engine_pool import EnginePool
from reelforge.studio.storage import MASTER, Storage
from reelforge.types import NotFoundError

NOW = 1_800_000_000.0


@pytest.fixture
def ctx(tmp_path):
    """SQLite and storage in a temp folder; engines are never built here."""
    config = load_config(tmp_path)
    engine = connect(database_url(tmp_path, None))
    identity = ensure_local_identity(tmp_path / "identity")
    mark = MarkSettings(DEFAULT_KEY, installation_id(identity))
    moderator = Moderator.from_config()  # loads nothing until used
    storage = Storage(tmp_path / "files")
    yield Context(config, engine, storage, EnginePool(config), identity, mark, moderator)
    engine.dispose()


def add_video(ctx: Context, video_id: str, expires_at: float | None) -> None:
    with ctx.db.begin() as conn:
        conn.execute(
            videos.insert().values(
                id=video_id,
                user_id="user_1",
                kind="create",
                model="sora-2",
                engine="native",
                status="completed",
                progress=100,
                prompt="a kite",
                size="128x72",
                seconds="4",
                params="{}",
                priority=0,
                concurrency=1,
                watermark=True,
                retention_s=None if expires_at is None else 86400,
                created_at=NOW - 90000,
                completed_at=NOW - 86400,
                expires_at=expires_at,
                attempts=1,
            )
        )
    folder = ctx.storage.video_dir(video_id)
    folder.mkdir(parents=True)
    for name in ("video.mp4", MASTER, "thumbnail.webp", "spritesheet.jpg"):
        (folder / name).write_bytes(b"x")


def marked_at(ctx: Context, video_id: str) -> tuple[float | None, float | None]:
    """(assets_deleted_at, files_deleted_at): when it was marked expired, when its files went."""
    with ctx.db.connect() as conn:
        row = conn.execute(
            select(videos.c.assets_deleted_at, videos.c.files_deleted_at).where(
                videos.c.id == video_id
            )
        ).one()
    return row.assets_deleted_at, row.files_deleted_at


def test_expired_videos_are_marked_first_and_lose_their_files_after_the_grace(ctx):
    add_video(ctx, "video_old", expires_at=NOW - 1)
    add_video(ctx, "video_due", expires_at=NOW)
    add_video(ctx, "video_new", expires_at=NOW + 3600)
    add_video(ctx, "video_kept", expires_at=None)

    # Marked, so downloads are refused, but a download already past its check still
    # finds its file (the race this grace is for).
    assert delete_expired(ctx, now=NOW, grace_s=30) == []
    for due in ("video_old", "video_due"):
        assert marked_at(ctx, due) == (NOW, None)
        assert ctx.storage.asset(due, "video").exists()
    assert delete_expired(ctx, now=NOW + 29, grace_s=30) == []

    assert sorted(delete_expired(ctx, now=NOW + 30, grace_s=30)) == ["video_due", "video_old"]
    for gone in ("video_old", "video_due"):
        assert not ctx.storage.video_dir(gone).exists()
        assert marked_at(ctx, gone) == (NOW, NOW + 30)
        with pytest.raises(NotFoundError):
            ctx.storage.asset(gone, "video")
    for kept in ("video_new", "video_kept"):
        assert ctx.storage.asset(kept, "video").exists()
        assert ctx.storage.master(kept).name == MASTER
        assert marked_at(ctx, kept) == (None, None)


def test_a_later_pass_deletes_nothing_more(ctx):
    add_video(ctx, "video_old", expires_at=NOW - 1)
    assert delete_expired(ctx, now=NOW, grace_s=0) == ["video_old"]
    assert delete_expired(ctx, now=NOW + 10, grace_s=0) == []
    assert marked_at(ctx, "video_old") == (NOW, NOW)  # the first pass's times


def test_the_default_now_is_the_clock(ctx):
    add_video(ctx, "video_past", expires_at=time.time() - 5)
    add_video(ctx, "video_future", expires_at=time.time() + 3600)
    assert delete_expired(ctx, grace_s=0) == ["video_past"]
    assert ctx.storage.video_dir("video_future").exists()


def test_a_marked_video_refuses_downloads_before_its_files_go(ctx):
    from reelforge.studio.accounts import User
    from reelforge.studio.library import content

    add_video(ctx, "video_old", expires_at=NOW - 1)
    delete_expired(ctx, now=NOW, grace_s=30)
    assert ctx.storage.asset("video_old", "video").exists()
    with pytest.raises(NotFoundError, match="expired"):
        content(ctx, User("user_1", "someone", "pro"), "video_old", "video")
