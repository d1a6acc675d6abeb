"""Users and API keys: a key is shown once and stored only as its hash; it
authenticates its user until revoked."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from reelforge.studio.accounts import (
    KEY_PREFIX,
    authenticate,
    create_key,
    list_keys,
    revoke_key,
)
from reelforge.studio.db import api_keys, connect, database_url, users
from reelforge.studio.errors import AuthenticationError
from reelforge.types import InvalidInputError, NotFoundError


@pytest.fixture
def db(tmp_path):
    """SQLite in a temp folder (overrides the two-backend fixture of conftest.py)."""
    engine = connect(database_url(tmp_path, None))
    yield engine
    engine.dispose()


def stored_keys(db) -> list[dict]:
    with db.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(api_keys))]


def test_create_key_makes_the_user_and_a_key(db):
    made = create_key(db, " ada ", "pro")
    assert made.user.name == "ada" and made.user.plan == "pro"
    assert made.key.startswith(KEY_PREFIX) and len(made.key) > 40
    assert authenticate(db, made.key) == made.user


def test_only_the_hash_of_the_key_is_stored(db):
    made = create_key(db, "ada", "pro")
    (row,) = stored_keys(db)
    assert row["id"] == made.key_id
    assert row["key_hash"] == hashlib.sha256(made.key.encode()).hexdigest()
    assert made.key not in repr(row)  # not in any column
    assert made.key.startswith(row["prefix"]) and len(row["prefix"]) < 10


def test_a_second_key_for_the_same_user(db):
    first = create_key(db, "ada", "pro")
    second = create_key(db, "ada", None)
    assert second.key != first.key and second.key_id != first.key_id
    assert second.user == first.user  # same id, plan kept
    assert authenticate(db, first.key) == authenticate(db, second.key) == first.user
    with db.connect() as conn:
        assert len(conn.execute(select(users)).all()) == 1


def test_a_new_key_can_change_the_plan(db):
    first = create_key(db, "ada", "plus")
    second = create_key(db, "ada", "pro")
    assert second.user.plan == "pro"
    assert authenticate(db, first.key).plan == "pro"  # the user's plan, not the key's


def test_a_new_user_needs_a_plan(db):
    with pytest.raises(InvalidInputError, match="needs a --plan") as e:
        create_key(db, "bob", None)
    assert e.value.param == "plan"
    assert stored_keys(db) == []


def test_a_user_name_is_required(db):
    with pytest.raises(InvalidInputError) as e:
        create_key(db, "  ", "pro")
    assert e.value.param == "user"


@pytest.mark.parametrize("key", ["", None, "rf-not-a-key", KEY_PREFIX])
def test_unknown_or_missing_keys_are_refused(db, key):
    create_key(db, "ada", "pro")
    with pytest.raises(AuthenticationError):
        authenticate(db, key)


def test_a_revoked_key_is_refused_and_others_still_work(db):
    old = create_key(db, "ada", "pro")
    new = create_key(db, "ada", None)
    revoke_key(db, old.key_id)
    with pytest.raises(AuthenticationError, match="incorrect API key"):
        authenticate(db, old.key)
    assert authenticate(db, new.key).name == "ada"
    with pytest.raises(NotFoundError):
        revoke_key(db, old.key_id)  # already revoked


def test_list_keys_shows_prefixes_and_state_only(db):
    old = create_key(db, "ada", "pro")
    new = create_key(db, "ada", None)
    create_key(db, "bob", "plus")
    revoke_key(db, old.key_id)
    listed = list_keys(db, "ada")
    assert [k["id"] for k in listed] == [old.key_id, new.key_id]
    assert listed[0]["revoked_at"] is not None and listed[1]["revoked_at"] is None
    for k, made in zip(listed, (old, new), strict=True):
        assert made.key.startswith(k["prefix"])
        assert made.key not in repr(k)
    assert list_keys(db, "nobody") == []
