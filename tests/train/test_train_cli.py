"""`reelforge train ...` as a user runs it: a real process, a TOML file, files read back."""

from __future__ import annotations

import subprocess

import torch
from safetensors.torch import load_file

from cli_process import run_cli
from reelforge.engines.native import NativeEngine
from reelforge.model.dit import load_dit
from reelforge.model.flow import FlowConfig
from reelforge.model.vae import load_vae
from reelforge.types import GenerationSpec

VAE_TOML = """
[run]
steps = 3
threads = 1
eval_every = 3
[data]
path = "{data}"
batch_size = 2
holdout = 1
crop_frames = 5
[model]
preset = "vae-test"
stats_batches = 1
"""

DIT_TOML = """
[run]
steps = 2
threads = 1
eval_every = 0
[data]
holdout = 1
[model]
preset = "Reel-T/1"
[text]
encoder = "hash"
[flow]
base_shift = 4.0
"""


def run(*args: str) -> subprocess.CompletedProcess:
    return run_cli("train", *args)


def test_train_vae_then_dit_from_the_command_line(dataset, tmp_path):
    config = tmp_path / "vae.toml"
    config.write_text(VAE_TOML.format(data=dataset))
    out = tmp_path / "vae"
    proc = run("vae", "--config", str(config), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {out / 'vae.safetensors'} (held-out PSNR" in proc.stdout
    load_vae(out / "vae.safetensors")

    proc = run("vae", "--config", str(config), "--out", str(out), "--steps", "4", "--resume")
    assert proc.returncode == 0, proc.stderr

    dit = tmp_path / "dit.toml"
    dit.write_text(DIT_TOML)
    common = ("--config", str(dit), "--data", str(dataset), "--vae", str(out / "vae.safetensors"))
    proc = run("cache-latents", *common, "--out", str(tmp_path / "dit"))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "dit" / "latents" / "index.json").is_file()
    proc = run("dit", *common, "--out", str(tmp_path / "dit"))
    assert proc.returncode == 0, proc.stderr
    load_dit(tmp_path / "dit" / "dit.safetensors")

    files = (
        "--vae",
        str(out / "vae.safetensors"),
        "--dit",
        str(tmp_path / "dit" / "dit.safetensors"),
    )
    folder = tmp_path / "weights"
    sizes = ("--size", "1:1=32x32", "--size", "16:9=128x72", "--size", "1:1=64x64")
    chain = ("--max-seconds", "20", "--max-upscale", "16", "--sampler", "heun")
    proc = run(
        "export", *files, *sizes, *chain, "--text-encoder", "hash", "--steps", "2",
        "--out", str(folder),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    engine = NativeEngine(folder)
    assert engine.capabilities.sizes == {"1:1": ((32, 32), (64, 64)), "16:9": ((128, 72),)}
    assert engine.config.steps == 2
    assert (engine.config.max_seconds, engine.config.max_upscale) == (20.0, 16.0)
    assert engine.config.sampler == "heun"
    assert engine.config.flow == FlowConfig(base_shift=4.0)  # the DiT's training times
    half = load_file(folder / "dit.safetensors")
    assert all(v.dtype == torch.float16 for v in half.values() if v.is_floating_point())
    trained = load_dit(tmp_path / "dit" / "dit.safetensors").state_dict()
    assert all(torch.allclose(half[k].float(), v, rtol=1e-3, atol=1e-4) for k, v in trained.items())
    clip = engine.generate(GenerationSpec("a red ball", width=32, height=32, num_frames=5, fps=12))
    assert clip.frames.shape == (5, 32, 32, 3)

    proc = run("export", *files, *sizes, "--text-encoder", "hash", "--out", str(folder))
    assert proc.returncode == 2 and "--force" in proc.stderr  # never overwritten silently
    proc = run("export", *files, "--size", "128x72", "--out", str(tmp_path / "x"))
    assert proc.returncode == 2 and "ASPECT=WxH" in proc.stderr


def test_bad_configs_exit_with_status_2_and_say_why(dataset, tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text(VAE_TOML.format(data=dataset) + "\n[loss]\nperceptual = 1.0\n")
    proc = run("vae", "--config", str(config), "--out", str(tmp_path / "a"))
    assert proc.returncode == 2
    assert "loss.perceptual" in proc.stderr

    config.write_text(VAE_TOML.format(data=tmp_path / "no-such-folder"))
    proc = run("vae", "--config", str(config), "--out", str(tmp_path / "b"))
    assert proc.returncode == 2
    assert "no dataset" in proc.stderr and "reelforge world dataset" in proc.stderr


def test_set_overrides_the_config_file_and_the_flags(dataset, trained_vae, tmp_path):
    import json

    dit = tmp_path / "dit.toml"
    dit.write_text(DIT_TOML)
    out = tmp_path / "run"
    sets = ("--set", "run.steps=1", "--set", "text.dropout=0.5", "--set", "run.max_minutes=30")
    proc = run(
        "dit", "--config", str(dit), "--data", str(dataset), "--vae", str(trained_vae),
        "--out", str(out), "--steps", "2", *sets, "--set", f"cache.path={tmp_path / 'c'}",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    saved = json.loads((out / "config.json").read_text())
    assert saved["run"]["steps"] == 1 and saved["run"]["max_minutes"] == 30.0  # --set is last
    assert saved["text"]["dropout"] == 0.5 and saved["cache"]["path"] == str(tmp_path / "c")
    assert (tmp_path / "c" / "index.json").is_file()

    for bad, says in (("run.steps", "SECTION.KEY=VALUE"), ("run.stepz=3", "run.stepz")):
        proc = run("dit", "--config", str(dit), "--out", str(tmp_path / "x"), "--set", bad)
        assert proc.returncode == 2 and says in proc.stderr, proc.stderr
