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
    # The pages are under test here, not moderation review (tests/api/test_trust_api.py):
    # a blotch the face detector takes for a face would hold a job in review, and its page
    # would never say Ready (one browser test once waited 120 s for it in a full run).
    no_review = "\n[safety]\nreview_faces = false\n"
    srv = Server(tmp_path_factory.mktemp(f"web-{request.param}"), url, config=no_review)
    srv.start()
    yield srv
    srv.stop()
    release(srv)
    if schema:
        drop_schema(schema)
