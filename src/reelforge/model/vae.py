"""Causal video VAE: video (B, 3, T, H, W) in [-1, 1] ⇄ latent grid (B, C, T', H', W').

Layout (spatial factor s = p·2^(levels-1), temporal factor 4, T = 1 + 4k → T' = 1 + k):

    video ─ fold p×p pixels into channels ─ conv ─ [res blocks ─ down 2×2 (×2 in time)]
          × levels ─ res blocks ─ conv → mean, log-variance (B, 2C, T', H/s, W/s)

and the decoder mirrors it (`causal_conv.py` holds the layers). Every op is causal in
time: 3×3×3 convolutions see the present and two past frames (zeros before frame 0), and
each 2× time step folds frame pairs (1,2), (3,4), … into channels while frame 0 is
paired with itself. So frame 0 is encoded alone, a still image (T = 1) is a one-frame
video in the same latent space (image-to-video), and latent frame j ≥ 1 sees video
frames ≤ 4j. Norms are per voxel, so a clip can be encoded and decoded in time chunks
(exact, through a cache of past frames) and in spatial tiles (exact with the default
halo), to bound memory on long or large clips.

The encoder is KL-regularised (mean and log-variance; `vae_loss.py` weighs the KL
lightly): sampling teaches the decoder to tolerate small latent errors, which is what a
diffusion model leaves behind. The DiT works on `normalize(z)`: per-channel
`latent_shift` / `latent_scale` buffers, set by `fit_latent_stats` after training and
saved with the weights, bring latents to zero mean and unit variance.

Shapes are refused, never padded silently: T must be 1 + 4k (`pad_frames` repeats the
last frame; trim the decoded clip), H and W multiples of s.
"""

from __future__ import annotations

import itertools
import json
import math
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from reelforge.model.causal_conv import (
    Cache,
    CausalConv3d,
    ChannelNorm,
    Down,
    Up,
    channel_mean,
    channel_repeat,
    depth_to_space,
    run_chunked,
    space_to_depth,
)
from reelforge.model.tiles import spatial_tiles
from reelforge.types import InvalidInputError, NotFoundError

FORMAT = "reelforge.vae"
LOGVAR_INIT = -8.0  # σ ≈ 0.02 at the start: with σ ≈ 1 the first steps see only noise

