"""3D rotary position embeddings over the (t, h, w) patch grid.

Each attention head's dimensions are split across the three axes (as in Wan: h and w get
2*(head_dim // 6) each, t the rest) and rotated by angle position * frequency, so the
query-key product depends only on the *difference* of two tokens' positions. Positions come
from grid coordinates, never from a learned table: one model serves every duration,
resolution and aspect ratio.

`scale` multiplies coordinates per axis. For a grid larger than the model was trained on,
scale = trained_size / new_size keeps positions in the trained range ("position
interpolation"); for another frame rate, the t scale is trained_fps / fps.
"""

from __future__ import annotations

import torch

from reelforge.types import InvalidInputError

Scale = tuple[float, float, float]


def axis_dims(head_dim: int) -> tuple[int, int, int]:
    """How many of a head's dimensions rotate with t, h and w (each even, summing to head_dim)."""
    if head_dim % 2 or head_dim < 6:
        raise InvalidInputError(f"RoPE needs an even head_dim >= 6; got {head_dim}")
    hw = 2 * (head_dim // 6)
    return head_dim - 2 * hw, hw, hw


def rope_angles(
    coords: torch.Tensor, head_dim: int, theta: float = 10_000.0, scale: Scale = (1.0, 1.0, 1.0)
) -> torch.Tensor:
    """(N, 3) positions → (N, head_dim // 2) rotation angles, t then h then w."""
    parts = []
    for axis, dim in enumerate(axis_dims(head_dim)):
        freqs = theta ** -(torch.arange(0, dim, 2, device=coords.device) / dim)  # (dim/2,)
        pos = coords[:, axis].float() * scale[axis]  # (N,)
        parts.append(pos[:, None] * freqs[None, :])
    return torch.cat(parts, dim=-1)


def rope_tables(angles: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Angles (N, D/2) → (cos, sin), computed once per forward and shared by every block."""
    return angles.cos(), angles.sin()


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate (B, heads, N, D) by (N, D/2) tables: dims (2i, 2i+1) form the i-th pair."""
    x1, x2 = x.float().unflatten(-1, (-1, 2)).unbind(-1)  # (B, heads, N, D/2) each
    out = torch.stack((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1)
    return out.flatten(-2).type_as(x)
