"""Run a fully convolutional net on spatial tiles and paste their cores: bounded memory
for large frames, and exact when each tile sees its receptive radius of context."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from reelforge.types import InvalidInputError


def spatial_tiles(fn: Callable, x: Tensor, tile: int | None, halo: int, unit: int, scale):
    """Run `fn` on tiles of x (B, C, T, H, W), each seen with `halo` more on every side,
    and paste the tiles' cores together.

    `tile` and `halo` count latent pixels (`unit` input pixels each); `fn` maps h×w input
    pixels to h*scale × w*scale output pixels. A halo of at least the receptive radius
    makes the result equal to `fn(x)`.
    """
    if tile is None:
        return fn(x)
    if tile < 1 or halo < 0:
        raise InvalidInputError(f"need tile >= 1, halo >= 0; got {tile}, {halo}", param="tile")
    H, W = x.shape[3:]
    core, pad = tile * unit, halo * unit
    rows = []
    for i in range(0, H, core):
        row = []
        for j in range(0, W, core):
            i0, j0 = max(i - pad, 0), max(j - pad, 0)
            y = fn(x[:, :, :, i0 : i + core + pad, j0 : j + core + pad])  # (B, C', T', h, w)
            di, dj, n = round((i - i0) * scale), round((j - j0) * scale), round(core * scale)
            row.append(y[:, :, :, di : di + n, dj : dj + n])
        rows.append(torch.cat(row, dim=4))
    return torch.cat(rows, dim=3)
