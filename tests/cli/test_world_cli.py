"""The world commands as a user runs them: a real process, real files read back."""

import json
import subprocess

import pytest

from cli_process import run_cli
from reelforge.media import probe


def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
    return run_cli(*args, ok=ok)


@pytest.mark.parametrize(("size", "seconds", "fps"), [("256x144", 4, 12), ("90x160", 1.5, 24)])
def test_render_writes_a_playable_mp4_with_sound(tmp_path, size, seconds, fps):
    out = tmp_path / "sub" / "clip.mp4"
    proc = run("world", "render", "--seed", "3", "--size", size, "--seconds", str(seconds),
               "--fps", str(fps), "--out", str(out))  # fmt: skip
    lines = proc.stdout.strip().splitlines()
    assert lines[-1] == f"wrote {out}"
    assert len(" ".join(lines[:-1])) > 20  # the caption
    info = probe(out)
    w, h = map(int, size.split("x"))
    assert (info["width"], info["height"]) == (w, h)
    assert info["frames"] == round(seconds * fps)
    assert info["fps"] == pytest.approx(fps, rel=1e-3)
    assert info["has_audio"] and info["audio_codec"] == "aac"
    assert info["video_codec"] == "h264"


def test_render_a_scene_file_and_bad_input(tmp_path):
    scenes = tmp_path / "scenes.jsonl"
    run("world", "sample", "--count", "3", "--seed", "5", "--out", str(scenes))
    records = [json.loads(line) for line in scenes.read_text().splitlines()]
    assert [r["seed"] for r in records] == [5, 6, 7]
    assert all(r["caption"] and len(r["prompts"]) == 4 for r in records)
    one = tmp_path / "one.json"
    one.write_text(json.dumps(records[1]))
    out = tmp_path / "one.mp4"
    proc = run("world", "render", "--scene", str(one), "--size", "64x64", "--seconds", "1",
               "--out", str(out), "--no-audio")  # fmt: skip
    assert records[1]["caption"] in proc.stdout.replace("\n", " ")
    assert not probe(out)["has_audio"]

    bad = run("world", "render", "--size", "wide", "--out", str(out), ok=False)
    assert bad.returncode == 2 and "size" in bad.stderr
    one.write_text("{broken")
    bad = run("world", "render", "--scene", str(one), "--out", str(out), ok=False)
    assert bad.returncode == 2 and "JSON" in bad.stderr


def test_dataset_command(tmp_path):
    out = tmp_path / "ds"
    proc = run("world", "dataset", "--out", str(out), "--count", "4", "--bucket", "32x18x1@6",
               "--bucket", "18x32x1@6", "--workers", "2")  # fmt: skip
    assert "32x18_1s_6fps: 2 clips" in proc.stdout
    index = json.loads((out / "index.json").read_text())
    assert index["count"] == 4
