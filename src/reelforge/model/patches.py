"""Spacetime patches: a latent grid (B, C, T, H, W) ⇄ a token sequence (B, N, C*pt*ph*pw).

Tokens run in (t, h, w) raster order, time slowest; each token's features are its patch
flattened in (C, pt, ph, pw) order. `grid_coords` gives every token its integer (t, h, w)
position on the patch grid, which is all the transformer knows about where a token is (3D
RoPE), so one model reads every duration, resolution and aspect ratio.

A latent whose sides are not multiples of the patch is padded at the end of each axis
(`pad_to_patch`) and the padding cut off again after the transformer, so a 128x72 clip
(a 16x9 latent) works with 1x2x2 patches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from reelforge.types import InvalidInputError

Patch = tuple[int, int, int]  # (pt, ph, pw)


@dataclass(frozen=True)
class PatchGrid:
    """The patch grid of one latent shape: (t, h, w) patches of size `patch`."""

    t: int
    h: int
    w: int
    patch: Patch

    @property
    def num_tokens(self) -> int:
        return self.t * self.h * self.w

    @property
    def latent_size(self) -> tuple[int, int, int]:
        """(T, H, W) of the latent this grid covers."""
        return (self.t * self.patch[0], self.h * self.patch[1], self.w * self.patch[2])


def patch_grid(latent_size: tuple[int, int, int], patch: Patch) -> PatchGrid:
    """The grid for a latent of (T, H, W); every size must be a multiple of its patch side."""
    for axis, size, side in zip("THW", latent_size, patch, strict=True):
        if size < 1 or size % side:
            raise InvalidInputError(
                f"latent {axis}={size} is not a positive multiple of the patch side {side} "
                f"(latent (T, H, W)={tuple(latent_size)}, patch={tuple(patch)})",
                param="latent_size",
                hint="change the frame count or resolution so the latent divides by the patch",
            )
    return PatchGrid(*(s // p for s, p in zip(latent_size, patch, strict=True)), tuple(patch))


def padded_size(latent_size: tuple[int, ...], patch: Patch) -> tuple[int, int, int]:
    """(T, H, W) rounded up to whole patches."""
    return tuple(-(-s // p) * p for s, p in zip(latent_size, patch, strict=True))


def num_tokens(latent_size: tuple[int, ...], patch: Patch) -> int:
    """Tokens of a latent of (T, H, W), counting partly padded patches."""
    return math.prod(s // p for s, p in zip(padded_size(latent_size, patch), patch, strict=True))


def pad_to_patch(x: torch.Tensor, patch: Patch) -> torch.Tensor:
    """(B, C, T, H, W) zero-padded at the end of each axis to whole patches."""
    size = tuple(x.shape[2:])
    pads = [p - s for s, p in zip(size, padded_size(size, patch), strict=True)]
    if not any(pads):
        return x
    return F.pad(x, (0, pads[2], 0, pads[1], 0, pads[0]))


def grid_coords(grid: PatchGrid, device: torch.device | None = None) -> torch.Tensor:
    """(N, 3) long: the (t, h, w) index of every token, in token order."""
    axes = [torch.arange(n, device=device) for n in (grid.t, grid.h, grid.w)]
    return torch.stack(torch.meshgrid(*axes, indexing="ij"), dim=-1).reshape(-1, 3)


def patchify(x: torch.Tensor, patch: Patch) -> tuple[torch.Tensor, PatchGrid]:
    """(B, C, T, H, W) → tokens (B, N, C*pt*ph*pw) and their grid."""
    b, c, *size = x.shape
    g, (pt, ph, pw) = patch_grid(tuple(size), patch), patch
    x = x.reshape(b, c, g.t, pt, g.h, ph, g.w, pw)
    x = x.permute(0, 2, 4, 6, 1, 3, 5, 7)  # (B, t, h, w, C, pt, ph, pw)
    return x.reshape(b, g.num_tokens, c * pt * ph * pw), g


def unpatchify(tokens: torch.Tensor, grid: PatchGrid) -> torch.Tensor:
    """Tokens (B, N, C*pt*ph*pw) on `grid` → (B, C, T, H, W); the exact inverse of patchify."""
    (b, n, d), (pt, ph, pw) = tokens.shape, grid.patch
    if n != grid.num_tokens or d % (pt * ph * pw):
        raise InvalidInputError(f"tokens {tuple(tokens.shape)} do not fit grid {grid}")
    c = d // (pt * ph * pw)
    x = tokens.reshape(b, grid.t, grid.h, grid.w, c, pt, ph, pw)
    x = x.permute(0, 4, 1, 5, 2, 6, 3, 7)  # (B, C, t, pt, h, ph, w, pw)
    return x.reshape(b, c, *grid.latent_size)