# ---------------------------------------------------------------------------
# Config
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VAEConfig:
    in_channels: int = 3
    latent_channels: int = 16
    width: int = 16  # channels at the first (finest) level
    channel_mult: tuple[int, ...] = (1, 4, 8)  # one per level, finest first
    patch_size: int = 2  # p×p pixels folded into channels before the first conv
    spatial_factor: int = 8  # = patch_size * 2 ** (levels - 1)
    temporal_factor: int = 4  # 2 ** (2× time steps); they come first, at the finest levels
    encoder_blocks: tuple[int, ...] = (1, 1, 2)  # residual blocks per level
    decoder_blocks: tuple[int, ...] = (1, 1, 2)
    # Frames ahead each decoder convolution sees (0: causal). A causal decoder makes each
    # latent frame's four frames without knowing where the motion goes next, and its
    # motion then jerks at every group (evaluate/judder.py); with 1 it sees the next
    # latent frame. The encoder stays causal, so the latents (and a DiT trained on them)
    # are the same; a decoder that looks ahead decodes whole clips, not time chunks.
    decoder_lookahead: int = 0
    # Residual blocks after the decoder's finest level, each widening to `refine_width`
    # channels inside: that level has only `width` channels (16 in vae-s8) to draw every
    # pixel's detail from, and blocks added there start as no change (the second conv at
    # zero, `with_decoder_refine`), so a trained decoder can grow them and keep its latents.
    decoder_refine: int = 0
    refine_width: int = 64

    def __post_init__(self) -> None:
        levels = len(self.channel_mult)
        if self.patch_size * 2 ** (levels - 1) != self.spatial_factor:
            raise InvalidInputError(
                f"spatial_factor {self.spatial_factor} != patch_size {self.patch_size} "
                f"* 2 ** ({levels} levels - 1)",
                param="spatial_factor",
            )
        if self.temporal_factor not in [2**i for i in range(levels)]:
            raise InvalidInputError(
                f"temporal_factor {self.temporal_factor} must be 2**i with i < {levels} levels",
                param="temporal_factor",
            )
        if not len(self.encoder_blocks) == len(self.decoder_blocks) == levels:
            raise InvalidInputError("one encoder/decoder block count per level", param="blocks")
        if self.decoder_lookahead not in (0, 1):
            raise InvalidInputError(
                f"decoder_lookahead must be 0 or 1; got {self.decoder_lookahead}",
                param="decoder_lookahead",
            )
        if self.decoder_refine < 0 or self.refine_width < 1:
            raise InvalidInputError(
                f"decoder_refine must be >= 0 and refine_width >= 1; got "
                f"{self.decoder_refine} and {self.refine_width}",
                param="decoder_refine",
            )

    @property
    def channels(self) -> list[int]:
        return [self.width * m for m in self.channel_mult]

    @property
    def time_steps(self) -> list[int]:
        """The time stride (1 or 2) of each down/up step between levels, finest first."""
        n = int(math.log2(self.temporal_factor))
        return [2 if i < n else 1 for i in range(len(self.channel_mult) - 1)]

    def latent_shape(self, frames: int, height: int, width: int) -> tuple[int, int, int, int]:
        """(C, T', H', W') of the latent of a valid (frames, height, width) video."""
        s = self.spatial_factor
        return (
            self.latent_channels,
            1 + (frames - 1) // self.temporal_factor,
            height // s,
            width // s,
        )

    def receptive_radius(self, blocks: tuple[int, ...]) -> int:
        """Receptive radius in latent pixels of a stack with `blocks` residual blocks per
        level (plus its in and out convs): the tile halo that makes tiles exact."""
        levels = len(blocks)
        convs = [2 * n + (i == 0) + (i == levels - 1) for i, n in enumerate(blocks)]
        return math.ceil(sum(c * 2.0 ** (i - levels + 1) for i, c in enumerate(convs)))

    @property
    def decoder_radius(self) -> int:
        """The decoder's receptive radius in latent pixels: its refine blocks count as
        blocks of the finest level, where they run."""
        finest, *rest = self.decoder_blocks
        return self.receptive_radius((finest + self.decoder_refine, *rest))

    @classmethod
    def from_dict(cls, d: dict) -> VAEConfig:
        unknown = set(d) - {f.name for f in fields(cls)}
        if unknown:
            raise InvalidInputError(f"unknown VAE config keys {sorted(unknown)}", param="config")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


# ---------------------------------------------------------------------------
# Encoder and decoder
# ---------------------------------------------------------------------------


class ResBlock(nn.Module):
    def __init__(self, dim: int, future: int = 0, inner: int | None = None):
        super().__init__()
        inner = inner or dim
        self.norm1, self.conv1 = ChannelNorm(), CausalConv3d(dim, inner, future=future)
        self.norm2, self.conv2 = ChannelNorm(), CausalConv3d(inner, dim, future=future)

    def forward(self, x: Tensor, cache: Cache | None = None) -> Tensor:
        h = self.conv1(F.silu(self.norm1(x)), cache)
        return x + self.conv2(F.silu(self.norm2(h)), cache)


