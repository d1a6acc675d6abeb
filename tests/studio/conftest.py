"""A studio database per backend (SQLite in a temp folder; a fresh PostgreSQL schema)."""

from __future__ import annotations

import pytest

from api.server import drop_schema, postgres_schema
from reelforge.studio.db import connect, database_url


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "sqlite":
        engine = connect(database_url(tmp_path, None))
        yield engine
        engine.dispose()
        return
    schema, url = postgres_schema()
    engine = connect(database_url(tmp_path, url))
    yield engine
    engine.dispose()
    drop_schema(schema)
