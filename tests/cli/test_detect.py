"""`reelforge detect CLIP`: exit 0 when the invisible mark is found, 1 when not, 2 for a
file it cannot read; --json prints the payload and the confidence."""

from __future__ import annotations

import json

import pytest

from cli_process import run_cli
from reelforge.media import write_mp4
from reelforge.provenance.invisible import embed
from reelforge.provenance.payload import Payload
from reelforge.types import Clip

PAYLOAD = Payload(installation=0x1234ABCD, job=0x0BADF00D)


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    """A marked and an unmarked MP4 at the native engine's 128x72, as `generate` writes."""
    from reelforge.world.clip import render_clip
    from reelforge.world.sampler import sample_scene

    folder = tmp_path_factory.mktemp("detect")
    native = {
        seed: Clip(render_clip(sample_scene(seed), 128, 72, 12.0, 2.0, audio=False).frames, 12.0)
        for seed in (1, 6)
    }
    marked = write_mp4(embed(native[1], PAYLOAD), folder / "marked.mp4", preset="fast")
    plain = write_mp4(native[6], folder / "plain.mp4", preset="fast")
    return marked, plain


def test_found_exits_0_in_text_and_json(clips):
    marked, _ = clips
    proc = run_cli("detect", str(marked))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("found: installation 1234abcd, job 0badf00d")
    proc = run_cli("detect", str(marked), "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["found"] and report["payload"] == PAYLOAD.hex()
    assert report["confidence"] > 0.99 and report["file"] == str(marked)


def test_not_found_exits_1_in_text_and_json(clips):
    marked, plain = clips
    proc = run_cli("detect", str(plain))
    assert proc.returncode == 1 and proc.stdout.startswith("not found")
    proc = run_cli("detect", str(marked), "--json", "--key", "another-key")
    assert proc.returncode == 1  # marked, but not with this key
    report = json.loads(proc.stdout)
    assert report["found"] is False and report["payload"] is None


@pytest.mark.parametrize("content", [None, b"not a video"], ids=["missing", "garbage"])
def test_unreadable_file_exits_2(tmp_path, content):
    path = tmp_path / "clip.mp4"
    if content is not None:
        path.write_bytes(content)
    proc = run_cli("detect", str(path))
    assert proc.returncode == 2
    assert "error" in proc.stderr
