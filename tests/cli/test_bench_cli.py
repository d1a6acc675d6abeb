"""The benchmark commands run end to end (their figures go to docs/BENCHMARKS.md)."""

import json
import subprocess

from cli_process import run_cli


def run(*args: str) -> subprocess.CompletedProcess:
    return run_cli("bench", *args, ok=True)


def test_bench_world_reports_every_stage_per_size():
    out = run("world", "--scenes", "1", "--seconds", "1", "--size", "64x36", "--json").stdout
    report = json.loads(out)
    (row,) = report["rows"]
    assert row["size"] == "64x36"
    for key in ("render_fps", "physics_ms_per_clip", "sound_ms_per_clip", "judge_ms_per_clip"):
        assert row[key] > 0
    assert report["meta"]["threads"].startswith("1 core")


def test_bench_dit_times_a_preset():
    out = run("dit", "--preset", "Reel-XS/2", "--size", "64x32", "--seconds", "1",
              "--repeats", "1", "--threads", "1", "--no-wan").stdout  # fmt: skip
    assert "reelforge VideoDiT" in out and "Reel-XS/2" in out
    assert "diffusers Wan" not in out


def test_bench_generate_reports_each_stage():
    out = run("generate", "--dit", "Reel-T/1", "--vae", "vae-test", "--size", "64x64",
              "--seconds", "1", "--steps", "2", "--threads", "1").stdout  # fmt: skip
    for stage in ("text", "transformer", "vae_decode", "mp4_encode", "wall / clip duration"):
        assert stage in out


def test_bench_generate_times_a_weights_folder_with_its_own_settings(tmp_path):
    from reelforge.engines.native_weights import EngineConfig, save_random_weights

    config = EngineConfig(sizes={"1:1": [[32, 32]]}, steps=3, guidance=1.0, text_encoder="hash")
    folder = save_random_weights(tmp_path / "w", config, name="tiny-test")
    out = run("generate", "--weights", str(folder), "--seconds", "1", "--threads", "1").stdout
    title = " ".join(out.split())  # rich wraps the title
    for part in ("32x32", "tiny-test", "3 steps", "guidance 1,", "float32"):
        assert part in title
    out = run("generate", "--weights", str(folder), "--seconds", "1", "--threads", "1",
              "--dtype", "bfloat16").stdout  # fmt: skip
    assert "bfloat16" in " ".join(out.split())
