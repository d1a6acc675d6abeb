"""VAE training through the Python API: it learns, resumes bit-exactly and exports."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from reelforge.model.vae import load_vae
from reelforge.train.checkpoint import list_checkpoints, load_checkpoint
from reelforge.train.vae import crop_space, train_vae
from reelforge.types import InvalidInputError, NotFoundError
from reelforge.world.dataset import Bucket, write_dataset


def metrics(out, split="train"):
    lines = (out / "metrics.jsonl").read_text().splitlines()
    return [r for r in map(json.loads, lines) if r["split"] == split]


def test_loss_goes_down_on_a_fixed_batch(vae_config, tmp_path):
    # one bucket of 4 clips, batch 4, no crops or stills: every step sees the same batch
    config = vae_config(
        tmp_path,
        **{"run.steps": 30, "run.eval_every": 0, "data.buckets": ["32x32x1.125@8"],
           "data.batch_size": 4, "data.holdout": 0, "data.image_prob": 0.0,
           "optim.lr": 3e-3, "optim.warmup_steps": 5},
    )  # fmt: skip
    train_vae(config)
    losses = [r["loss"] for r in metrics(tmp_path)]
    assert len(losses) == 30
    assert sum(losses[-5:]) < 0.6 * sum(losses[:5])
    assert all(r["samples_per_s"] > 0 and r["grad_norm"] > 0 for r in metrics(tmp_path))


@pytest.mark.parametrize("prefetch", ["off", "on"])
def test_an_interrupted_run_resumes_to_the_same_weights(vae_config, tmp_path, prefetch, caplog):
    fields = {"run.checkpoint_every": 2, "data.crop_prob": 0.5, "data.image_prob": 0.3}
    whole = train_vae(vae_config(tmp_path / "whole", **fields))

    def crash(phase, step, total, info):
        if step == 5:
            raise KeyboardInterrupt

    cut = vae_config(tmp_path / "cut", **fields, **{"run.prefetch": prefetch})  # vs plain
    with pytest.raises(KeyboardInterrupt):
        train_vae(cut, on_progress=crash)
    assert [p.name for p in list_checkpoints(cut.run.out)] == [
        "step-00000002.pt",
        "step-00000004.pt",
    ]
    resumed = train_vae(cut, resume=True)
    assert "changed" not in caplog.text  # the same config (betas a tuple, saved as a list)

    a, b = (load_checkpoint(list_checkpoints(tmp_path / r)[-1]) for r in ("whole", "cut"))
    for part in ("model", "ema"):
        for k in a[part]:
            assert torch.equal(a[part][k], b[part][k]), (part, k)
    exported = [load_file(tmp_path / r / "vae.safetensors") for r in ("whole", "cut")]
    assert all(torch.equal(exported[0][k], exported[1][k]) for k in exported[0])
    assert resumed["psnr"] == whole["psnr"]
    assert metrics(tmp_path / "whole") == [
        {**r, "samples_per_s": w["samples_per_s"]}
        for r, w in zip(metrics(tmp_path / "cut"), metrics(tmp_path / "whole"), strict=True)
    ]  # the interrupted run's step-5 line is replaced, not duplicated


def test_resuming_with_a_changed_section_other_than_run_warns(vae_config, tmp_path, caplog):
    train_vae(vae_config(tmp_path, **{"run.steps": 2, "run.checkpoint_every": 2}))
    train_vae(vae_config(tmp_path, **{"run.steps": 3, "optim.lr": 1e-4}), resume=True)
    assert "resuming with a changed [optim] section" in caplog.text
    assert "[run]" not in caplog.text  # run.* may change on resume (steps, dtype, threads)


def test_the_export_is_the_ema_model_with_latent_statistics(vae_config, tmp_path):
    result = train_vae(vae_config(tmp_path))
    vae = load_vae(result["vae"])
    state = load_checkpoint(list_checkpoints(tmp_path)[-1])
    exported = load_file(result["vae"])
    for k, v in state["ema"].items():
        if not k.startswith("latent_"):
            assert torch.equal(exported[k], v), k
    assert not torch.allclose(vae.latent_scale, torch.ones_like(vae.latent_scale))
    video = torch.rand(1, 3, 9, 32, 64) * 2 - 1
    assert vae.decode(vae.encode(video).mode()).shape == video.shape
    still = vae.encode(video[:, :, :1]).mode()
    assert still.shape == (1, 4, 1, 4, 8)
    evals = metrics(tmp_path, "eval")
    assert [r["step"] for r in evals] == [3, 6] and evals[-1]["psnr"] == result["psnr"]


def test_a_second_run_never_overwrites_checkpoints(vae_config, tmp_path):
    config = vae_config(tmp_path, **{"run.steps": 1})
    train_vae(config)
    with pytest.raises(InvalidInputError, match="--resume") as e:
        train_vae(config)
    assert e.value.param == "out"


def test_missing_dataset_and_bad_buckets_are_clear(vae_config, tmp_path):
    with pytest.raises(NotFoundError, match="world dataset") as e:
        train_vae(vae_config(tmp_path, **{"data.path": str(tmp_path / "nothing")}))
    assert e.value.param == "data.path"
    odd = tmp_path / "odd"
    write_dataset(odd, 2, buckets=(Bucket.parse("36x20x0.5@8"), Bucket.parse("32x16x0.5@8")))
    with pytest.raises(InvalidInputError, match=r"multiples of 8.*36x20") as e:
        train_vae(vae_config(tmp_path, **{"data.path": str(odd)}))
    assert e.value.param == "data.buckets"
    with pytest.raises(InvalidInputError, match="no training clip"):
        train_vae(vae_config(tmp_path, **{"data.path": str(odd), "data.buckets": ["32x16x0.5@8"]}))


def test_spatial_crops_are_random_windows_of_the_asked_side():
    rng = np.random.default_rng(0)
    video = rng.integers(0, 255, size=(3, 5, 32, 64, 3), dtype=np.uint8)
    crops = crop_space(video, rng, 16)
    assert crops.shape == (3, 5, 16, 16, 3)
    for clip, crop in zip(video, crops, strict=True):  # each crop is a window of its clip
        hits = [
            (y, x) for y in range(17) for x in range(49)
            if np.array_equal(clip[:, y : y + 16, x : x + 16], crop)
        ]  # fmt: skip
        assert hits
    assert crop_space(video, rng, 0) is video
    assert crop_space(video, rng, 48).shape == (3, 5, 32, 48, 3)  # clamped to the height


def test_a_crop_size_off_the_vae_grid_is_refused(vae_config, tmp_path):
    with pytest.raises(InvalidInputError, match="crop_size"):
        train_vae(vae_config(tmp_path, **{"data.crop_size": 12}))


@pytest.mark.parametrize(
    ("lookahead", "noise", "refine"), [(None, 0.0, 0), (1, 0.0, 0), (None, 0.3, 0), (None, 0.0, 2)]
)
def test_decoder_fine_tuning_keeps_the_latent_space(vae_config, tmp_path, lookahead, noise, refine):
    """Also when the tuned decoder is made to look one frame ahead (model.decoder_lookahead),
    reads noisy latents (loss.latent_noise) or grows refine blocks (model.decoder_refine)."""
    first = train_vae(vae_config(tmp_path / "first"))
    options = {"model.init": str(first["vae"]), "model.freeze_encoder": True, "optim.lr": 3e-3}
    if lookahead is not None:
        options["model.decoder_lookahead"] = lookahead
    if noise:
        options["loss.latent_noise"] = noise
    if refine:
        options |= {"model.decoder_refine": refine, "model.refine_width": 12}
    tuned = train_vae(vae_config(tmp_path / "tuned", **options))
    a, b = load_vae(first["vae"]), load_vae(tuned["vae"])
    assert b.config.decoder_lookahead == (lookahead or 0)
    assert (b.config.decoder_refine, len(b.decoder.refine)) == (refine, refine)
    for (name, p), q in zip(a.encoder.state_dict().items(), b.encoder.parameters(), strict=True):
        assert torch.equal(p, q), name  # the encoder, so every cached latent, is unchanged
    assert torch.equal(a.latent_shift, b.latent_shift) and torch.equal(
        a.latent_scale, b.latent_scale
    )
    before, after = a.decoder.state_dict(), b.decoder.state_dict()
    assert set(before) <= set(after)
    assert any(not torch.equal(before[k], after[k]) for k in before)
    grown = [k for k in after if k not in before]
    assert len(grown) == 4 * refine  # two convs (weight, bias) in each block
    assert all(after[k].abs().sum() > 0 for k in grown if "conv2" in k)


def test_fine_tuning_options_are_checked(vae_config, tmp_path):
    with pytest.raises(InvalidInputError, match=r"needs model\.init") as e:
        train_vae(vae_config(tmp_path / "a", **{"model.freeze_encoder": True}))
    assert e.value.param == "model.freeze_encoder"
    first = train_vae(vae_config(tmp_path / "first", **{"run.steps": 1}))
    with pytest.raises(InvalidInputError, match=r"not a vae-s8 VAE") as e:
        train_vae(
            vae_config(
                tmp_path / "b", **{"model.init": str(first["vae"]), "model.preset": "vae-s8"}
            )
        )
    assert e.value.param == "model.init"


def test_a_loss_that_stops_being_finite_stops_the_run_before_it_is_saved(
    vae_config, tmp_path, monkeypatch
):
    import reelforge.train.vae as vae_train

    real, calls = vae_train.vae_loss, []

    def breaks_at_step_3(*args, **kwargs):
        loss, parts = real(*args, **kwargs)
        calls.append(1)
        return (loss * float("nan") if len(calls) == 3 else loss), parts

    monkeypatch.setattr(vae_train, "vae_loss", breaks_at_step_3)
    config = vae_config(tmp_path, **{"run.checkpoint_every": 2, "run.eval_every": 0})
    with pytest.raises(InvalidInputError, match="became nan at step 3") as e:
        train_vae(config)
    assert e.value.param == "optim.lr"
    assert [p.name for p in list_checkpoints(tmp_path)] == ["step-00000002.pt"]  # the good one
