"""Browser sessions of the web studio: a person signs in with an API key once and the
browser then carries a random token in an httpOnly cookie (scripts cannot read it, so a
script injected into a page cannot steal a key). The session ends when the person signs
out, when it expires, or when the key it was opened with is revoked."""

from __future__ import annotations

import hashlib
import secrets
import time

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from reelforge.studio.accounts import User, hash_key
from reelforge.studio.db import api_keys, sessions, users
from reelforge.studio.errors import AuthenticationError

SESSION_DAYS = 14


def open_session(db: Engine, key: str | None) -> tuple[str, User]:
    """(a new session token, its user) for a valid key; AuthenticationError otherwise."""
    if not isinstance(key, str) or not key.strip():
        raise AuthenticationError("an API key is required to sign in", param="api_key")
    query = (
        select(users.c.id, users.c.name, users.c.plan, users.c.admin, api_keys.c.id.label("key"))
        .join(api_keys, api_keys.c.user_id == users.c.id)
        .where(api_keys.c.key_hash == hash_key(key.strip()), api_keys.c.revoked_at.is_(None))
    )
    token = secrets.token_urlsafe(32)
    now = time.time()
    with db.begin() as conn:
        row = conn.execute(query).first()
        if row is None:
            raise AuthenticationError("that API key is not valid (unknown or revoked)")
        conn.execute(delete(sessions).where(sessions.c.expires_at < now))  # tidy as we go
        conn.execute(
            sessions.insert().values(
                token_hash=_hash(token),
                user_id=row.id,
                key_id=row.key,
                created_at=now,
                expires_at=now + SESSION_DAYS * 86400,
            )
        )
    return token, User(row.id, row.name, row.plan, bool(row.admin))


def session_user(db: Engine, token: str) -> User:
    """The user of a live session whose key is still active."""
    query = (
        select(users.c.id, users.c.name, users.c.plan, users.c.admin)
        .join(sessions, sessions.c.user_id == users.c.id)
        .join(api_keys, api_keys.c.id == sessions.c.key_id)
        .where(
            sessions.c.token_hash == _hash(token),
            sessions.c.expires_at > time.time(),
            api_keys.c.revoked_at.is_(None),
        )
    )
    with db.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise AuthenticationError("your session has ended; sign in again with your API key")
    return User(row.id, row.name, row.plan, bool(row.admin))


def close_session(db: Engine, token: str | None) -> None:
    if token:
        with db.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.token_hash == _hash(token)))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
