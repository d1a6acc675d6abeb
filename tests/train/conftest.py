"""A tiny world dataset and tiny configs: 8 clips of 9 frames (1 + 4·2) at 32x32 and 64x32."""

from __future__ import annotations

import pytest
import torch

from reelforge.train.config import DiTTrainConfig, VAETrainConfig, load_config
from reelforge.world.dataset import Bucket, write_dataset

BUCKETS = (Bucket.parse("32x32x1.125@8"), Bucket.parse("64x32x1.125@8"))  # 9 frames each


@pytest.fixture(autouse=True)
def _keep_torch_threads():
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("world")
    write_dataset(out, 8, seed=0, buckets=BUCKETS, shard_size=3)
    return out


def _vae_config(data, out, **fields) -> VAETrainConfig:
    base = {
        "data.path": str(data),
        "run.out": str(out),
        "run.steps": 6,
        "run.threads": 1,  # a shared 2-core machine runs tiny models fastest on one thread
        "run.log_every": 1,
        "run.eval_every": 3,
        "model.preset": "vae-test",
        "model.stats_batches": 2,
        "data.batch_size": 2,
        "data.holdout": 1,
        "data.crop_frames": 5,
        "optim.warmup_steps": 2,
        "optim.lr": 2e-3,
    }
    return load_config(VAETrainConfig, None, base | fields)


def _dit_config(data, out, vae, **fields) -> DiTTrainConfig:
    base = {
        "data.path": str(data),
        "run.out": str(out),
        "run.steps": 6,
        "run.threads": 1,
        "run.log_every": 1,
        "run.eval_every": 3,
        "model.preset": "Reel-T/1",
        "model.vae": str(vae),
        "data.batch_size": 2,
        "data.holdout": 1,
        "data.crop_prob": 0.5,
        "text.encoder": "hash",
        "text.hash_dim": 16,
        "preview.steps": 2,
        "optim.warmup_steps": 2,
    }
    return load_config(DiTTrainConfig, None, base | fields)


@pytest.fixture(scope="session")
def trained_vae(dataset, tmp_path_factory):
    """A vae-test trained a few steps and exported (with latent statistics)."""
    from reelforge.train.vae import train_vae

    out = tmp_path_factory.mktemp("vae")
    return train_vae(_vae_config(dataset, out, **{"run.steps": 4, "run.eval_every": 0}))["vae"]


@pytest.fixture
def vae_config(dataset):
    """vae_config(out, **{"section.key": value}): a tiny VAE run config on the dataset."""
    return lambda out, **fields: _vae_config(dataset, out, **fields)


@pytest.fixture
def dit_config(dataset, trained_vae):
    """dit_config(out, **{"section.key": value}): a tiny DiT run (Reel-T/1, hashed text)."""
    return lambda out, **fields: _dit_config(dataset, out, trained_vae, **fields)
