"""examples/sora_client.py, Sora-era code changed only in base_url and api_key, runs
against a real `reelforge serve` and writes the files it says it writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from api.server import Server, new_user
from reelforge.media import probe

EXAMPLE = Path(__file__).parents[2] / "examples" / "sora_client.py"


def test_the_sora_example_runs_against_reelforge(tmp_path):
    server = Server(tmp_path)
    server.start()
    try:
        env = {
            **os.environ,
            "OPENAI_BASE_URL": server.base_url,
            "OPENAI_API_KEY": server.key(new_user(), "pro"),
            "OUT_DIR": str(tmp_path),
        }
        proc = subprocess.run(
            [sys.executable, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=300
        )
    finally:
        server.stop()
    assert proc.returncode == 0, proc.stderr
    assert "remix of video_" in proc.stdout
    for name in ("video.mp4", "remix.mp4"):
        info = probe(tmp_path / name)
        assert (info["width"], info["height"], info["duration"]) == (1280, 720, 4.0)
    assert (tmp_path / "thumb.webp").stat().st_size > 0
    assert (tmp_path / "sprites.jpg").stat().st_size > 0
