"""Fixtures: one real server per backend (SQLite, PostgreSQL) for a test module."""

from __future__ import annotations

import pytest

from api.server import Server, drop_schema, new_user, postgres_schema


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory):
    schema = None
    url = None
    if request.param == "postgresql":
        schema, url = postgres_schema()
    srv = Server(tmp_path_factory.mktemp(f"server-{request.param}"), url)
    srv.backend = request.param
    srv.start()
    yield srv
    srv.stop()
    if schema:
        drop_schema(schema)


@pytest.fixture(scope="module")
def pro(server):
    """A client for a new pro user."""
    return server.client(server.key(new_user(), "pro"))
