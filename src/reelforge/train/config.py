"""Training configuration: dataclasses with defaults, loaded from TOML, a few fields from flags.

A config file has one table per section; every key is optional and unknown keys are refused
by name (a typo must not silently train with a default):

    [run]    out, steps, seed, device, threads, log/eval/checkpoint cadence
    [data]   dataset folder, buckets, batch size, held-out clips, crops (+ images for the VAE)
    [model]  the preset (+ the VAE file for the DiT)
    [optim]  AdamW, warmup + cosine, grad clipping, EMA
    [loss]   VAE: `VAELossConfig` weights; DiT: `DiTLossConfig` (the edge term)
    [text] [tasks] [flow] [cache] [preview]   DiT only

Relative paths are relative to the working directory, as for flags.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from reelforge.model.flow import FlowConfig
from reelforge.model.vae_loss import VAELossConfig
from reelforge.types import InvalidInputError, NotFoundError

# ---------------------------------------------------------------------------
# Sections shared by both trainers
# ---------------------------------------------------------------------------


@dataclass
class RunConfig:
    out: str = "runs/train"  # checkpoints, metrics.jsonl, previews and the exported weights
    steps: int = 1000  # optimizer steps in all (a resumed run continues up to here)
    seed: int = 0
    device: str = "auto"  # "auto" (cuda when there is one) | "cpu" | "cuda"
    dtype: str = "auto"  # compute: "auto" (bfloat16 autocast on CUDA) | "float32" | "bfloat16"
    threads: int = 0  # torch.set_num_threads; 0 keeps torch's default
    log_every: int = 10  # steps per metrics.jsonl line (averaged over the window)
    eval_every: int = 250  # VAE: held-out PSNR; DiT: held-out loss + preview; 0 = never
    checkpoint_every: int = 250  # 0 = only at the end
    keep_checkpoints: int = 2  # the newest ones stay, older ones are deleted
    # Stop (checkpoint, export) once this much wall time has passed, even short of
    # run.steps; 0 = no limit. For a machine lent for a fixed time.
    max_minutes: float = 0.0
    # Prepare the next batch on a worker thread while a step computes: "auto" (on CUDA,
    # where the CPU is otherwise idle), "on", "off" (train/prefetch.py)
    prefetch: str = "auto"


@dataclass
class DataConfig:
    path: str = "data/world"  # a `reelforge world dataset` folder
    buckets: list[str] = field(default_factory=list)  # bucket names to use; empty = all
    batch_size: int = 4
    holdout: int = 4  # clips of the largest bucket kept out of training, for evaluation
    crop_prob: float = 0.0  # chance that a batch is a random temporal crop


@dataclass
class OptimConfig:
    lr: float = 3e-4
    min_lr: float = 3e-5  # where the cosine ends
    warmup_steps: int = 100  # linear from ~0 to lr
    weight_decay: float = 0.01  # on matrices only, not on biases, norms or tables
    betas: tuple[float, float] = (0.9, 0.99)
    grad_clip: float = 1.0  # max global grad norm; 0 = off
    ema_decay: float = 0.999  # ramped as min(decay, (1 + step) / (10 + step))


# ---------------------------------------------------------------------------
# The VAE trainer
# ---------------------------------------------------------------------------


@dataclass
class VAEDataConfig(DataConfig):
    crop_frames: int = 17  # length (1 + 4k frames) of a random temporal crop
    image_prob: float = 0.05  # chance that a batch is single frames: stills are 1-frame videos
    crop_size: int = 0  # side of a random spatial window per clip (0 = whole frames)


@dataclass
class VAEModelConfig:
    preset: str = "vae-s8"  # a name in reelforge.model.vae.VAE_MODELS
    stats_batches: int = 8  # batches encoded to fit the per-channel latent statistics
    init: str = ""  # start from this VAE file (its config must be the preset's) instead of random
    freeze_encoder: bool = False  # train the decoder only: the latent space (and stats) stay
    decoder_lookahead: int | None = None  # 0 or 1 (VAEConfig); None: the preset's or init's
    # Refine blocks after the decoder's finest level and their inner width (VAEConfig);
    # None: the preset's or init's. More than init has are added at no change to start.
    decoder_refine: int | None = None
    refine_width: int | None = None


@dataclass
class VAETrainConfig:
    run: RunConfig = field(default_factory=lambda: RunConfig(out="runs/vae"))
    data: VAEDataConfig = field(default_factory=VAEDataConfig)
    model: VAEModelConfig = field(default_factory=VAEModelConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    loss: VAELossConfig = field(default_factory=VAELossConfig)


# ---------------------------------------------------------------------------
# The DiT trainer
# ---------------------------------------------------------------------------


@dataclass
class DiTDataConfig(DataConfig):
    min_latent_frames: int = 2  # crops are latent prefixes of this many frames or more
    # Share of steps that train on stills: each clip's first latent frame, which the causal
    # VAE encodes from frame 0 alone, so it is exactly a still image's latent. A still is
    # one latent frame's tokens (1/13 of a 4 s clip's), so spatial structure (objects, sky,
    # ground) is learned from many more samples per second; the video steps keep motion.
    image_prob: float = 0.0
    image_batch_size: int = 0  # stills per such step; 0: data.batch_size
    # Render this many world scenes (seeds render_seed, render_seed + 1, ...) straight
    # into the latent cache instead of reading data.path; data.buckets then lists the
    # sizes as specs ("128x72x4@12"), scene i framed by bucket i mod their number.
    render: int = 0
    render_seed: int = 0


@dataclass
class DiTModelConfig:
    preset: str = "Reel-S/2"  # a name in reelforge.model.dit.DIT_MODELS
    vae: str = "runs/vae/vae.safetensors"  # the trained VAE (`train vae` exports it)
    init: str = ""  # continue from this DiT file (`train dit` exports it) instead of random
    # The output conv's kernel (`DiTConfig.final_conv`); None: the preset's. 0 keeps a
    # model from before the conv as it is, so a run on it changes one thing at a time.
    final_conv: int | None = None
    # Frequency bands of each token's place in the frame (`DiTConfig.frame_pos`); None: the
    # preset's, 0: none (a model from before them, as it is).
    frame_pos: int | None = None


@dataclass
class TextConfig:
    encoder: str = "minilm"  # "minilm" (all-MiniLM-L6-v2, offline) | "hash" (tests)
    minilm: str = ""  # a MiniLM folder (`train cut-minilm` writes one); empty: the installed
    caption_prob: float = 0.7  # the rich caption; else one of the short prompts
    dropout: float = 0.1  # text replaced by the null text (classifier-free guidance)
    hash_dim: int = 32  # embedding width of the "hash" encoder


@dataclass
class TaskConfig:
    """Probabilities of the frame-conditioning tasks (`conditioning.TASKS`)."""

    text: float = 0.4
    first: float = 0.25
    first_k: float = 0.1
    last_k: float = 0.1
    first_last: float = 0.1
    random: float = 0.05

    @property
    def probs(self) -> tuple[float, ...]:
        from reelforge.model.conditioning import TASKS

        return tuple(getattr(self, t) for t in TASKS)


@dataclass
class CacheConfig:
    path: str = ""  # where the latent cache lives; empty = <run.out>/latents
    batch_size: int = 4  # clips per VAE encode
    dtype: str = "float16"  # "float16" | "float32" for latents and text tokens
    shard_size: int = 256  # clips per shard file
    workers: int = 1  # processes rendering scenes, with data.render


@dataclass
class PreviewConfig:
    prompt: str = ""  # empty: the caption of the first held-out clip
    steps: int = 12
    guidance: float = 4.0
    mp4: bool = True  # an MP4 next to the PNG strip


@dataclass
class DiTLossConfig:
    edge: float = 0.0  # weight of the velocity error's neighbour differences (model/flow.py)
    # Extra loss weight on latent voxels that show objects: each voxel's squared error is
    # weighted 1 + object * (the share of its pixels that show an object). Objects are a
    # few per cent of a world clip's pixels, so the plain loss is nearly all background.
    # Needs a cache made with data.render (which knows where the objects are).
    object: float = 0.0


@dataclass
class DiTTrainConfig:
    run: RunConfig = field(default_factory=lambda: RunConfig(out="runs/dit"))
    data: DiTDataConfig = field(default_factory=DiTDataConfig)
    model: DiTModelConfig = field(default_factory=DiTModelConfig)
    optim: OptimConfig = field(default_factory=lambda: OptimConfig(lr=2e-4, min_lr=2e-5))
    text: TextConfig = field(default_factory=TextConfig)
    tasks: TaskConfig = field(default_factory=TaskConfig)
    flow: FlowConfig = field(default_factory=FlowConfig)
    loss: DiTLossConfig = field(default_factory=DiTLossConfig)
    cache: CacheConfig = field(default_factory=CacheConfig)
    preview: PreviewConfig = field(default_factory=PreviewConfig)

    @property
    def cache_path(self) -> Path:
        return Path(self.cache.path) if self.cache.path else Path(self.run.out) / "latents"


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------

C = TypeVar("C")


def load_config(cls: type[C], path: str | Path | None = None, overrides: dict | None = None) -> C:
    """`cls` from a TOML file (None: the defaults), then `overrides` {"section.key": value}
    (None values are skipped), checked (`check_config`)."""
    data: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise NotFoundError(f"no config file at {path}", param="config")
        try:
            data = tomllib.loads(path.read_text())
        except tomllib.TOMLDecodeError as e:
            raise InvalidInputError(f"{path} is not valid TOML: {e}", param="config") from e
    for key, value in (overrides or {}).items():
        if value is not None:
            section, _, name = key.partition(".")
            data.setdefault(section, {})[name] = value
    config = from_dict(cls, data)
    check_config(config)
    return config


def parse_settings(items: list[str]) -> dict[str, Any]:
    """`--set` items "section.key=value" -> {"section.key": value}; the value is read as a
    TOML value (3, 2e-4, true, ["a", "b"], "text") and, failing that, as plain text."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        section, dot, name = key.strip().partition(".")
        if not sep or not dot or not section or not name:
            raise InvalidInputError(
                f"--set {item!r} is not SECTION.KEY=VALUE", param="set", hint="e.g. run.steps=500"
            )
        try:
            value = tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
            value = text
        out[f"{section}.{name}"] = value
    return out


