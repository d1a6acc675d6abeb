"""Fixtures: one real `reelforge serve` (SQLite) per test module, as in tests/api."""

from __future__ import annotations

import pytest

from api.server import Server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("web-server"))
    srv.start()
    yield srv
    srv.stop()