class Encoder(nn.Module):
    def __init__(self, cfg: VAEConfig):
        super().__init__()
        ch, p = cfg.channels, cfg.patch_size
        self.p = p
        self.conv_in = CausalConv3d(cfg.in_channels * p * p, ch[0])
        self.levels = nn.ModuleList(
            nn.ModuleList(ResBlock(c) for _ in range(n))
            for c, n in zip(ch, cfg.encoder_blocks, strict=True)
        )
        pairs = zip(itertools.pairwise(ch), cfg.time_steps, strict=True)
        self.downs = nn.ModuleList(Down(a, b, st) for (a, b), st in pairs)
        self.norm_out = ChannelNorm()
        self.conv_out = CausalConv3d(ch[-1], 2 * cfg.latent_channels)
        nn.init.constant_(self.conv_out.conv.bias[cfg.latent_channels :], LOGVAR_INIT)
        self.shortcut = ch[-1] % cfg.latent_channels == 0

    def forward(self, x: Tensor, cache: Cache | None = None) -> Tensor:
        x = self.conv_in(space_to_depth(x, 1, self.p), cache)  # (B, C0, T, H/p, W/p)
        for i, blocks in enumerate(self.levels):
            if i > 0:
                x = self.downs[i - 1](x, cache)  # (B, Ci, T_i, H_i, W_i)
            for block in blocks:
                x = block(x, cache)
        moments = self.conv_out(F.silu(self.norm_out(x)), cache)  # (B, 2*latent, T', H', W')
        if self.shortcut:  # the mean half gets the features averaged down to latent channels
            mean, logvar = moments.chunk(2, dim=1)
            moments = torch.cat([mean + channel_mean(x, mean.shape[1]), logvar], dim=1)
        return moments


class Decoder(nn.Module):
    def __init__(self, cfg: VAEConfig):
        super().__init__()
        ch, p, f = cfg.channels, cfg.patch_size, cfg.decoder_lookahead
        self.p = p
        self.conv_in = CausalConv3d(cfg.latent_channels, ch[-1], future=f)
        self.shortcut = ch[-1] % cfg.latent_channels == 0
        self.levels = nn.ModuleList(
            nn.ModuleList(ResBlock(c, f) for _ in range(n))
            for c, n in zip(ch[::-1], cfg.decoder_blocks[::-1], strict=True)
        )
        pairs = zip(itertools.pairwise(ch[::-1]), cfg.time_steps[::-1], strict=True)
        self.ups = nn.ModuleList(Up(a, b, st) for (a, b), st in pairs)
        self.refine = nn.ModuleList(
            ResBlock(ch[0], f, cfg.refine_width) for _ in range(cfg.decoder_refine)
        )
        self.norm_out = ChannelNorm()
        self.conv_out = CausalConv3d(ch[0], cfg.in_channels * p * p, future=f)

    def forward(self, z: Tensor, cache: Cache | None = None) -> Tensor:
        x = self.conv_in(z, cache)  # (B, C_last, T', H', W')
        if self.shortcut:
            x = x + channel_repeat(z, x.shape[1])
        for i, blocks in enumerate(self.levels):
            if i > 0:
                x = self.ups[i - 1](x, cache)
            for block in blocks:
                x = block(x, cache)
        for block in self.refine:
            x = block(x, cache)
        x = self.conv_out(F.silu(self.norm_out(x)), cache)  # (B, 3*p*p, T, H/p, W/p)
        return depth_to_space(x, 1, self.p)  # (B, 3, T, H, W)


# ---------------------------------------------------------------------------
# The VAE
# ---------------------------------------------------------------------------


@dataclass
class LatentDist:
    """A diagonal Gaussian over latents, each (B, C, T', H', W')."""

    mean: Tensor
    logvar: Tensor

    @classmethod
    def from_moments(cls, moments: Tensor) -> LatentDist:
        mean, logvar = moments.chunk(2, dim=1)
        return cls(mean, logvar.clamp(-30.0, 20.0))

    def sample(self, generator: torch.Generator | None = None) -> Tensor:
        noise = torch.randn(
            self.mean.shape, generator=generator, device=self.mean.device, dtype=self.mean.dtype
        )
        return self.mean + torch.exp(0.5 * self.logvar) * noise

    def mode(self) -> Tensor:
        return self.mean

    def kl(self) -> Tensor:
        """KL to N(0, 1), averaged over elements (a scalar)."""
        m, lv = self.mean.float(), self.logvar.float()
        return 0.5 * (m.square() + lv.exp() - 1.0 - lv).mean()


