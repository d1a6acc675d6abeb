"""The latent cache and DiT training: cached latents match the VAE, training resumes
bit-exactly, the export loads and runs, previews are written."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
import torch

from reelforge.model.dit import VideoDiT, load_dit, save_dit
from reelforge.model.pixels import frames_to_video
from reelforge.model.text import HashTextEncoder
from reelforge.model.vae import load_vae
from reelforge.train.checkpoint import list_checkpoints, load_checkpoint
from reelforge.train.data import open_dataset
from reelforge.train.dit import train_dit
from reelforge.train.latents import LatentCache, cache_latents
from reelforge.types import InvalidInputError, NotFoundError


def test_the_cache_holds_normalised_latents_and_every_text(dit_config, trained_vae, tmp_path):
    config = dit_config(tmp_path)
    cache = LatentCache(cache_latents(config))
    ds, vae = open_dataset(config.data.path), load_vae(trained_vae)
    assert len(cache) == len(ds) == 8
    assert {k: len(v) for k, v in cache.by_bucket().items()} == {
        k: len(v) for k, v in ds.by_bucket().items()
    }
    encoder = HashTextEncoder(dim=16)
    for i in (0, 5):
        record = cache.record(i)
        frames, truth = ds[record["item"]]
        assert record["caption"] == truth["caption"]
        with torch.no_grad():
            z = vae.normalize(vae.encode(torch.from_numpy(frames_to_video(frames[None]))).mode())[0]
        np.testing.assert_allclose(cache.latents(i), z.numpy(), atol=2e-3, rtol=2e-3)  # float16
        texts = cache.texts(i)
        assert len(texts) == 1 + len(truth["prompts"]) == 5
        for (tokens, pooled), text in zip(
            texts, [truth["caption"], *truth["prompts"]], strict=True
        ):
            expected = encoder([text])
            np.testing.assert_allclose(tokens, expected.tokens[0].numpy(), atol=2e-3)
            np.testing.assert_allclose(pooled, expected.pooled[0].numpy(), atol=2e-3)
    assert cache_latents(config) == config.cache_path  # a matching cache is reused
    other = dit_config(tmp_path, **{"text.hash_dim": 8, "cache.path": str(config.cache_path)})
    with pytest.raises(InvalidInputError, match="another VAE, text encoder") as e:
        cache_latents(other)
    assert e.value.param == "cache.path"


def test_dit_trains_exports_and_previews(dit_config, tmp_path):
    result = train_dit(dit_config(tmp_path))
    model = load_dit(result["dit"])
    assert model.cfg.in_channels == 4 and model.cfg.text_dim == 16
    text = HashTextEncoder(dim=16)(["a red ball bounces"])
    v = model(torch.randn(1, 4, 3, 4, 8), torch.tensor([0.5]), text)
    assert v.shape == (1, 4, 3, 4, 8) and torch.isfinite(v).all()
    evals = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    evals = [r for r in evals if r["split"] == "eval"]
    assert [r["step"] for r in evals] == [3, 6] and np.isfinite(result["eval_loss"])
    strip = tmp_path / "previews" / "step-00000006.png"
    assert result["preview"] == str(strip)
    from PIL import Image

    assert Image.open(strip).size == (8 * 32, 32)  # 8 of the 9 frames of a 32x32 clip
    assert strip.with_suffix(".mp4").stat().st_size > 0


@pytest.mark.parametrize("image_prob", [0.0, 0.5])
def test_an_interrupted_dit_run_resumes_to_the_same_weights(dit_config, tmp_path, image_prob):
    fields = {"run.checkpoint_every": 2, "run.eval_every": 0, "text.dropout": 0.3}
    fields |= {"data.image_prob": image_prob, "data.image_batch_size": 6}
    train_dit(dit_config(tmp_path / "whole", **fields))

    def crash(phase, step, total, info):
        if phase == "train" and step == 3:
            raise KeyboardInterrupt

    cut = dit_config(tmp_path / "cut", **fields)
    with pytest.raises(KeyboardInterrupt):
        train_dit(cut, on_progress=crash)
    train_dit(cut, resume=True)
    a, b = (load_checkpoint(list_checkpoints(tmp_path / r)[-1]) for r in ("whole", "cut"))
    assert a["step"] == b["step"] == 6
    for part in ("model", "ema"):
        assert all(torch.equal(a[part][k], b[part][k]) for k in a[part]), part


def test_prefetching_on_a_worker_trains_the_same_weights_and_resumes_exactly(dit_config, tmp_path):
    fields = {"run.checkpoint_every": 2, "run.eval_every": 0, "text.dropout": 0.3}
    fields |= {"data.image_prob": 0.5, "data.image_batch_size": 6}
    train_dit(dit_config(tmp_path / "plain", **fields, **{"run.prefetch": "off"}))
    ahead = dit_config(tmp_path / "ahead", **fields, **{"run.prefetch": "on"})

    def crash(phase, step, total, info):
        if phase == "train" and step == 3:  # step 4's batch is already drawn by then
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_dit(ahead, on_progress=crash)
    train_dit(ahead, resume=True)
    a, b = (load_checkpoint(list_checkpoints(tmp_path / r)[-1]) for r in ("plain", "ahead"))
    assert a["step"] == b["step"] == 6 and a["batches"] == b["batches"]
    for part in ("model", "ema"):
        assert all(torch.equal(a[part][k], b[part][k]) for k in a[part]), part


def test_still_steps_train_on_each_clips_first_latent_frame(dit_config, tmp_path, monkeypatch):
    import reelforge.train.dit as dit_train

    seen, real = [], dit_train.flow_loss

    def spy(model, latents, text, mask=None, *rest, **kw):
        if mask is not None:  # training steps (the held-out loss gives none)
            seen.append((latents.clone(), mask.clone()))
        return real(model, latents, text, mask, *rest, **kw)

    monkeypatch.setattr(dit_train, "flow_loss", spy)
    fields = {"run.eval_every": 0, "data.image_prob": 0.5, "data.image_batch_size": 6}
    config = dit_config(tmp_path, **fields)
    train_dit(config)
    cache = LatentCache(config.cache_path)
    firsts = [torch.from_numpy(cache.latents(i)[:, :1]) for i in range(len(cache))]
    stills = [(z, m) for z, m in seen if z.shape[2] == 1]
    clips = [(z, m) for z, m in seen if z.shape[2] > 1]
    assert stills and clips  # both kinds of step at 0.5 over 6 steps with this seed
    for z, m in stills:
        assert z.shape[0] == 6 and not m.any()  # image_batch_size; nothing given
        for sample in z:
            assert any(torch.equal(sample, f) for f in firsts)
    assert all(z.shape[0] == config.data.batch_size for z, _ in clips)


def test_a_bfloat16_run_takes_the_autocast_path_through_every_conditioning_task(
    dit_config, tmp_path
):
    """run.dtype bfloat16 on the CPU runs the steps as a CUDA run does (bf16 autocast), here
    with frames given at every step (a given frame's adaLN blend once failed under it)."""
    seen: set[torch.dtype] = set()
    hook = torch.nn.modules.module.register_module_forward_hook(
        lambda m, _i, out: seen.add(out.dtype) if isinstance(m, torch.nn.Linear) else None
    )
    tasks = {f"tasks.{t}": 0.0 for t in ("text", "random")}
    try:
        result = train_dit(dit_config(tmp_path, **{"run.dtype": "bfloat16"}, **tasks))
    finally:
        hook.remove()
    assert torch.bfloat16 in seen and np.isfinite(result["eval_loss"])
    model = load_dit(result["dit"])
    assert all(p.dtype == torch.float32 for p in model.parameters())  # weights stay float32


def test_dit_needs_a_trained_vae(dit_config, tmp_path):
    with pytest.raises(NotFoundError, match="train vae") as e:
        train_dit(dit_config(tmp_path, **{"model.vae": str(tmp_path / "none.safetensors")}))
    assert e.value.param == "model.vae"


def test_a_dit_run_continues_from_an_exported_model(dit_config, tmp_path):
    first = train_dit(dit_config(tmp_path / "a", **{"run.eval_every": 0}))
    start = load_dit(first["dit"])
    fields = {"run.eval_every": 0, "run.steps": 2, "model.init": str(first["dit"])}
    still = {"optim.lr": 1e-12, "optim.min_lr": 0.0}
    second = train_dit(dit_config(tmp_path / "b", **fields, **still))
    # with (almost) no learning the export is the starting model: its EMA starts there too
    after = load_dit(second["dit"]).state_dict()
    for k, v in start.state_dict().items():
        torch.testing.assert_close(after[k], v, atol=1e-6, rtol=1e-5)
    moved = load_dit(train_dit(dit_config(tmp_path / "c", **fields))["dit"]).state_dict()
    assert any(not torch.equal(v, moved[k]) for k, v in start.state_dict().items())


def _from_before(part: str, dit_config, tmp_path) -> tuple[VideoDiT, VideoDiT, dict]:
    """A trained DiT, the same network saved as a file from before `part` (`final_conv`
    or `frame_pos` 0), and the fields of a 2-step run that continues from that file."""
    first = load_dit(train_dit(dit_config(tmp_path / "a", **{"run.eval_every": 0}))["dit"])
    older = VideoDiT(replace(first.cfg, **{part: 0}))
    older.load_state_dict({k: v for k, v in first.state_dict().items() if part not in k})
    save_dit(older, tmp_path / "older.safetensors")
    fields = {
        "run.eval_every": 0,
        "run.steps": 2,
        "model.init": str(tmp_path / "older.safetensors"),
    }
    return first, older, fields


@pytest.mark.parametrize("part", ["final_conv", "frame_pos"])
def test_a_dit_from_before_a_part_continues_with_it_at_zero(dit_config, tmp_path, part):
    first, older, fields = _from_before(part, dit_config, tmp_path)
    still = {"optim.lr": 1e-12, "optim.min_lr": 0.0}
    grown = load_dit(train_dit(dit_config(tmp_path / "b", **fields, **still))["dit"])
    assert grown.cfg == first.cfg  # the preset's, the part included
    for k, v in grown.state_dict().items():
        want = older.state_dict().get(k, torch.zeros_like(v))  # the part starts at zero
        torch.testing.assert_close(v, want, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("part", ["final_conv", "frame_pos"])
def test_a_part_set_to_0_keeps_a_model_from_before_it_without_one(dit_config, tmp_path, part):
    _, older, fields = _from_before(part, dit_config, tmp_path)
    kept = load_dit(train_dit(dit_config(tmp_path / "b", **fields, **{f"model.{part}": 0}))["dit"])
    assert kept.cfg == older.cfg and getattr(kept, part) is None
    assert not any(part in k for k in kept.state_dict())


def test_a_dit_init_of_another_shape_is_refused(dit_config, tmp_path):
    first = train_dit(dit_config(tmp_path / "a", **{"run.eval_every": 0, "run.steps": 1}))
    fields = {"model.init": str(first["dit"]), "model.preset": "Reel-XS/2"}
    with pytest.raises(InvalidInputError, match="is not a Reel-XS/2 DiT") as e:
        train_dit(dit_config(tmp_path / "b", **fields))
    assert e.value.param == "model.init"


def test_max_minutes_stops_the_run_early_and_still_exports(dit_config, tmp_path, monkeypatch):
    import reelforge.train.loop as loop

    clock = iter(range(0, 10_000, 50))  # every reading 50 s later than the one before
    monkeypatch.setattr(loop.time, "monotonic", lambda: float(next(clock)))
    config = dit_config(tmp_path, **{"run.max_minutes": 2.0, "run.eval_every": 0})
    result = train_dit(config)  # deadline at 120 s: steps start at 50 and 100, not at 150
    assert [c.name for c in list_checkpoints(tmp_path)] == ["step-00000002.pt"]
    assert load_dit(result["dit"]).cfg.in_channels == 4
    lines = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert {"step": 2, "split": "stop", "reason": "max_minutes"} in lines
    assert max(r["step"] for r in lines) == 2 and lines[-1]["split"] == "eval"  # the export's
