"""Session-wide test settings."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def signing_identity_in_a_temp_folder(tmp_path_factory):
    """`reelforge generate` signs with the identity in REELFORGE_IDENTITY (else in the
    user's home): the tests, and the processes they start, use a temporary one."""
    os.environ["REELFORGE_IDENTITY"] = str(tmp_path_factory.mktemp("identity") / "identity")
    yield


@pytest.fixture(autouse=True, scope="session")
def user_cache_in_a_temp_folder(tmp_path_factory):
    """Caches reelforge writes for the user (the moderation examples of a custom policy)
    go to a temporary folder, for the tests and the processes they start."""
    os.environ["REELFORGE_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    yield
