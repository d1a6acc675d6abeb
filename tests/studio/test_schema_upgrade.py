"""A database made by an older release gains the columns added since, at connect, with
its rows kept (there are no migration scripts yet)."""

from __future__ import annotations

import sqlite3

from sqlalchemy import inspect, select

from reelforge.studio.db import connect, users, videos


def test_an_older_database_gains_the_new_columns_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:  # the users table as the first release made it
        conn.execute(
            "CREATE TABLE users (id VARCHAR(64) PRIMARY KEY, name VARCHAR(200) NOT NULL "
            "UNIQUE, plan VARCHAR(64) NOT NULL, created_at FLOAT NOT NULL)"
        )
        conn.execute("INSERT INTO users VALUES ('user_1', 'ada', 'pro', 1.0)")
    engine = connect(f"sqlite:///{path}")
    try:
        columns = {c["name"] for c in inspect(engine).get_columns("users")}
        assert "admin" in columns
        assert "review" in {c["name"] for c in inspect(engine).get_columns(videos.name)}
        with engine.connect() as conn:
            row = conn.execute(select(users)).one()
        assert (row.name, row.plan, row.admin) == ("ada", "pro", False)
    finally:
        engine.dispose()


def test_connecting_twice_changes_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    for _ in range(2):
        connect(url).dispose()