def from_dict(cls: type[C], data: dict, where: str = "") -> C:
    """Build dataclass `cls` from nested dicts, refusing unknown keys and wrong types."""
    if not isinstance(data, dict):
        raise InvalidInputError(f"[{where}] must be a table; got {data!r}", param=where or "config")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(data) - known)
    if unknown:
        names = ", ".join(f"{where}.{k}" if where else k for k in unknown)
        raise InvalidInputError(
            f"unknown config key(s): {names}",
            param="config",
            hint=f"known in [{where or 'top level'}]: {', '.join(sorted(known))}",
        )
    kwargs = {k: _coerce(hints[k], v, f"{where}.{k}" if where else k) for k, v in data.items()}
    return cls(**kwargs)


def _coerce(hint: Any, value: Any, where: str) -> Any:
    if dataclasses.is_dataclass(hint):
        return from_dict(hint, value, where)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (list, tuple) and isinstance(value, list | tuple):
        items = [_coerce(args[0], v, f"{where}[{i}]") for i, v in enumerate(value)]
        if (
            origin is tuple
            and len(args) > 1
            and args[1] is not Ellipsis
            and len(items) != len(args)
        ):
            raise InvalidInputError(f"{where} needs {len(args)} values; got {value!r}", param=where)
        return tuple(items) if origin is tuple else items
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if origin in (types.UnionType, typing.Union):  # `X | None`: TOML has no None, so X
        kinds = [a for a in args if a is not type(None)]
        if len(kinds) == 1:
            return _coerce(kinds[0], value, where)
    if (
        isinstance(hint, type)
        and isinstance(value, hint)
        and not (hint is int and isinstance(value, bool))
    ):
        return value
    name = getattr(hint, "__name__", str(hint))
    raise InvalidInputError(f"{where} must be {name}; got {value!r}", param=where)


