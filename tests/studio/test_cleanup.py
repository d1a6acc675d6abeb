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


def deleted_at(ctx: Context, video_id: str) -> float | None:
    with ctx.db.connect() as conn:
        return conn.execute(
            select(videos.c.assets_deleted_at).where(videos.c.id == video_id)
        ).scalar_one()


def test_expired_files_go_and_the_row_stays_marked(ctx):
    add_video(ctx, "video_old", expires_at=NOW - 1)
    add_video(ctx, "video_due", expires_at=NOW)
    add_video(ctx, "video_new", expires_at=NOW + 3600)
    add_video(ctx, "video_kept", expires_at=None)

    assert sorted(delete_expired(ctx, now=NOW)) == ["video_due", "video_old"]

    for gone in ("video_old", "video_due"):
        assert not ctx.storage.video_dir(gone).exists()
        assert deleted_at(ctx, gone) == NOW
        with pytest.raises(NotFoundError):
            ctx.storage.asset(gone, "video")
    for kept in ("video_new", "video_kept"):
        assert ctx.storage.asset(kept, "video").exists()
        assert ctx.storage.master(kept).name == MASTER
        assert deleted_at(ctx, kept) is None


def test_a_second_pass_deletes_nothing_more(ctx):
    add_video(ctx, "video_old", expires_at=NOW - 1)
    assert delete_expired(ctx, now=NOW) == ["video_old"]
    assert delete_expired(ctx, now=NOW + 10) == []
    assert deleted_at(ctx, "video_old") == NOW  # the first deletion's time


def test_the_default_now_is_the_clock(ctx):
    add_video(ctx, "video_past", expires_at=time.time() - 5)
    add_video(ctx, "video_future", expires_at=time.time() + 3600)
    assert delete_expired(ctx) == ["video_past"]
    assert ctx.storage.video_dir("video_future").exists()
