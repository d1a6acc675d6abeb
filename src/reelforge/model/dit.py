"""VideoDiT: a diffusion transformer over spacetime patches (Sora's recipe at CPU size).

    latent (B, C, T, H, W) ─ cat [noisy, given·mask, mask] ─ patchify ─ linear → tokens (B, N, D)
    N × [ adaLN(self-attention with 3D RoPE) → cross-attention to text → adaLN(MLP) ]
    final adaLN + linear ─ unpatchify ─ (+ 3x3 conv, residual) → velocity (B, C, T, H, W)

Conditioning on timestep and text: c = MLP(sinusoid(t)) + MLP(pooled text) (B, D); one shared
projection SiLU → Linear(D, 8D) turns c into the shift/scale/gate of every block (plus a
learned per-block table, as in PixArt-α and Wan: "adaLN-single") and of the final layer. The
projection, the tables, the cross-attention outputs and the final linear start at zero
("adaLN-Zero"), so every block starts as the identity and the model predicts 0.

The output conv (`final_conv`, as in U-ViT): each token writes its ph x pw latent voxels
from its own features alone, so an imprecise model repeats the same small error in every
patch, and on a smooth sky that shows as a grid at the patch pitch (16 pixels through an
8x VAE). A spatial convolution over the unpatchified velocity, added to it, lets every
voxel see its neighbours across patch borders. It starts at zero, so a model trained
without it (whose files say `final_conv` 0) is the same function with it, and training can
go on from that model's weights (`train dit` with `model.init`).

Given frames (image-to-video, extension, interpolation, inpainting): the caller passes
`cond_mask` (1 = given, broadcastable to (B, 1, T, H, W)) and `cond_latents` (the clean
values). The model (a) reads the clean values in place of the noisy ones there, (b) sees
[given·mask, mask] as extra input channels, and (c) gives each token its own modulation:
lerp(modulation at t, modulation at t=0, g) with g the token's fraction of given voxels. With
pt = 1 and frame masks g is 0 or 1, so a given token is exactly a clean (t = 0) token. The
sampler re-imposes given frames after every step and the loss skips them.

Reference tokens (characters, later): `extra_latents` (B, C, Tr, Hr, Wr) are embedded like
given frames (clean, mask 1, t = 0 modulation), join the self-attention sequence at times
-Tr..-1 (before the clip, on their own h/w grid) and are dropped from the output.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from reelforge.model.flow import FlowConfig
from reelforge.model.patches import Patch, grid_coords, pad_to_patch, patchify, unpatchify
from reelforge.model.rope import Scale, apply_rope, rope_angles, rope_tables
from reelforge.model.text import TextBatch
from reelforge.types import InvalidInputError


@dataclass
class DiTConfig:
    in_channels: int = 16  # latent channels C of the VAE
    patch: Patch = (1, 2, 2)  # (pt, ph, pw) latent voxels per token
    width: int = 256
    depth: int = 8
    heads: int = 4
    mlp_ratio: float = 4.0
    text_dim: int = 384  # all-MiniLM-L6-v2
    freq_dim: int = 256  # sinusoidal timestep features
    rope_theta: float = 10_000.0
    final_conv: int = 0  # kernel of the output conv over (h, w); 0: none (files before it)
    frame_pos: int = 0  # bands of each token's place in the frame; 0: none (files before it)

    def __post_init__(self) -> None:
        self.patch = tuple(self.patch)
        if self.width % self.heads:
            raise InvalidInputError(f"width {self.width} is not divisible by heads {self.heads}")
        if self.final_conv < 0 or (self.final_conv and self.final_conv % 2 == 0):
            raise InvalidInputError(f"final_conv must be 0 or odd; got {self.final_conv}")
        if self.frame_pos < 0:
            raise InvalidInputError(f"frame_pos must be >= 0; got {self.frame_pos}")

    @property
    def patch_volume(self) -> int:
        return math.prod(self.patch)


# ---------------------------------------------------------------------------
# Embedders
# ---------------------------------------------------------------------------


def timestep_features(t: torch.Tensor, dim: int, max_period: float = 10_000.0) -> torch.Tensor:
    """(B,) flow time in [0, 1] → (B, dim) sinusoidal features of 1000·t."""
    freqs = torch.exp(-math.log(max_period) * torch.arange(dim // 2, device=t.device) / (dim // 2))
    args = 1000.0 * t.float()[:, None] * freqs[None]
    return torch.cat([args.cos(), args.sin()], dim=-1)


def mlp(dim_in: int, dim: int, act: nn.Module) -> nn.Sequential:
    return nn.Sequential(nn.Linear(dim_in, dim), act, nn.Linear(dim, dim))


def modulate(x: torch.Tensor, shift: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return x * (1 + scale) + shift


# ---------------------------------------------------------------------------
# Attention and block
# ---------------------------------------------------------------------------


def split_heads(x: torch.Tensor, heads: int) -> torch.Tensor:
    return x.unflatten(-1, (heads, -1)).transpose(1, 2)  # (B, N, D) → (B, h, N, D/h)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    return x.transpose(1, 2).flatten(2)  # (B, h, N, D/h) → (B, N, D)


class HeadNorm(nn.RMSNorm):
    """RMSNorm of query or key heads, computed in float32 and returned in the input's
    dtype: under bfloat16 autocast the heads arrive in bfloat16 while the weight stays
    float32, which torch's fused kernel refuses (with a warning each process)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.rms_norm(x.float(), self.normalized_shape, self.weight, self.eps).to(x.dtype)