def check_config(config: VAETrainConfig | DiTTrainConfig) -> None:
    """Refuse values no run can use, naming the key."""
    run, data, optim = config.run, config.data, config.optim
    _need(run.steps >= 1, "run.steps", "must be at least 1")
    _need(run.device in ("auto", "cpu", "cuda"), "run.device", "must be auto, cpu or cuda")
    _need(
        run.dtype in ("auto", "float32", "bfloat16"),
        "run.dtype",
        "must be auto, float32 or bfloat16",
    )
    for key in ("threads", "log_every", "eval_every", "checkpoint_every"):
        _need(getattr(run, key) >= 0, f"run.{key}", "must be >= 0")
    _need(run.keep_checkpoints >= 1, "run.keep_checkpoints", "must be at least 1")
    _need(run.max_minutes >= 0, "run.max_minutes", "must be >= 0 (0: no limit)")
    _need(data.batch_size >= 1, "data.batch_size", "must be at least 1")
    _need(data.holdout >= 0, "data.holdout", "must be >= 0")
    _need(0 <= data.crop_prob <= 1, "data.crop_prob", "must be in [0, 1]")
    _need(optim.lr > 0 and optim.min_lr >= 0, "optim.lr", "lr must be > 0, min_lr >= 0")
    _need(0 <= optim.ema_decay < 1, "optim.ema_decay", "must be in [0, 1)")
    _need(optim.warmup_steps >= 0 and optim.grad_clip >= 0, "optim", "warmup/grad_clip >= 0")
    if isinstance(config, VAETrainConfig):
        _check_vae(config)
    else:
        _check_dit(config)


