"""A database of the release before the web studio gains what the studio keeps (a
video's `published_at`, the `sessions` table) at connect."""

from __future__ import annotations

import sqlite3

from sqlalchemy import inspect

from reelforge.studio.db import connect


def test_a_database_from_before_the_studio_gains_published_at_and_sessions(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    connect(url).dispose()
    with sqlite3.connect(tmp_path / "old.db") as conn:  # back to the release before
        conn.execute("DROP INDEX ix_videos_published_at")
        conn.execute("ALTER TABLE videos DROP COLUMN published_at")
        conn.execute("DROP TABLE sessions")
    engine = connect(url)
    try:
        found = inspect(engine)
        assert "published_at" in {c["name"] for c in found.get_columns("videos")}
        assert "sessions" in found.get_table_names()
    finally:
        engine.dispose()