class VideoVAE(nn.Module):
    """The causal video VAE; see the module docstring.

    `encode` / `decode` run whole, or in pieces to bound memory: `chunk` latent frames at a
    time (after frame 0, exact through the causal cache) and/or spatial tiles of `tile`
    latent pixels, each computed with `halo` latent pixels of context on every side (by
    default the receptive radius, which makes tiles exact; a smaller halo is cheaper and
    approximate near tile seams).
    """

    def __init__(self, config: VAEConfig):
        super().__init__()
        self.config = config
        self.encoder, self.decoder = Encoder(config), Decoder(config)
        self.register_buffer("latent_shift", torch.zeros(config.latent_channels))
        self.register_buffer("latent_scale", torch.ones(config.latent_channels))

    def encode(
        self,
        video: Tensor,
        *,
        chunk: int | None = None,
        tile: int | None = None,
        halo: int | None = None,
    ) -> LatentDist:
        """Video (B, 3, 1 + 4k, H, W) in [-1, 1] → latent distribution (B, C, 1 + k, H/s, W/s)."""
        cfg = self.config
        check_video(video, cfg)
        s, halo = cfg.spatial_factor, _or(halo, cfg.receptive_radius(cfg.encoder_blocks))
        run = self._pieces(self.encoder, chunk, cfg.temporal_factor)
        return LatentDist.from_moments(spatial_tiles(run, video, tile, halo, s, 1 / s))

    def decode(
        self,
        z: Tensor,
        *,
        chunk: int | None = None,
        tile: int | None = None,
        halo: int | None = None,
    ) -> Tensor:
        """Latents (B, C, 1 + k, h, w) → video (B, 3, 1 + 4k, h*s, w*s), roughly in [-1, 1]
        (clamp it before turning it into pixels)."""
        cfg = self.config
        check_latent(z, cfg)
        halo = _or(halo, cfg.decoder_radius)
        if chunk is not None and cfg.decoder_lookahead:
            raise InvalidInputError(
                "this VAE's decoder looks ahead in time, so it decodes whole clips only",
                param="chunk",
                hint="decode without chunk (spatial tiles still bound memory)",
            )
        run = self._pieces(self.decoder, chunk, 1)
        return spatial_tiles(run, z, tile, halo, 1, cfg.spatial_factor)

    def normalize(self, z: Tensor) -> Tensor:
        """Raw latents → the zero-mean, unit-variance latents the DiT works on."""
        return (z - self.latent_shift.view(-1, 1, 1, 1)) / self.latent_scale.view(-1, 1, 1, 1)

    def denormalize(self, z: Tensor) -> Tensor:
        return z * self.latent_scale.view(-1, 1, 1, 1) + self.latent_shift.view(-1, 1, 1, 1)

    def _pieces(self, net: nn.Module, chunk: int | None, step: int) -> Callable:
        """`net` whole, or over frame 0 then `chunk` latent frames (`step` frames each)."""
        if chunk is None:
            return net
        if chunk < 1:
            raise InvalidInputError(f"chunk must be >= 1 latent frame; got {chunk}", param="chunk")
        return lambda x: run_chunked(net, x, chunk * step)


def _or(value, default):
    return default if value is None else value


# ---------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------


