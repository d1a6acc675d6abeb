"""Fixtures: one real server per backend (SQLite, PostgreSQL) for a test module."""

from __future__ import annotations

from pathlib import Path

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


# An API test that waits on a job which never ends (held for review, a worker gone) fails
# at this bound with its stack, not at the suite's 600 s. The slowest passes in 34-70 s
# with two test workers on the faster CI VM; the other VM is ~1.6x slower.
API_TEST_TIMEOUT_S = 300


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(API_TEST_TIMEOUT_S))
