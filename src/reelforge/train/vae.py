"""Train the causal video VAE on a world dataset and export it with its latent statistics.

A batch is clips of one bucket, trimmed to their first 1 + 4k frames; with `data.crop_prob`
a window of `data.crop_frames` frames at a random start instead, and with `data.image_prob`
one random frame per clip (a 1-frame video: stills share the latent space, which
image-to-video needs). With `data.crop_size`, every clip is also cut to a random square
window of that side: the VAE is convolutional, so windows teach it what whole frames do
at a fraction of the cost (a 64-pixel window is 9x cheaper than a 256x144 frame). Evaluation is the PSNR of the EMA model's reconstruction (latent
mean, no sampling) of the held-out clips. The export is `<out>/vae.safetensors`: the EMA
weights with `latent_shift` / `latent_scale` fitted on `model.stats_batches` batches.
`model.init` + `model.freeze_encoder` fine-tune only the decoder of an exported VAE.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from reelforge.model.pixels import frames_to_video
from reelforge.model.vae import (
    VAE_MODELS,
    VAEConfig,
    VideoVAE,
    fit_latent_stats,
    load_vae,
    save_vae,
    with_decoder_lookahead,
    with_decoder_refine,
)
from reelforge.model.vae_loss import psnr, vae_loss
from reelforge.train.batches import BucketBatches
from reelforge.train.config import VAEDataConfig, VAEModelConfig, VAETrainConfig
from reelforge.train.data import (
    bucket_shapes,
    check_sides,
    open_dataset,
    select_buckets,
    split_holdout,
    usable_frames,
)
from reelforge.train.loop import Progress, Trainer, torch_generator, torch_threads
from reelforge.types import InvalidInputError
from reelforge.world.dataset import WorldDataset

logger = logging.getLogger(__name__)

EXPORT_NAME = "vae.safetensors"


def build_vae(preset: str, seed: int) -> VideoVAE:
    """A fresh preset VAE, initialised from `seed` (the global RNG is left as it was)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return VAE_MODELS[preset]()


def initial_vae(config: VAETrainConfig) -> VideoVAE:
    """The model training starts from: a fresh preset, or `model.init`'s weights, with the
    encoder frozen under `model.freeze_encoder` (decoder fine-tuning: latents made by the
    initial VAE, e.g. a DiT's training cache, stay valid for the tuned one)."""
    cfg = config.model
    if not cfg.init:
        return grown_decoder(build_vae(cfg.preset, config.run.seed), cfg)
    model = load_vae(cfg.init).train()
    preset = VAE_MODELS[cfg.preset]().config
    if _trunk(model.config) != _trunk(preset):
        raise InvalidInputError(
            f"model.init {cfg.init} is not a {cfg.preset} VAE",
            param="model.init",
            hint=f"set model.preset to the preset {cfg.init} was trained as",
        )
    model = grown_decoder(model, cfg).train()
    if cfg.freeze_encoder:
        model.encoder.requires_grad_(False)
    return model


def _trunk(config: VAEConfig) -> VAEConfig:
    """The part of a VAE config that fine-tuning keeps: not the decoder's lookahead or
    refine blocks, which `grown_decoder` may change."""
    return replace(config, decoder_lookahead=0, decoder_refine=0, refine_width=1)


def grown_decoder(model: VideoVAE, cfg: VAEModelConfig) -> VideoVAE:
    """`model` with the decoder's lookahead and refine blocks the config asks for (None:
    as they are)."""
    if cfg.decoder_lookahead is not None:
        model = with_decoder_lookahead(model, cfg.decoder_lookahead)
    have = model.config
    blocks = have.decoder_refine if cfg.decoder_refine is None else cfg.decoder_refine
    width = have.refine_width if cfg.refine_width is None else cfg.refine_width
    if (blocks, width) != (have.decoder_refine, have.refine_width):
        model = with_decoder_refine(model, blocks, width)
    return model


def clip_frames(ds: WorldDataset, items: list[int]) -> np.ndarray:
    """uint8 (B, T, H, W, 3) clips of one bucket."""
    return np.stack([ds[i][0] for i in items])


def pick_frames(clips: np.ndarray, rng: np.random.Generator, cfg: VAEDataConfig) -> np.ndarray:
    """What a batch trains on (B, T', H, W, 3): single frames, a crop, or the usable clip."""
    b, t = clips.shape[:2]
    image, crop = rng.random(2)
    if image < cfg.image_prob:
        return clips[np.arange(b), rng.integers(0, t, size=b)][:, None]
    if crop < cfg.crop_prob and cfg.crop_frames < usable_frames(t):
        starts = rng.integers(0, t - cfg.crop_frames + 1, size=b)
        return np.stack([clips[i, s : s + cfg.crop_frames] for i, s in enumerate(starts)])
    return clips[:, : usable_frames(t)]