def check_video(video: Tensor, cfg: VAEConfig) -> None:
    """Refuse a video the VAE cannot encode, saying what to change."""
    if video.ndim != 5 or video.shape[1] != cfg.in_channels:
        raise InvalidInputError(
            f"video must be (B, {cfg.in_channels}, T, H, W); got {tuple(video.shape)}",
            param="video",
        )
    T, H, W = video.shape[2:]
    t, s = cfg.temporal_factor, cfg.spatial_factor
    if (T - 1) % t:
        below, above = 1 + (T - 1) // t * t, 1 + -(-(T - 1) // t) * t
        raise InvalidInputError(
            f"video has {T} frames; the VAE takes 1 + {t}k frames (e.g. {below} or {above})",
            param="frames",
            hint="trim the clip, or pad it with pad_frames() and trim the decoded clip",
        )
    for name, n in (("height", H), ("width", W)):
        if n % s or n == 0:
            near = ", ".join(str(v) for v in sorted({max(s, n // s * s), -(-n // s) * s}))
            raise InvalidInputError(
                f"video {name} {n} is not a multiple of {s}; use a multiple of {s} (e.g. {near})",
                param=name,
            )


def check_latent(z: Tensor, cfg: VAEConfig) -> None:
    if z.ndim != 5 or z.shape[1] != cfg.latent_channels:
        raise InvalidInputError(
            f"latent must be (B, {cfg.latent_channels}, T', H', W'); got {tuple(z.shape)}",
            param="latent",
        )


def pad_frames(video: Tensor, temporal_factor: int = 4) -> Tensor:
    """Repeat the last frame up to 1 + k * temporal_factor frames (B, C, T, H, W)."""
    extra = -(video.shape[2] - 1) % temporal_factor
    return torch.cat([video, video[:, :, -1:].expand(-1, -1, extra, -1, -1)], dim=2)


# ---------------------------------------------------------------------------
# Latent statistics
# ---------------------------------------------------------------------------


@torch.no_grad()
def fit_latent_stats(model: VideoVAE, videos: Iterable[Tensor]) -> tuple[Tensor, Tensor]:
    """Set `latent_shift` / `latent_scale` to the per-channel mean / std of the latent
    means of `videos` (batches of (B, 3, T, H, W)); returns them."""
    n, s1, s2 = 0, 0.0, 0.0
    for video in videos:
        z = model.encode(video).mean.double().transpose(0, 1).flatten(1)  # (C, N)
        n, s1, s2 = n + z.shape[1], s1 + z.sum(1), s2 + z.square().sum(1)
    if n == 0:
        raise InvalidInputError("fit_latent_stats needs at least one video", param="videos")
    mean = s1 / n
    std = (s2 / n - mean.square()).clamp_min(1e-12).sqrt()
    model.latent_shift.copy_(mean)
    model.latent_scale.copy_(std)
    return model.latent_shift.clone(), model.latent_scale.clone()


# ---------------------------------------------------------------------------
# Save and load (safetensors, config in the metadata)
# ---------------------------------------------------------------------------


def save_vae(model: VideoVAE, path: str | os.PathLike[str], dtype: torch.dtype | None = None):
    """Write weights, latent statistics and config to one self-describing file."""
    from safetensors.torch import save_file

    path = Path(path)
    tensors = {k: v.detach().to("cpu", dtype or v.dtype) for k, v in model.state_dict().items()}
    meta = {"format": FORMAT, "config": json.dumps(asdict(model.config))}
    tmp = path.with_name(f".{path.name}.part")
    save_file({k: v.contiguous() for k, v in tensors.items()}, tmp, metadata=meta)
    os.replace(tmp, path)


def load_vae(
    path: str | os.PathLike[str], device: str | torch.device = "cpu", dtype=torch.float32
) -> VideoVAE:
    """Rebuild a VAE from a `save_vae` file; a file without a valid config is refused."""
    from safetensors import SafetensorError, safe_open
    from safetensors.torch import load_file

    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"no VAE checkpoint at {path}", param="path")
    hint = "save it with reelforge.model.vae.save_vae"
    try:
        with safe_open(path, "pt") as f:
            meta = f.metadata() or {}
        if meta.get("format") != FORMAT or "config" not in meta:
            raise InvalidInputError(
                f"{path} is not a reelforge VAE checkpoint (no VAE config in its metadata)",
                param="path",
                hint=hint,
            )
        model = VideoVAE(VAEConfig.from_dict(json.loads(meta["config"])))
        model.load_state_dict(load_file(path))
    except (SafetensorError, json.JSONDecodeError, TypeError, RuntimeError) as e:
        raise InvalidInputError(f"cannot load VAE from {path}: {e}", param="path", hint=hint) from e
    return model.to(device, dtype).eval()


# ---------------------------------------------------------------------------
# Presets
# ---------------------------------------------------------------------------


def with_decoder_lookahead(vae: VideoVAE, lookahead: int) -> VideoVAE:
    """A copy of `vae` whose decoder looks `lookahead` frames ahead (0 or 1), from its
    weights: every decoder time kernel is shifted so the copy starts out computing almost
    what `vae` did. Taps at (t-2, t-1, t) become (t-1, t, t+1) with the t+1 tap at zero;
    only the oldest tap is lost. Fine-tuning then teaches the new tap."""
    old = vae.config.decoder_lookahead
    copy = VideoVAE(replace(vae.config, decoder_lookahead=lookahead))
    copy.load_state_dict(vae.state_dict())
    shift = lookahead - old
    for module in copy.decoder.modules():
        if isinstance(module, CausalConv3d) and shift:
            with torch.no_grad():
                w = module.conv.weight  # (cout, cin, kt, kh, kw)
                w.copy_(torch.roll(w, -shift, dims=2))
                if shift > 0:
                    w[:, :, -shift:] = 0
                else:
                    w[:, :, :-shift] = 0
    return copy.to(next(vae.parameters()).device)


def with_decoder_refine(vae: VideoVAE, blocks: int, width: int) -> VideoVAE:
    """A copy of `vae` with `blocks` refine blocks of inner width `width` after its
    decoder's finest level (`VAEConfig.decoder_refine`), computing exactly what `vae` did:
    the blocks it had keep their weights, the new ones start with their second conv at
    zero. Fine-tuning then teaches them; blocks are only ever added."""
    old = vae.config
    if blocks < old.decoder_refine or (old.decoder_refine and width != old.refine_width):
        raise InvalidInputError(
            f"this VAE has {old.decoder_refine} refine blocks of width {old.refine_width}; "
            f"{blocks} of width {width} would drop or reshape trained ones",
            param="decoder_refine",
            hint="add blocks of the same width, or start a new VAE",
        )
    copy = VideoVAE(replace(old, decoder_refine=blocks, refine_width=width))
    missing, unexpected = copy.load_state_dict(vae.state_dict(), strict=False)
    assert not unexpected and all(k.startswith("decoder.refine.") for k in missing), missing
    with torch.no_grad():
        for block in copy.decoder.refine[old.decoder_refine :]:
            nn.init.zeros_(block.conv2.conv.weight)
            nn.init.zeros_(block.conv2.conv.bias)
    return copy.to(next(vae.parameters()).device)


def vae_test(**kw) -> VideoVAE:  # for tests: 8-16 channels
    return VideoVAE(VAEConfig(latent_channels=4, width=8, channel_mult=(1, 1, 2), **kw))


def vae_test_s16(**kw) -> VideoVAE:  # for tests
    one = (1, 1, 1, 1)
    cfg = VAEConfig(
        latent_channels=8,
        width=8,
        channel_mult=(1, 1, 2, 2),
        spatial_factor=16,
        encoder_blocks=one,
        decoder_blocks=one,
        **kw,
    )
    return VideoVAE(cfg)


def vae_tiny(**kw) -> VideoVAE:  # 1.2M parameters; channels 16, 32, 64
    return VideoVAE(VAEConfig(channel_mult=(1, 2, 4), **kw))


def vae_s8(**kw) -> VideoVAE:  # 4.3M parameters; channels 16, 64, 128 (the default)
    return VideoVAE(VAEConfig(**kw))


def vae_s16(**kw) -> VideoVAE:  # 6.4M parameters; channels 16, 64, 128, 128; 32 latent
    blocks = (1, 1, 1, 2)
    cfg = VAEConfig(
        latent_channels=32,
        channel_mult=(1, 4, 8, 8),
        spatial_factor=16,
        encoder_blocks=blocks,
        decoder_blocks=blocks,
        **kw,
    )
    return VideoVAE(cfg)


VAE_MODELS: dict[str, Callable[..., VideoVAE]] = {
    "vae-test": vae_test,
    "vae-test-s16": vae_test_s16,
    "vae-tiny": vae_tiny,
    "vae-s8": vae_s8,
    "vae-s16": vae_s16,
}
DEFAULT_VAE = "vae-s8"
