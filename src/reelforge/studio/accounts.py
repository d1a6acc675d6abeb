"""Accounts and API keys. A key is shown once, when it is made; only its SHA-256 is
stored, so a leaked database does not leak keys (they are long random strings, so a
plain hash is enough: there is nothing to brute-force)."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from reelforge.studio.db import api_keys, users
from reelforge.studio.errors import AuthenticationError
from reelforge.studio.ids import new_id
from reelforge.types import InvalidInputError, NotFoundError

KEY_PREFIX = "rf-"


@dataclass(frozen=True)
class User:
    id: str
    name: str
    plan: str
    admin: bool = False  # may approve or reject flagged videos


@dataclass(frozen=True)
class NewKey:
    user: User
    key: str  # the only time the key exists in clear
    key_id: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(db: Engine, user_name: str, plan: str | None, admin: bool | None = None) -> NewKey:
    """A new key for `user_name`, creating the user (plan required then) if needed; an
    existing user's plan (and admin role) changes when `plan` (`admin`) is given."""
    name = user_name.strip()
    if not name:
        raise InvalidInputError("a user name is required", param="user")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    now = time.time()
    with db.begin() as conn:
        row = conn.execute(select(users).where(users.c.name == name)).first()
        if row is None:
            if plan is None:
                raise InvalidInputError(f"new user {name!r} needs a --plan", param="plan")
            user = User(new_id("user_"), name, plan, bool(admin))
            conn.execute(
                users.insert().values(
                    id=user.id, name=name, plan=plan, admin=user.admin, created_at=now
                )
            )
        else:
            user = User(row.id, row.name, plan or row.plan, row.admin if admin is None else admin)
            if (user.plan, user.admin) != (row.plan, row.admin):
                conn.execute(
                    update(users)
                    .where(users.c.id == user.id)
                    .values(plan=user.plan, admin=user.admin)
                )
        key_id = new_id("key_")
        conn.execute(
            api_keys.insert().values(
                id=key_id,
                user_id=user.id,
                key_hash=hash_key(key),
                prefix=key[: len(KEY_PREFIX) + 4],
                created_at=now,
            )
        )
    return NewKey(user, key, key_id)


def authenticate(db: Engine, key: str | None) -> User:
    """The user a key belongs to; AuthenticationError for a missing, unknown or revoked key."""
    if not key:
        raise AuthenticationError(
            "missing API key: send it as 'Authorization: Bearer KEY'",
            hint="make one with `reelforge keys create --user NAME --plan PLAN`",
        )
    query = (
        select(users.c.id, users.c.name, users.c.plan, users.c.admin)
        .join(api_keys, api_keys.c.user_id == users.c.id)
        .where(api_keys.c.key_hash == hash_key(key), api_keys.c.revoked_at.is_(None))
    )
    with db.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise AuthenticationError("incorrect API key provided")
    return User(row.id, row.name, row.plan, bool(row.admin))


def revoke_key(db: Engine, key_id: str) -> None:
    with db.begin() as conn:
        done = conn.execute(
            update(api_keys)
            .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=time.time())
        )
    if done.rowcount == 0:
        raise NotFoundError(f"no active key {key_id!r}", param="key")


def list_keys(db: Engine, user_name: str) -> list[dict]:
    query = (
        select(api_keys.c.id, api_keys.c.prefix, api_keys.c.created_at, api_keys.c.revoked_at)
        .join(users, users.c.id == api_keys.c.user_id)
        .where(users.c.name == user_name)
        .order_by(api_keys.c.created_at)
    )
    with db.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]
