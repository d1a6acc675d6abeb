"""API keys for test users, made with the studio's own account code against the running
server's database (what `reelforge keys create` does, without starting a Python process
per user, which costs seconds each)."""

from __future__ import annotations

from reelforge.studio.accounts import create_key
from reelforge.studio.db import connect, database_url


def make_key(server, user: str, plan: str = "pro") -> str:
    if getattr(server, "_db", None) is None:
        server._db = connect(database_url(server.data, server.database_url))
    return create_key(server._db, user, plan).key


def release(server) -> None:
    """Close make_key's connections (a PostgreSQL schema cannot be dropped under them)."""
    if getattr(server, "_db", None) is not None:
        server._db.dispose()
        server._db = None
