"""The native engine's weights folder: `engine.json`, `vae.safetensors`, `dit.safetensors`.

    engine.json   {"format": "reelforge.engine", "version": 1, "name": "...",
                   "sizes": {"16:9": [[256, 144], [128, 72]], "9:16": [[72, 128]], ...},
                   "fps": 12, "max_frames": 49, "max_seconds": 20,
                   "steps": 12, "guidance": 4.0,
                   "sampler": "euler", "shift": null, "flow": {"base_tokens": 256, ...},
                   "text_encoder": "minilm" | "hash", "max_upscale": 8,
                   "decode_tile": 32, "decode_chunk": null}

"format" and "sizes" are required (the sizes the model was trained at; each must be a
multiple of the VAE's spatial factor; the DiT pads to whole patches), every other key is optional
(the defaults below), and an unknown key is refused by name. `max_frames` is the window
the model makes in one pass; `max_seconds`, when given, is the longest clip the engine
serves by chaining windows (windows.py); without it a clip is one window.
The networks' own configs travel in their safetensors headers (`save_vae`, `save_dit`), so
the frame rule and size multiples are read from the headers without loading any weights.
The shipped default folder is `reelforge/weights/default/` inside the package.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import torch

from reelforge.model.dit import DiTConfig, VideoDiT, build_dit, load_dit, save_dit
from reelforge.model.flow import FlowConfig
from reelforge.model.text import EncodesText, HashTextEncoder, TextEncoder
from reelforge.model.vae import (
    VAE_MODELS,
    VAEConfig,
    VideoVAE,
    fit_latent_stats,
    load_vae,
    save_vae,
)
from reelforge.types import InvalidInputError, NotFoundError

FORMAT = "reelforge.engine"
VERSION = 1
FILES = ("engine.json", "vae.safetensors", "dit.safetensors")
DEFAULT_WEIGHTS = Path(__file__).resolve().parents[1] / "weights" / "default"
MINILM_DIM = 384

Size = tuple[int, int]


@dataclass(frozen=True)
class EngineConfig:
    """engine.json as data (see the module docstring)."""

    sizes: dict[str, tuple[Size, ...]]  # aspect → native sizes, the default first
    name: str = "reelforge-native"
    fps: float = 12.0
    max_frames: int = 49  # the window: frames made in one pass
    max_seconds: float | None = None  # longest clip, by chaining windows; None: one window
    steps: int = 12
    guidance: float = 4.0
    sampler: str = "euler"  # "euler" | "heun"
    shift: float | None = None  # None: the training rule, time_shift(tokens, flow)
    flow: FlowConfig = field(default_factory=FlowConfig)
    text_encoder: str = "minilm"  # "minilm" | "hash" (dim = the DiT's text_dim)
    max_upscale: float = 8.0  # per side, above the largest native size of an aspect
    decode_tile: int | None = 32  # latent pixels per VAE decode tile; None: whole frames
    decode_chunk: int | None = None  # latent frames per VAE decode chunk; None: all

    def __post_init__(self) -> None:
        sizes = {str(a): tuple((int(w), int(h)) for w, h in s) for a, s in self.sizes.items()}
        object.__setattr__(self, "sizes", sizes)
        if not sizes or not all(sizes.values()):
            raise InvalidInputError("engine.json needs at least one size", param="sizes")
        if self.text_encoder not in ("minilm", "hash"):
            raise InvalidInputError(
                f"text_encoder must be 'minilm' or 'hash'; got {self.text_encoder!r}",
                param="text_encoder",
            )
        if self.sampler not in ("euler", "heun"):
            raise InvalidInputError(
                f"sampler must be 'euler' or 'heun'; got {self.sampler!r}", param="sampler"
            )
        if not (self.fps > 0 and self.max_frames >= 1 and self.steps >= 1):
            raise InvalidInputError("fps, max_frames and steps must be positive", param="config")
        if self.max_seconds is not None and not self.max_seconds > 0:
            raise InvalidInputError("max_seconds must be positive", param="max_seconds")
        if self.max_upscale < 1:
            raise InvalidInputError("max_upscale must be >= 1", param="max_upscale")

    def to_json(self) -> str:
        data = {"format": FORMAT, "version": VERSION, **asdict(self)}
        data["sizes"] = {a: [list(s) for s in sizes] for a, sizes in self.sizes.items()}
        return json.dumps(data, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str = "engine.json") -> EngineConfig:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise InvalidInputError(f"{where} is not valid JSON: {e}", param="weights") from e
        if not isinstance(data, dict) or data.pop("format", None) != FORMAT:
            raise InvalidInputError(
                f'{where} is not a reelforge engine file (needs "format": "{FORMAT}")',
                param="weights",
            )
        data.pop("version", None)
        if "sizes" not in data:
            raise InvalidInputError(
                f'{where} needs "sizes": the native sizes per aspect, e.g. '
                '{"16:9": [[256, 144]], "1:1": [[96, 96]]}',
                param="weights",
            )
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise InvalidInputError(f"{where}: unknown keys {sorted(unknown)}", param="weights")
        try:
            if "flow" in data:
                data["flow"] = FlowConfig(**data["flow"])
            return cls(**data)
        except (TypeError, ValueError) as e:
            raise InvalidInputError(f"{where}: {e}", param="weights") from e


# ---------------------------------------------------------------------------
# Reading a folder
# ---------------------------------------------------------------------------


def _missing(folder: Path) -> NotFoundError:
    return NotFoundError(
        f"no native engine weights in {folder} (it needs {', '.join(FILES)})",
        param="weights",
        hint="train them with `reelforge train vae` and `reelforge train dit`, then put "
        "vae.safetensors, dit.safetensors and an engine.json there (save_weights() in "
        "reelforge.engines.native_weights writes all three), or point the engine at a "
        "folder that has them (--weights DIR)",
    )


def load_engine_config(folder: str | os.PathLike[str]) -> EngineConfig:
    """engine.json of a weights folder; NotFoundError naming the folder when it is absent."""
    folder = Path(folder)
    if not all((folder / name).is_file() for name in FILES):
        raise _missing(folder)
    return EngineConfig.from_json((folder / "engine.json").read_text(), str(folder / "engine.json"))


def read_network_configs(folder: str | os.PathLike[str]) -> tuple[VAEConfig, DiTConfig]:
    """The VAE and DiT configs from the safetensors headers (no weights are read)."""
    from safetensors import SafetensorError, safe_open

    out = []
    for name, fmt in (("vae.safetensors", "reelforge.vae"), ("dit.safetensors", "reelforge-dit")):
        path = Path(folder) / name
        try:
            with safe_open(str(path), "pt") as f:
                meta = f.metadata() or {}
        except (SafetensorError, OSError) as e:
            raise InvalidInputError(f"cannot read {path}: {e}", param="weights") from e
        if meta.get("format") != fmt or "config" not in meta:
            raise InvalidInputError(f"{path} has no {fmt} config in its header", param="weights")
        out.append(json.loads(meta["config"]))
    return VAEConfig.from_dict(out[0]), DiTConfig(**out[1])


def check_compatible(config: EngineConfig, vae: VAEConfig, dit: DiTConfig, where: Path) -> None:
    """The three files must fit together: channels, text width, size multiples."""
    if vae.latent_channels != dit.in_channels:
        raise InvalidInputError(
            f"{where}: the VAE makes {vae.latent_channels} latent channels but the DiT "
            f"reads {dit.in_channels}",
            param="weights",
        )
    if config.text_encoder == "minilm" and dit.text_dim != MINILM_DIM:
        raise InvalidInputError(
            f"{where}: text_encoder 'minilm' gives {MINILM_DIM}-d tokens but the DiT "
            f"reads {dit.text_dim}-d ones",
            param="weights",
        )
    if config.decode_chunk is not None and vae.decoder_lookahead:
        raise InvalidInputError(
            f"{where}: engine.json sets decode_chunk, but this VAE's decoder looks ahead in "
            "time and decodes whole clips only",
            param="weights",
            hint='set "decode_chunk": null (decode_tile still bounds memory)',
        )
    m = vae.spatial_factor  # the DiT pads a latent to whole patches itself
    for aspect, sizes in config.sizes.items():
        for w, h in sizes:
            if w % m or h % m:
                raise InvalidInputError(
                    f"{where}: size {w}x{h} ({aspect}) is not a multiple of {m} "
                    "(the VAE's spatial factor)",
                    param="weights",
                )


def frame_rule(vae: VAEConfig, dit: DiTConfig) -> tuple[int, int]:
    """(frame_start, frame_step): latent frames 1 + k must be a multiple of the DiT's
    temporal patch pt, so pixel frames are 4·pt·m - 3 = (4pt - 3) + 4pt·(m - 1)."""
    t, pt = vae.temporal_factor, dit.patch[0]
    return t * pt - (t - 1), t * pt


# ---------------------------------------------------------------------------
# Loading the networks
# ---------------------------------------------------------------------------


@dataclass
class NativeWeights:
    """A loaded weights folder: the networks in eval mode and the text encoder."""

    folder: Path
    config: EngineConfig
    vae: VideoVAE
    dit: VideoDiT
    text: EncodesText


def make_text_encoder(kind: str, dim: int) -> EncodesText:
    return HashTextEncoder(dim=dim) if kind == "hash" else TextEncoder()


def load_weights(
    folder: str | os.PathLike[str], device: str | torch.device = "cpu"
) -> NativeWeights:
    """Load a weights folder (NotFoundError naming it when files are missing)."""
    folder = Path(folder)
    config = load_engine_config(folder)
    vae_cfg, dit_cfg = read_network_configs(folder)
    check_compatible(config, vae_cfg, dit_cfg, folder)
    vae = load_vae(folder / "vae.safetensors", device=device)
    dit = load_dit(folder / "dit.safetensors", device=device)
    return NativeWeights(
        folder, config, vae, dit, make_text_encoder(config.text_encoder, dit_cfg.text_dim)
    )


# ---------------------------------------------------------------------------
# Writing a folder
# ---------------------------------------------------------------------------


def save_weights(
    folder: str | os.PathLike[str],
    vae: VideoVAE,
    dit: VideoDiT,
    config: EngineConfig,
    dtype: torch.dtype | None = None,
) -> Path:
    """Write a weights folder the native engine loads; returns the folder. `dtype`
    float16 stores half-size files (the engine computes in float32 either way)."""
    folder = Path(folder)
    check_compatible(config, vae.config, dit.cfg, folder)
    folder.mkdir(parents=True, exist_ok=True)
    save_vae(vae, folder / "vae.safetensors", dtype)
    save_dit(dit, folder / "dit.safetensors", dtype, flow=config.flow)
    tmp = folder / ".engine.json.part"
    tmp.write_text(config.to_json())
    os.replace(tmp, folder / "engine.json")
    return folder


@torch.no_grad()
def save_random_weights(
    folder: str | os.PathLike[str],
    config: EngineConfig | None = None,
    *,
    vae: str = "vae-test",
    dit: str = "Reel-T/1",
    text_dim: int = 16,
    seed: int = 0,
    **config_changes: Any,
) -> Path:
    """A folder of random tiny networks (for tests and smoke runs; they make noise).

    Every DiT weight is random (a zero-initialised model would hide conditioning bugs) and
    the VAE's latent statistics are fitted on random clips, so normalisation is not the
    identity. `config` defaults to the hash text encoder, 4 steps and small sizes.
    """
    torch.manual_seed(seed)
    vae_net = VAE_MODELS[vae]()
    dit_net = build_dit(dit, in_channels=vae_net.config.latent_channels, text_dim=text_dim)
    for p in dit_net.parameters():
        p.normal_(0, 0.2)
    s = vae_net.config.spatial_factor
    gen = torch.Generator().manual_seed(seed)
    videos = [torch.rand(1, 3, 5, 2 * s, 2 * s, generator=gen) * 2 - 1 for _ in range(2)]
    fit_latent_stats(vae_net.eval(), videos)
    base = config or EngineConfig(
        name="random-test",
        sizes={"16:9": ((128, 72),), "9:16": ((72, 128),), "1:1": ((64, 64),)},
        max_frames=25,
        steps=4,
        text_encoder="hash",
    )
    return save_weights(folder, vae_net, dit_net.eval(), replace(base, **config_changes))
