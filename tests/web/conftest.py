"""Fixtures: one real `reelforge serve` per test module, as in tests/api — on SQLite and
on this machine's PostgreSQL for the JSON routes (the browser tests use SQLite only)."""

from __future__ import annotations

import pytest

from api.server import Server, drop_schema, postgres_schema
from web.keys import release


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory):
    schema = url = None
    if request.param == "postgresql":
        schema, url = postgres_schema()
    srv = Server(tmp_path_factory.mktemp(f"web-{request.param}"), url)
    srv.start()
    yield srv
    srv.stop()
    release(srv)
    if schema:
        drop_schema(schema)
