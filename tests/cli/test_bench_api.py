"""`reelforge bench api` against a real server: every request answered, the queue emptied."""

import json

import httpx
import pytest

from api.server import Server, new_user
from cli_process import run_cli


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("bench-api"), workers=0)  # jobs stay queued
    srv.start()
    yield srv
    srv.stop()


def test_bench_api_times_every_phase_and_deletes_its_videos(server):
    key = server.key(new_user(), "pro")
    proc = run_cli("bench", "api", "--base-url", server.base_url, "--key", key,
                   "--clients", "5", "--creates", "10", "--retrievals", "50", "--json",
                   ok=True)  # fmt: skip
    rows = {r["phase"]: r for r in json.loads(proc.stdout)["rows"]}
    assert [(r["count"], r["errors"]) for r in rows.values()] == [(10, 0), (50, 0), (10, 0)]
    assert list(rows) == ["create", "retrieve", "delete"]
    for row in rows.values():
        assert 0 < row["p50_ms"] <= row["p99_ms"] <= row["max_ms"]
        assert row["per_s"] > 0
    listed = httpx.get(f"{server.base_url}/videos", headers={"Authorization": f"Bearer {key}"})
    assert listed.json()["data"] == []


def test_bench_api_counts_refused_requests_as_errors(server):
    """A user over quota: the creates fail, so the command exits 1 and shows the body."""
    key = server.key(new_user(), "tiny")  # 3 seconds a month: one 2 s video fits at a time
    proc = run_cli("bench", "api", "--base-url", server.base_url, "--key", key, "--clients",
                   "2", "--creates", "4", "--retrievals", "5", "--seconds", "2", "--json")  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    create, _, delete = json.loads(proc.stdout)["rows"]
    assert (create["count"], create["errors"]) == (4, 3)
    assert "HTTP 429" in create["first_error"] and "used up" in create["first_error"]
    assert (delete["count"], delete["errors"]) == (1, 0)