def _check_vae(config: VAETrainConfig) -> None:
    from reelforge.model.vae import VAE_MODELS

    frames = config.data.crop_frames
    _need(frames >= 1 and (frames - 1) % 4 == 0, "data.crop_frames", "must be 1 + 4k (5, 9, 17…)")
    _need(0 <= config.data.image_prob <= 1, "data.image_prob", "must be in [0, 1]")
    _need(config.data.crop_size >= 0, "data.crop_size", "must be 0 (off) or a side in pixels")
    _need(config.model.stats_batches >= 1, "model.stats_batches", "must be at least 1")
    _need(config.loss.latent_noise >= 0, "loss.latent_noise", "must be >= 0 (0: off)")
    _need(config.loss.latent_noise_patch >= 1, "loss.latent_noise_patch", "must be at least 1")
    _need(
        config.loss.latent_noise == 0 or config.model.freeze_encoder,
        "loss.latent_noise",
        "needs model.freeze_encoder: the noise is measured in the frozen latent space's units",
    )
    _need(
        bool(config.model.init) or not config.model.freeze_encoder,
        "model.freeze_encoder",
        "needs model.init: a frozen random encoder would fix a meaningless latent space",
    )
    _need(
        config.model.preset in VAE_MODELS,
        "model.preset",
        f"{config.model.preset!r} is not one of {', '.join(VAE_MODELS)}",
    )


def _check_dit(config: DiTTrainConfig) -> None:
    from reelforge.model.dit import DIT_MODELS

    text, probs = config.text, config.tasks.probs
    _need(
        config.model.preset in DIT_MODELS,
        "model.preset",
        f"{config.model.preset!r} is not one of {', '.join(DIT_MODELS)}",
    )
    _need(config.data.min_latent_frames >= 1, "data.min_latent_frames", "must be at least 1")
    _need(0 <= config.data.image_prob <= 1, "data.image_prob", "must be in [0, 1]")
    _need(config.data.image_batch_size >= 0, "data.image_batch_size", "must be >= 0")
    _need(text.encoder in ("minilm", "hash"), "text.encoder", "must be minilm or hash")
    _need(0 <= text.caption_prob <= 1, "text.caption_prob", "must be in [0, 1]")
    _need(0 <= text.dropout <= 1, "text.dropout", "must be in [0, 1]")
    _need(min(probs) >= 0 and sum(probs) > 0, "tasks", "probabilities must be >= 0, not all 0")
    _need(config.cache.dtype in ("float16", "float32"), "cache.dtype", "float16 or float32")
    _need(config.cache.batch_size >= 1, "cache.batch_size", "must be at least 1")
    _need(config.cache.shard_size >= 1, "cache.shard_size", "must be at least 1")
    _need(config.cache.workers >= 1, "cache.workers", "must be at least 1")
    _need(config.data.render >= 0, "data.render", "must be >= 0 (0: read data.path)")
    _need(config.data.render_seed >= 0, "data.render_seed", "must be >= 0")
    _need(config.preview.steps >= 1, "preview.steps", "must be at least 1")
    _need(config.loss.edge >= 0, "loss.edge", "must be >= 0 (0: off)")
    _need(config.loss.object >= 0, "loss.object", "must be >= 0 (0: off)")


def _need(ok: bool, key: str, message: str) -> None:
    if not ok:
        raise InvalidInputError(f"config {key} {message}", param=key)


def to_dict(config: Any) -> dict:
    """The config as plain JSON-ready data (saved with checkpoints and the run)."""
    return dataclasses.asdict(config)
