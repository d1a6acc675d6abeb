"""Configs: the shipped TOML files load, unknown keys and bad values are refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from reelforge.train.config import DiTTrainConfig, VAETrainConfig, load_config
from reelforge.types import InvalidInputError, NotFoundError

CONFIGS = Path(__file__).parents[2] / "configs" / "train"


@pytest.mark.parametrize(
    "path", sorted(CONFIGS.rglob("*.toml")), ids=lambda p: str(p.relative_to(CONFIGS))
)
def test_shipped_configs_load(path):
    cls = VAETrainConfig if "vae" in path.stem else DiTTrainConfig
    config = load_config(cls, path)
    assert config.run.steps >= 1 and config.data.batch_size >= 1


def test_the_shipped_defaults_cover_every_dit_section():
    config = load_config(DiTTrainConfig, CONFIGS / "dit.toml")
    assert config.text.encoder == "minilm" and config.text.caption_prob == 0.7
    assert config.tasks.probs == (0.4, 0.25, 0.1, 0.1, 0.1, 0.05)
    assert config.cache_path == Path("runs/dit/latents")


def test_unknown_keys_are_named(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[data]\nbatchsize = 3\n[run]\nsteps = 5\n")
    with pytest.raises(InvalidInputError, match=r"data\.batchsize") as e:
        load_config(VAETrainConfig, path)
    assert "batch_size" in e.value.hint
    path.write_text("[optimizer]\nlr = 1e-3\n")
    with pytest.raises(InvalidInputError, match="optimizer"):
        load_config(VAETrainConfig, path)
    path.write_text("[text]\nencoder = 'hash'\n")  # a DiT section in a VAE config
    with pytest.raises(InvalidInputError, match="text"):
        load_config(VAETrainConfig, path)


@pytest.mark.parametrize(
    ("kind", "toml", "key"),
    [
        (VAETrainConfig, "[run]\nsteps = 'ten'", "run.steps"),
        (VAETrainConfig, "[run]\ndevice = 'tpu'", "run.device"),
        (VAETrainConfig, "[run]\ndtype = 'float16'", "run.dtype"),
        (DiTTrainConfig, "[loss]\nedge = -1", "loss.edge"),
        (VAETrainConfig, "[optim]\nbetas = [0.9]", "optim.betas"),
        (VAETrainConfig, "[data]\ncrop_frames = 8", "data.crop_frames"),
        (VAETrainConfig, "[model]\npreset = 'vae-huge'", "model.preset"),
        (VAETrainConfig, "[data]\nbuckets = 'all'", "data.buckets"),
        (VAETrainConfig, "run = 3", "run"),
        (DiTTrainConfig, "[data]\nimage_prob = 1.5", "data.image_prob"),
        (DiTTrainConfig, "[data]\nimage_batch_size = -1", "data.image_batch_size"),
        (VAETrainConfig, "[loss]\nlatent_noise = -0.1", "loss.latent_noise"),
        (VAETrainConfig, "[loss]\nlatent_noise = 0.3", "loss.latent_noise"),  # encoder free
        (VAETrainConfig, "[loss]\nlatent_noise_patch = 0", "loss.latent_noise_patch"),
        (VAETrainConfig, "[run]\nmax_minutes = -1", "run.max_minutes"),
        (DiTTrainConfig, "[data]\nrender = -5", "data.render"),
        (DiTTrainConfig, "[data]\nrender_seed = -1", "data.render_seed"),
        (DiTTrainConfig, "[cache]\nworkers = 0", "cache.workers"),
    ],
)
def test_bad_values_are_refused_by_key(tmp_path, kind, toml, key):
    path = tmp_path / "c.toml"
    path.write_text(toml)
    with pytest.raises(InvalidInputError) as e:
        load_config(kind, path)
    assert e.value.param == key


def test_flags_override_the_file_and_none_keeps_it(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[run]\nout = 'a'\nsteps = 5\n[optim]\nlr = 1\n")
    config = load_config(VAETrainConfig, path, {"run.out": "b", "run.steps": None})
    assert (config.run.out, config.run.steps, config.optim.lr) == ("b", 5, 1.0)


def test_missing_or_broken_files(tmp_path):
    with pytest.raises(NotFoundError):
        load_config(VAETrainConfig, tmp_path / "none.toml")
    (tmp_path / "bad.toml").write_text("[run\n")
    with pytest.raises(InvalidInputError, match="TOML"):
        load_config(VAETrainConfig, tmp_path / "bad.toml")


def test_set_items_are_read_as_toml_values_or_else_as_text():
    from reelforge.train.config import parse_settings

    got = parse_settings(
        ["run.steps=500", "optim.lr=2e-4", "preview.mp4=false", 'data.buckets=["96x96x4@12"]',
         "text.minilm=.minilm", "run.out=runs/a b", 'preview.prompt="a red ball"']
    )  # fmt: skip
    assert got == {
        "run.steps": 500, "optim.lr": 2e-4, "preview.mp4": False,
        "data.buckets": ["96x96x4@12"], "text.minilm": ".minilm", "run.out": "runs/a b",
        "preview.prompt": "a red ball",
    }  # fmt: skip
    for bad in ("steps=3", "run.steps", ".steps=3", "run.=3"):
        with pytest.raises(InvalidInputError, match=r"SECTION\.KEY=VALUE"):
            parse_settings([bad])