class SelfAttention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads, self.qkv, self.out = heads, nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)
        self.q_norm = HeadNorm(dim // heads, eps=1e-6)
        self.k_norm = HeadNorm(dim // heads, eps=1e-6)

    def forward(self, x: torch.Tensor, rope: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        q, k, v = (split_heads(p, self.heads) for p in self.qkv(x).chunk(3, -1))  # (B, h, N, Dh)
        q, k = apply_rope(self.q_norm(q), *rope), apply_rope(self.k_norm(k), *rope)
        return self.out(merge_heads(F.scaled_dot_product_attention(q, k, v)))


class CrossAttention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads, self.q, self.kv = heads, nn.Linear(dim, dim), nn.Linear(dim, 2 * dim)
        self.out = nn.Linear(dim, dim)
        self.q_norm = HeadNorm(dim // heads, eps=1e-6)
        self.k_norm = HeadNorm(dim // heads, eps=1e-6)

    def forward(self, x: torch.Tensor, ctx: torch.Tensor, ctx_mask: torch.Tensor) -> torch.Tensor:
        q = self.q_norm(split_heads(self.q(x), self.heads))  # (B, h, N, Dh)
        k, v = (split_heads(p, self.heads) for p in self.kv(ctx).chunk(2, -1))  # (B, h, L, Dh)
        mask = ctx_mask[:, None, None, :]  # (B, 1, 1, L): padding is never attended
        return self.out(merge_heads(F.scaled_dot_product_attention(q, self.k_norm(k), v, mask)))


class DiTBlock(nn.Module):
    def __init__(self, cfg: DiTConfig):
        super().__init__()
        d = cfg.width
        self.norm1 = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.attn = SelfAttention(d, cfg.heads)
        self.norm_ctx = nn.LayerNorm(d, eps=1e-6)
        self.cross = CrossAttention(d, cfg.heads)
        self.norm2 = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        hidden = int(d * cfg.mlp_ratio)
        self.mlp = nn.Sequential(nn.Linear(d, hidden), nn.GELU("tanh"), nn.Linear(hidden, d))
        self.table = nn.Parameter(torch.zeros(6, d))  # per-block offsets of the shared modulation

    def forward(self, x, mod, rope, ctx, ctx_mask) -> torch.Tensor:
        """x (B, N, D); mod (B, N or 1, 6, D); ctx (B, L, D); ctx_mask (B, L)."""
        shift1, scale1, gate1, shift2, scale2, gate2 = (mod + self.table).unbind(-2)
        x = x + gate1 * self.attn(modulate(self.norm1(x), shift1, scale1), rope)
        x = x + self.cross(self.norm_ctx(x), ctx, ctx_mask)
        return x + gate2 * self.mlp(modulate(self.norm2(x), shift2, scale2))


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------


class VideoDiT(nn.Module):
    def __init__(self, cfg: DiTConfig):
        super().__init__()
        self.cfg, d = cfg, cfg.width
        self.embed = nn.Linear((2 * cfg.in_channels + 1) * cfg.patch_volume, d)
        self.frame_pos = nn.Linear(4 * cfg.frame_pos, d) if cfg.frame_pos else None
        self.t_embed = mlp(cfg.freq_dim, d, nn.SiLU())
        self.pooled_embed = mlp(cfg.text_dim, d, nn.SiLU())
        self.text_embed = mlp(cfg.text_dim, d, nn.GELU("tanh"))
        self.null_tokens = nn.Parameter(torch.randn(1, cfg.text_dim) * 0.02)  # text dropped (CFG)
        self.null_pooled = nn.Parameter(torch.zeros(cfg.text_dim))
        self.ada = nn.Sequential(nn.SiLU(), nn.Linear(d, 8 * d))  # 6 per block + 2 final
        self.blocks = nn.ModuleList(DiTBlock(cfg) for _ in range(cfg.depth))
        self.final_table = nn.Parameter(torch.zeros(2, d))
        self.final_norm = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.final = nn.Linear(d, cfg.in_channels * cfg.patch_volume)
        self.final_conv = None
        if cfg.final_conv:
            k, c = cfg.final_conv, cfg.in_channels
            self.final_conv = nn.Conv3d(c, c, (1, k, k), padding=(0, k // 2, k // 2))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)
        zero = [self.ada[1], self.final, *(b.cross.out for b in self.blocks)]
        if self.frame_pos is not None:  # starts as no change, like the output conv
            zero.append(self.frame_pos)
        for m in zero:  # adaLN-Zero: every block starts as the identity, the output as 0
            nn.init.zeros_(m.weight)
        if self.final_conv is not None:  # starts as no change (see the module docstring)
            nn.init.zeros_(self.final_conv.weight)
            nn.init.zeros_(self.final_conv.bias)

    def null_text(self, batch: int) -> TextBatch:
        """The learned "no prompt" (one token): the unconditional branch of guidance."""
        tokens = self.null_tokens.expand(batch, 1, -1)
        mask = torch.ones(batch, 1, dtype=torch.bool, device=tokens.device)
        return TextBatch(tokens, mask, self.null_pooled.expand(batch, -1))

    def forward(
        self,
        x: torch.Tensor,
        t: torch.Tensor,
        text: TextBatch,
        cond_mask: torch.Tensor | None = None,
        cond_latents: torch.Tensor | None = None,
        extra_latents: torch.Tensor | None = None,
        rope_scale: Scale = (1.0, 1.0, 1.0),
    ) -> torch.Tensor:
        """Velocity (B, C, T, H, W) of noisy latents x at flow times t (B,), given `text`."""
        size, patch = tuple(x.shape[2:]), self.cfg.patch
        if cond_mask is not None:  # broadcast masks become whole before padding
            cond_mask = cond_mask.expand_as(x[:, :1])
        if cond_latents is not None:
            cond_latents = cond_latents.expand_as(x)
        ref_size = None if extra_latents is None else tuple(extra_latents.shape[2:])
        x, cond_mask, cond_latents, extra_latents = (
            None if v is None else pad_to_patch(v, patch)
            for v in (x, cond_mask, cond_latents, extra_latents)
        )
        tokens, grid, g = self.video_tokens(x, cond_mask, cond_latents)  # (B, N, ·), (B, N, 1)
        coords, n = grid_coords(grid, x.device), grid.num_tokens
        places = frame_places(coords, size, patch)
        if extra_latents is not None:
            reference = self.add_reference(tokens, coords, g, places, extra_latents, ref_size)
            tokens, coords, g, places = reference
        head_dim = self.cfg.width // self.cfg.heads
        rope = rope_tables(rope_angles(coords, head_dim, self.cfg.rope_theta, rope_scale))
        mod = self.modulation(t, text.pooled, g if bool(g.any()) else None)  # (B, N+M or 1, 8, D)
        x, ctx = self.embed(tokens), self.text_embed(text.tokens)  # (B, N+M, D), (B, L, D)
        if self.frame_pos is not None:
            x = x + self.frame_pos(place_features(places, self.cfg.frame_pos).to(x.dtype))
        for block in self.blocks:
            x = block(x, mod[:, :, :6], rope, ctx, text.mask)
        shift, scale = (mod[:, :n, 6:] + self.final_table).unbind(-2)
        out = self.final(modulate(self.final_norm(x[:, :n]), shift, scale))  # (B, N, C*pt*ph*pw)
        t_, h, w = size
        v = unpatchify(out, grid)[:, :, :t_, :h, :w]  # the padding cut off
        return v if self.final_conv is None else v + self.final_conv(v)

    def video_tokens(self, x, cond_mask, cond_latents):
        """Patches of [noisy or given, given·mask, mask] (B, N, (2C+1)·pt·ph·pw), the grid, and
        each token's given fraction g (B, N, 1)."""
        mask = torch.zeros_like(x[:, :1]) if cond_mask is None else cond_mask.expand_as(x[:, :1])
        given = torch.zeros_like(x) if cond_latents is None else cond_latents.expand_as(x) * mask
        tokens, grid = patchify(torch.cat([x * (1 - mask) + given, given, mask], 1), self.cfg.patch)
        return tokens, grid, patchify(mask, self.cfg.patch)[0].mean(-1, keepdim=True)

    def add_reference(self, tokens, coords, g, places, latents, size):
        """Append reference latents (B, C, Tr, Hr, Wr), padded to whole patches from `size`,
        as clean tokens at times -Tr..-1."""
        ref, grid, ones = self.video_tokens(latents, torch.ones_like(latents[:, :1]), latents)
        ref_coords = grid_coords(grid, latents.device)
        ref_places = frame_places(ref_coords, size, self.cfg.patch)
        ref_coords[:, 0] -= grid.t  # before the clip's first frame
        return (
            torch.cat([tokens, ref], 1),
            torch.cat([coords, ref_coords]),
            torch.cat([g, ones], 1),
            torch.cat([places, ref_places]),
        )

    def modulation(self, t: torch.Tensor, pooled: torch.Tensor, g: torch.Tensor | None):
        """adaLN parameters (B, 1, 8, D), or per token (B, N, 8, D) when some are given."""
        c = self.pooled_embed(pooled)  # (B, D)
        mod = self.adaln(t, c)[:, None]  # (B, 1, 8D)
        if g is not None:
            given = self.adaln(torch.zeros_like(t), c)[:, None]
            mod = torch.lerp(mod, given, g.to(mod.dtype))  # (B, N, 8D); bfloat16 under autocast
        return mod.unflatten(-1, (8, -1))

    def adaln(self, t: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        return self.ada(c + self.t_embed(timestep_features(t, self.cfg.freq_dim)))  # (B, 8D)


def frame_places(coords: torch.Tensor, size: tuple[int, int, int], patch: Patch) -> torch.Tensor:
    """(N, 2): each token's centre as a fraction of the frame's height and width (0 top or
    left, 1 bottom or right; a token half in the padding is centred on the edge), from its
    (t, h, w) grid index and the unpadded latent size."""
    extent = torch.tensor([size[1] / patch[1], size[2] / patch[2]], device=coords.device)
    return (coords[:, 1:].to(extent.dtype) + 0.5) / extent


def place_features(places: torch.Tensor, bands: int) -> torch.Tensor:
    """(N, 4·bands): sin and cos of π·2^k·fraction for k < bands, both axes."""
    freqs = math.pi * 2.0 ** torch.arange(bands, device=places.device, dtype=places.dtype)
    angles = (places[:, :, None] * freqs).flatten(1)  # (N, 2·bands)
    return torch.cat([angles.sin(), angles.cos()], dim=-1)


# ---------------------------------------------------------------------------
# Presets: width, depth, heads; "/1" reads a 16x VAE latent (C=32) voxel by voxel,
# "/2" an 8x VAE latent (C=16) in 1x2x2 patches: the same tokens for the same clip. All
# have the 3x3 output conv and frame places in 4 bands.
# ---------------------------------------------------------------------------


def _preset(width: int, depth: int, heads: int, patch: Patch, channels: int):
    def make(**overrides) -> DiTConfig:
        kw = dict(width=width, depth=depth, heads=heads, patch=patch, in_channels=channels)
        kw["final_conv"], kw["frame_pos"] = 3, 4
        return DiTConfig(**{**kw, **overrides})

    return make


DIT_MODELS = {
    "Reel-T/1": _preset(32, 2, 2, (1, 1, 1), 4),  # tests
    "Reel-XS/1": _preset(192, 6, 3, (1, 1, 1), 32),
    "Reel-XS/2": _preset(192, 6, 3, (1, 2, 2), 16),
    "Reel-S/1": _preset(256, 8, 4, (1, 1, 1), 32),
    "Reel-S/2": _preset(256, 8, 4, (1, 2, 2), 16),
    "Reel-B/1": _preset(384, 8, 6, (1, 1, 1), 32),
    "Reel-B/2": _preset(384, 8, 6, (1, 2, 2), 16),
}


def build_dit(name: str, **overrides) -> VideoDiT:
    """A fresh model from a preset name, e.g. build_dit("Reel-S/2", in_channels=vae_channels)."""
    if name not in DIT_MODELS:
        raise InvalidInputError(f"unknown DiT preset {name!r}; choose from {sorted(DIT_MODELS)}")
    return VideoDiT(DIT_MODELS[name](**overrides))


# ---------------------------------------------------------------------------
# Weights: one safetensors file, the config in its metadata
# ---------------------------------------------------------------------------


def save_dit(
    model: VideoDiT,
    path: str | Path,
    dtype: torch.dtype | None = None,
    flow: FlowConfig | None = None,
) -> None:
    """One self-describing file; `dtype` (e.g. float16) halves it, loading restores float32.
    `flow`, the training-time distribution, travels with it: sampling must shift its times
    the same way (`trained_flow`)."""
    from safetensors.torch import save_file

    tensors = {
        k: v.detach().to("cpu", dtype or v.dtype).contiguous()
        for k, v in model.state_dict().items()
    }
    metadata = {"format": "reelforge-dit", "config": json.dumps(asdict(model.cfg))}
    if flow is not None:
        metadata["flow"] = json.dumps(asdict(flow))
    save_file(tensors, str(path), metadata=metadata)


def trained_flow(path: str | Path) -> FlowConfig | None:
    """The flow-time settings a DiT file was trained with, or None where it does not say
    (files written before they were recorded: those used FlowConfig's defaults)."""
    from safetensors import safe_open

    with safe_open(str(path), "pt") as f:
        meta = f.metadata() or {}
    return FlowConfig(**json.loads(meta["flow"])) if "flow" in meta else None


def load_dit(path: str | Path, device: str | torch.device = "cpu") -> VideoDiT:
    from safetensors import safe_open
    from safetensors.torch import load_file

    with safe_open(str(path), "pt") as f:
        meta = f.metadata() or {}
    if meta.get("format") != "reelforge-dit":
        raise InvalidInputError(
            f"{path} is not a reelforge DiT file (no config in its metadata)", param="path"
        )
    model = VideoDiT(DiTConfig(**json.loads(meta["config"])))
    model.load_state_dict(load_file(str(path), device=str(device)))
    return model.to(device).eval()
