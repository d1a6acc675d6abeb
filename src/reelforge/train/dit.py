"""Train the video DiT with rectified flow on cached latents; export the EMA weights.

Each step takes one bucket's cached latents (with `data.crop_prob`, a latent prefix of
`data.min_latent_frames` frames or more: an exact shorter clip, since the VAE is causal),
each clip's rich caption with `text.caption_prob` or else one of its short prompts (so the
model reads both styles), replaces a `text.dropout` share of the texts by the model's null
text (classifier-free guidance), draws a frame-conditioning task per clip
(`sample_task_masks` with the [tasks] probabilities) and takes `flow_loss`. With
`data.image_prob` a step is a still-image step instead: `data.image_batch_size` clips of
the batch's bucket, drawn from the step's generator, each cut to its first latent frame
(the causal VAE's latent of frame 0 alone, so exactly a still's), text only, no task.

Evaluation: the EMA model's flow loss on the held-out clips (fixed noise and times, text
only), and a preview sample decoded by the VAE to `<out>/previews/step-N.png` (a strip of
frames) and `.mp4`. The export is `<out>/dit.safetensors` (`save_dit` of the EMA weights).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from reelforge.model.conditioning import sample_task_masks
from reelforge.model.dit import DIT_MODELS, VideoDiT, build_dit, load_dit, save_dit
from reelforge.model.flow import flow_loss
from reelforge.model.text import TextBatch
from reelforge.train.batches import BucketBatches
from reelforge.train.config import DiTTrainConfig
from reelforge.train.data import select_buckets, split_holdout
from reelforge.train.latents import (
    LatentCache,
    cache_latents,
    make_text_encoder,
    text_batch,
)
from reelforge.train.loop import Progress, Trainer, torch_generator, torch_threads
from reelforge.types import InvalidInputError

logger = logging.getLogger(__name__)

EXPORT_NAME = "dit.safetensors"
EVAL_SEED = 1234  # the held-out loss and the preview use fixed noise


# Parts a model file may lack (written before them): training from it starts them at zero.
GROWN_PARTS = ("final_conv", "frame_pos")


def build_model(config: DiTTrainConfig, cache: LatentCache) -> VideoDiT:
    """The DiT training starts from, sized for the cache (latent channels, text width): a
    fresh seeded preset, or `model.init`'s weights (to train a shipped model further on
    new data or with a new schedule; its EMA starts from them too). A file from before the
    output conv or the frame places (`final_conv`, `frame_pos` 0) gets the preset's, at
    zero: the same function to start."""
    index = config.model.preset, cache.index["latent_channels"], cache.index["text_dim"]
    preset, channels, text_dim = index
    chosen = {k: getattr(config.model, k) for k in GROWN_PARTS}
    chosen = {k: v for k, v in chosen.items() if v is not None}  # None: the preset's
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.run.seed)
        model = build_dit(preset, in_channels=channels, text_dim=text_dim, **chosen)
    if not config.model.init:
        return model
    start = load_dit(config.model.init).train()
    grown = {k: getattr(model.cfg, k) for k in GROWN_PARTS if not getattr(start.cfg, k)}
    if grown and replace(start.cfg, **grown) == model.cfg:
        missing, unexpected = model.load_state_dict(start.state_dict(), strict=False)
        assert not unexpected and all(k.split(".")[0] in grown for k in missing), missing
        return model
    if start.cfg != model.cfg:
        raise InvalidInputError(
            f"model.init {config.model.init} is not a {preset} DiT for this cache "
            f"({channels} latent channels, text width {text_dim})",
            param="model.init",
            hint=f"set model.preset to the preset {config.model.init} was trained as, and "
            "model.vae and text.encoder to the ones it was trained on",
        )
    return start


def dit_batch(
    cache: LatentCache,
    items: list[int],
    rng: np.random.Generator,
    config: DiTTrainConfig,
    *,
    stills: bool = False,
) -> tuple[torch.Tensor, TextBatch, torch.Tensor | None]:
    """Latents (B, C, T', H', W') (maybe a prefix; with `stills` the first latent frame),
    the chosen texts of one batch, and with `loss.object` the loss weight of each latent
    voxel (B, 1, T', H', W'): 1 + loss.object times the share of it that shows objects."""
    latents = np.stack([cache.latents(i) for i in items])
    weight = None
    if config.loss.object > 0:
        cover = np.stack([cache.objects(i) for i in items])[:, None]
        weight = 1.0 + config.loss.object * cover
    t, pt = latents.shape[2], DIT_MODELS[config.model.preset]().patch[0]
    crop = rng.random()
    low = max(config.data.min_latent_frames, pt)
    keep = t
    if stills:  # one latent frame whatever the time patch: the DiT pads it (patches.py)
        keep = 1
    elif crop < config.data.crop_prob and low < t:
        keep = int(rng.integers(low, t + 1)) // pt * pt
    latents = latents[:, :, :keep]
    entries = []
    for i in items:
        texts = cache.texts(i)
        caption, k = rng.random(), int(rng.integers(1, max(len(texts), 2)))
        use_caption = caption < config.text.caption_prob or len(texts) == 1
        entries.append(texts[0] if use_caption else texts[k])
    if weight is not None:
        weight = torch.from_numpy(weight[:, :, :keep].astype(np.float32))
    return torch.from_numpy(latents), text_batch(entries), weight


def still_items(
    group: list[int], rng: np.random.Generator, config: DiTTrainConfig
) -> tuple[list[int] | None, bool]:
    """(items, True) when this step trains on stills: `data.image_batch_size` clips of the
    bucket drawn with replacement; (None, False) otherwise. Draws nothing from `rng` when
    `data.image_prob` is 0, so runs without stills draw exactly what they did before."""
    data = config.data
    if data.image_prob <= 0 or rng.random() >= data.image_prob:
        return None, False
    n = data.image_batch_size or data.batch_size
    return rng.choice(np.asarray(group), size=n).tolist(), True


def _to(text: TextBatch, device: torch.device) -> TextBatch:
    return TextBatch(*(x.to(device) for x in text.fields()))


def train_dit(
    config: DiTTrainConfig, *, resume: bool = False, on_progress: Progress | None = None
) -> dict[str, Any]:
    """Cache latents if needed, train, export `<run.out>/dit.safetensors`; returns
    {"dit": path, "eval_loss": float or None, "preview": path or None}."""
    with torch_threads(config.run.threads):
        return _train(config, resume, on_progress)


def _train(config: DiTTrainConfig, resume: bool, on_progress: Progress | None) -> dict[str, Any]:
    cache = LatentCache(cache_latents(config, on_progress))
    if config.loss.object > 0 and not cache.has_objects:
        raise InvalidInputError(
            f"loss.object needs a latent cache with object cover; {cache.root} has none",
            param="loss.object",
            hint="make the cache from rendered scenes (data.render), or set loss.object = 0",
        )
    groups = select_buckets(cache.by_bucket(), config.data.buckets)
    model = build_model(config, cache)
    train_groups, holdout = split_holdout(groups, config.data.holdout)
    batches = BucketBatches(train_groups, config.data.batch_size, config.run.seed)
    trainer = Trainer(model, config, batches)
    trainer.start(resume)
    device, model, probs = trainer.device, trainer.model, config.tasks.probs

    def prepare(batch, rng):  # the CPU's part, on a worker thread under run.prefetch
        items, stills = still_items(train_groups[batch[0]], rng, config)
        return dit_batch(cache, items or batch[1], rng, config, stills=stills), stills

    def step(prepared, rng):
        (latents, text, weight), stills = prepared
        gen = torch_generator(rng)  # CPU: noise, times, tasks, dropout
        b = latents.shape[0]
        mask = sample_task_masks(b, latents.shape[2], probs, gen)  # (B, 1, T', 1, 1)
        if stills:  # a still is the whole sample: nothing to give
            mask.zero_()
        drop = (torch.rand(b, generator=gen) < config.text.dropout).to(device)
        text = _to(text, device).where(drop, model.null_text(b))
        loss = flow_loss(
            model, latents.to(device), text, mask.to(device), flow=config.flow, generator=gen,
            edge=config.loss.edge, weight=None if weight is None else weight.to(device),
        )  # fmt: skip
        return loss, {}, b

    evaluate = None
    if holdout is not None:
        evaluate = Evaluator(config, cache, holdout[1], device)
    trainer.fit(step, evaluate, on_progress, prepare)
    path = Path(config.run.out) / EXPORT_NAME
    save_dit(trainer.ema.model, path, flow=config.flow)
    result = trainer.last_eval or (trainer.evaluate(evaluate) if evaluate else {})
    return {"dit": path, "eval_loss": result.get("eval_loss"), "preview": result.get("preview")}


class Evaluator:
    """Held-out flow loss and a preview sample of the EMA model."""

    def __init__(self, config: DiTTrainConfig, cache: LatentCache, items: list[int], device):
        self.config, self.cache, self.device = config, cache, device
        self.items = items[: config.data.batch_size]
        self.latents = torch.from_numpy(np.stack([cache.latents(i) for i in self.items]))
        self.text = text_batch([cache.texts(i)[0] for i in self.items])
        self.bucket = cache.bucket(self.items[0])
        self._vae, self._text = None, None

    def __call__(self, ema: VideoDiT, step: int) -> dict[str, Any]:
        gen = torch.Generator().manual_seed(EVAL_SEED)
        loss = flow_loss(
            ema, self.latents.to(self.device), _to(self.text, self.device), flow=self.config.flow,
            generator=gen,
        )  # fmt: skip
        out = {"eval_loss": float(loss)}
        path = self.preview(ema, step)
        if path is not None:
            out["preview"] = str(path)
        return out

    def vae(self):
        if self._vae is None:
            from reelforge.model.vae import load_vae

            path = Path(self.config.model.vae)
            if not path.is_file():
                logger.warning("no VAE at %s: previews are skipped", path)
                self._vae = False
            else:
                self._vae = load_vae(path, self.device)
        return self._vae

    def preview_text(self) -> TextBatch:
        """preview.prompt encoded (once), else the first held-out clip's cached caption."""
        if self._text is None:
            prompt = self.config.preview.prompt
            if prompt:
                self._text = make_text_encoder(self.config.text)([prompt])
            else:
                self._text = text_batch([self.cache.texts(self.items[0])[0]])
        return self._text

    def preview(self, ema: VideoDiT, step: int) -> Path | None:
        from reelforge.model.conditioning import Conditioning, no_condition
        from reelforge.model.sampler import SamplerConfig, sample

        vae = self.vae()
        if not vae:
            return None
        cfg = self.config.preview
        shape = (1, *self.latents.shape[1:])
        nothing = no_condition(shape)  # on the model's device: the sampler mixes it with x
        z = sample(
            ema,
            _to(self.preview_text(), self.device),
            shape,
            config=SamplerConfig(steps=cfg.steps, guidance=cfg.guidance, flow=self.config.flow),
            condition=Conditioning(nothing.mask.to(self.device), nothing.values.to(self.device)),
            generator=torch.Generator().manual_seed(EVAL_SEED),
        )
        video = vae.decode(vae.denormalize(z.float()))  # (1, 3, T, H, W)
        frames = ((video[0].clamp(-1, 1) + 1) * 127.5).round().byte().permute(1, 2, 3, 0)
        return write_preview(frames.cpu().numpy(), self.bucket["fps"], self.config, step)


def write_preview(frames: np.ndarray, fps: float, config: DiTTrainConfig, step: int) -> Path:
    """A PNG strip of up to 8 evenly spaced frames (T, H, W, 3), and the MP4 if asked."""
    from PIL import Image

    folder = Path(config.run.out) / "previews"
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"step-{step:08d}"
    picks = np.unique(np.linspace(0, len(frames) - 1, min(8, len(frames))).round().astype(int))
    Image.fromarray(np.concatenate(list(frames[picks]), axis=1)).save(stem.with_suffix(".png"))
    if config.preview.mp4:
        from reelforge.media import write_mp4
        from reelforge.types import Clip

        write_mp4(Clip(np.ascontiguousarray(frames), fps), stem.with_suffix(".mp4"))
    return stem.with_suffix(".png")