def crop_space(video: np.ndarray, rng: np.random.Generator, size: int) -> np.ndarray:
    """A random window of side `size` (clamped to the frame) per clip of (B, T, H, W, 3)."""
    if not size:
        return video
    b, _, h, w, _ = video.shape
    ch, cw = min(size, h), min(size, w)
    ys, xs = rng.integers(0, h - ch + 1, size=b), rng.integers(0, w - cw + 1, size=b)
    return np.stack([v[:, y : y + ch, x : x + cw] for v, y, x in zip(video, ys, xs, strict=True)])


def train_vae(
    config: VAETrainConfig, *, resume: bool = False, on_progress: Progress | None = None
) -> dict[str, Any]:
    """Train, then export `<run.out>/vae.safetensors`; returns {"vae": path, "psnr": dB or None}."""
    with torch_threads(config.run.threads):
        return _train(config, resume, on_progress)


def _train(config: VAETrainConfig, resume: bool, on_progress: Progress | None) -> dict[str, Any]:
    ds = open_dataset(config.data.path)
    groups = select_buckets(ds.by_bucket(), config.data.buckets)
    model = initial_vae(config)
    check_sides(bucket_shapes(ds, groups), model.config.spatial_factor, config.model.preset)
    factor = model.config.spatial_factor
    if config.data.crop_size % factor:
        raise InvalidInputError(
            f"config data.crop_size {config.data.crop_size} is not a multiple of {factor}",
            param="data.crop_size",
            hint=f"{config.model.preset} compresses space {factor}x",
        )
    train_groups, holdout = split_holdout(groups, config.data.holdout)
    batches = BucketBatches(train_groups, config.data.batch_size, config.run.seed)
    trainer = Trainer(model, config, batches)
    trainer.start(resume)
    device, model = trainer.device, trainer.model

    def prepare(batch, rng):  # the CPU's part, on a worker thread under run.prefetch
        video = pick_frames(clip_frames(ds, batch[1]), rng, config.data)
        return torch.from_numpy(frames_to_video(crop_space(video, rng, config.data.crop_size)))

    def step(video, rng):
        x = video.to(device)  # (B, 3, T, H, W)
        loss, parts = vae_loss(model, x, config.loss, torch_generator(rng, device))
        return loss, parts, x.shape[0]

    evaluate = None
    if holdout is not None:
        held = torch.from_numpy(frames_to_video(_usable(clip_frames(ds, holdout[1]))))

        def evaluate(ema: VideoVAE, _step: int) -> dict[str, Any]:
            return {"psnr": reconstruction_psnr(ema, held.to(device))}

    trainer.fit(step, evaluate, on_progress, prepare)
    path = export_vae(trainer, ds, train_groups, on_progress)
    result = trainer.last_eval or (trainer.evaluate(evaluate) if evaluate else {})
    return {"vae": path, "psnr": result.get("psnr")}


def _usable(clips: np.ndarray) -> np.ndarray:
    return clips[:, : usable_frames(clips.shape[1])]


@torch.no_grad()
def reconstruction_psnr(vae: VideoVAE, video: torch.Tensor) -> float:
    """PSNR (dB) of decode(latent mean) against `video` (B, 3, T, H, W) in [-1, 1]."""
    return float(psnr(vae.decode(vae.encode(video).mode()), video))


def export_vae(
    trainer: Trainer,
    ds: WorldDataset,
    groups: dict[str, list[int]],
    on_progress: Progress | None = None,
) -> Path:
    """Fit the EMA model's latent statistics on training batches (unless the encoder was
    frozen: then the initial VAE's statistics still hold) and save it."""
    config: VAETrainConfig = trainer.config
    ema, n = trainer.ema.model, config.model.stats_batches
    path = Path(config.run.out) / EXPORT_NAME
    if config.model.freeze_encoder:
        save_vae(ema, path)
        return path
    batches = BucketBatches(groups, config.data.batch_size, config.run.seed + 1)

    def videos():
        for k in range(n):
            items = next(batches)[1]
            yield torch.from_numpy(frames_to_video(_usable(clip_frames(ds, items)))).to(
                trainer.device
            )
            if on_progress:
                on_progress("stats", k + 1, n, {})

    shift, scale = fit_latent_stats(ema, videos())
    logger.info("latent shift %s scale %s", shift.tolist(), scale.tolist())
    save_vae(ema, path)
    return path
