"""Browser sessions of the web studio: a key opens one, only the token's hash is kept,
and it ends at sign-out, at expiry, or when its key is revoked; on both backends."""

from __future__ import annotations

import hashlib
import time

import pytest
from sqlalchemy import select, update

from reelforge.studio.accounts import create_key, revoke_key
from reelforge.studio.db import sessions
from reelforge.studio.errors import AuthenticationError
from reelforge.studio.session import close_session, open_session, session_user


def test_a_key_opens_a_session_for_its_user(db):
    made = create_key(db, "ada", "pro")
    token, user = open_session(db, made.key)
    assert user == made.user and session_user(db, token) == made.user
    with db.connect() as conn:
        stored = conn.execute(select(sessions.c.token_hash)).scalar_one()
    assert stored == hashlib.sha256(token.encode()).hexdigest() != token


@pytest.mark.parametrize("key", [None, "", "  ", "rf-unknown"])
def test_no_session_without_a_valid_key(db, key):
    create_key(db, "ada", "pro")
    with pytest.raises(AuthenticationError):
        open_session(db, key)


def test_sign_out_ends_the_session(db):
    token, _ = open_session(db, create_key(db, "ada", "pro").key)
    close_session(db, token)
    with pytest.raises(AuthenticationError, match="sign in again"):
        session_user(db, token)


def test_revoking_the_key_ends_its_sessions_only(db):
    first = create_key(db, "ada", "pro")
    second = create_key(db, "ada", None)
    token_a, _ = open_session(db, first.key)
    token_b, _ = open_session(db, second.key)
    revoke_key(db, first.key_id)
    with pytest.raises(AuthenticationError):
        session_user(db, token_a)
    assert session_user(db, token_b).name == "ada"


def test_an_expired_session_ends_and_is_tidied_at_the_next_sign_in(db):
    key = create_key(db, "ada", "pro").key
    old, _ = open_session(db, key)
    with db.begin() as conn:
        conn.execute(update(sessions).values(expires_at=time.time() - 1))
    with pytest.raises(AuthenticationError):
        session_user(db, old)
    open_session(db, key)
    with db.connect() as conn:
        assert len(conn.execute(select(sessions)).all()) == 1
