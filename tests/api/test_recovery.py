"""Recovery: a server killed with SIGKILL mid-job loses nothing it accepted. The next
start puts the interrupted job back in the queue, and it and the jobs queued behind it
(with their uploads) complete."""

from __future__ import annotations

import time

import numpy as np
import pytest

from api.media_helpers import clip_of, png
from api.server import Server, drop_schema, new_user, postgres_schema
from reelforge.media import probe


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_server(request, tmp_path):
    schema = url = None
    if request.param == "postgresql":
        schema, url = postgres_schema()
    srv = Server(tmp_path, url)
    yield srv
    srv.stop()
    if schema:
        drop_schema(schema)


def test_a_killed_server_finishes_its_jobs_after_restart(fresh_server, tmp_path):
    server = fresh_server
    server.start()
    client = server.client(server.key(new_user(), "pro"))
    running = client.videos.create(prompt="a red ball bounces", size="128x72", seconds="12")
    waiting = client.videos.create(
        prompt="a blue cube slides left",
        size="128x72",
        seconds="1",
        input_reference=("first.png", png(128, 72, (30, 90, 200)), "image/png"),
    )
    deadline = time.monotonic() + 120
    while (now := client.videos.retrieve(running.id)).progress < 10:
        assert now.status != "completed", "the job finished before the kill: make it longer"
        assert time.monotonic() < deadline, "the job never started"
        time.sleep(0.2)
    assert client.videos.retrieve(waiting.id).status == "queued"

    server.kill()
    server.start()

    for job, seconds in ((running, 12), (waiting, 1)):
        video = client.videos.poll(job.id)
        assert video.status == "completed", video.error
        path = tmp_path / f"{job.id}.mp4"
        client.videos.download_content(job.id).write_to_file(path)
        assert probe(path)["duration"] == pytest.approx(seconds, abs=0.05)
    first = clip_of(client.videos.download_content(waiting.id).read()).frames[0]
    assert np.abs(first.reshape(-1, 3).mean(0) - (30, 90, 200)).max() < 30  # the upload survived
    assert "requeued 1 interrupted jobs" in server.log()
