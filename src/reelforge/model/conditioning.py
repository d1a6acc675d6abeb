"""Given latent frames: one model for text-, image- and video-to-video.

A `Conditioning` is a strength mask (B, 1, T, H, W), the given clean values (B, C, T, H, W)
and optional frame ties. Strength decides how a voxel is given:

- 1 (hard): the model reads it as a clean, t = 0 token; the sampler puts the given value
  back after every step, so it comes out bit-identical; the training loss skips it.
- s ∈ (0, 1) (soft): the model sees an ordinary noisy voxel; while the flow time
  t >= 1 - s the sampler replaces it with the given value noised to t,
  (1 - t)·value + t·ε (SDEdit-like: the first s of the path follows the given frame, the
  rest is free to change it).
- 0: generated.

Ties (dst, src) copy latent frame src onto frame dst after every step (a text-only loop).

Indices are latent frames (negative from the end). For a causal VAE with temporal factor 4,
latent 0 is pixel frame 0 alone and latent k covers pixel frames 4k-3..4k (`latent_index`);
a given latent must be encoded at the position it will occupy: frame 0 of a source clip is
an image latent, so moving it elsewhere (extend backward, loop) only approximates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import torch

from reelforge.types import InvalidInputError

Shape = tuple[int, int, int, int, int]  # (B, C, T, H, W) of the latent to generate


@dataclass
class FrameCondition:
    """Latent frame `index` is given as `latent` ((C, H, W) or (B, C, H, W)) at `strength`."""

    index: int
    latent: torch.Tensor
    strength: float = 1.0


@dataclass
class Conditioning:
    mask: torch.Tensor  # (B, 1, T, H, W) strength in [0, 1]
    values: torch.Tensor  # (B, C, T, H, W) clean given latents, 0 elsewhere
    ties: tuple[tuple[int, int], ...] = ()

    @property
    def hard(self) -> torch.Tensor:
        """(B, 1, T, H, W) float: 1 where a voxel is given exactly (what the model reads)."""
        return (self.mask >= 1).to(self.values.dtype)

    def impose(self, x: torch.Tensor, noise: torch.Tensor, t: float) -> torch.Tensor:
        """Put the given frames into a sample x at flow time t (after each sampler step)."""
        x = torch.where(self.mask >= 1, self.values, x)
        soft = (self.mask > 0) & (self.mask < 1) & (self.mask >= 1 - t)
        if bool(soft.any()):
            x = torch.where(soft, (1 - t) * self.values + t * noise, x)
        if self.ties:
            x = x.clone()
        for dst, src in self.ties:
            x[:, :, dst] = x[:, :, src]
        return x


def latent_index(frame: int, temporal: int = 4) -> int:
    """The latent frame that holds pixel frame `frame` in a causal VAE (frame 0 alone)."""
    return 0 if frame <= 0 else (frame + temporal - 1) // temporal


def latent_frames(num_frames: int, temporal: int = 4) -> int:
    """Latent frames T' = 1 + (T - 1) / temporal of a clip of `num_frames` pixel frames."""
    return 1 + (num_frames - 1) // temporal


# ---------------------------------------------------------------------------
# Building a Conditioning
# ---------------------------------------------------------------------------


def no_condition(shape: Shape) -> Conditioning:
    """Text-to-video: nothing given."""
    b, _, t, h, w = shape
    return Conditioning(torch.zeros(b, 1, t, h, w), torch.zeros(shape))


def from_frames(conds: Sequence[FrameCondition], shape: Shape) -> Conditioning:
    """Place each FrameCondition at its latent index; a later one at the same index wins."""
    out = no_condition(shape)
    for cond in conds:
        i = _index(cond.index, shape[2])
        if not 0.0 <= cond.strength <= 1.0:
            raise InvalidInputError(
                f"strength must be in [0, 1]; got {cond.strength}", param="strength"
            )
        out.values[:, :, i] = _frame(cond.latent, shape)
        out.mask[:, :, i] = cond.strength
    return out


def image_to_video(image: torch.Tensor, shape: Shape, strength: float = 1.0) -> Conditioning:
    """Latent frame 0 is the image's (1-frame) latent, (B, C, 1, H, W) or (B, C, H, W)."""
    return from_frames([FrameCondition(0, _squeeze_t(image), strength)], shape)


def extend_forward(source: torch.Tensor, k: int, shape: Shape) -> Conditioning:
    """Continue a clip: the first k latent frames are the source's (B, C, Ts, H, W) last k."""
    _check_k(k, source, shape)
    return from_frames([FrameCondition(i, source[:, :, -k + i]) for i in range(k)], shape)


def extend_backward(source: torch.Tensor, k: int, shape: Shape) -> Conditioning:
    """Lead into a clip: the last k latent frames are the source's first k."""
    _check_k(k, source, shape)
    return from_frames([FrameCondition(-k + i, source[:, :, i]) for i in range(k)], shape)


def interpolate(first: torch.Tensor, last: torch.Tensor, shape: Shape) -> Conditioning:
    """Fill the frames between a given first and last latent frame."""
    return from_frames(
        [FrameCondition(0, _squeeze_t(first)), FrameCondition(-1, _squeeze_t(last))], shape
    )


def loop(shape: Shape, first: torch.Tensor | None = None) -> Conditioning:
    """Last latent frame = first: both given when `first` is, else tied during sampling."""
    if first is not None:
        return interpolate(first, first, shape)
    return replace(no_condition(shape), ties=((shape[2] - 1, 0),))


def fill(latents: torch.Tensor, missing: Sequence[int]) -> Conditioning:
    """Regenerate the `missing` latent frames of a clip (B, C, T, H, W); keep the others."""
    shape, t = tuple(latents.shape), latents.shape[2]
    gone = {_index(i, t) for i in missing}
    return from_frames(
        [FrameCondition(i, latents[:, :, i]) for i in range(t) if i not in gone], shape
    )


# ---------------------------------------------------------------------------
# Training: a random task per sample
# ---------------------------------------------------------------------------

TASKS = ("text", "first", "first_k", "last_k", "first_last", "random")


def sample_task_masks(
    batch: int,
    frames: int,
    probs: Sequence[float] = (0.4, 0.25, 0.1, 0.1, 0.1, 0.05),
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """(B, 1, T, 1, 1) binary masks, one task per sample drawn from TASKS with `probs`."""
    tasks = torch.multinomial(
        torch.tensor(probs, dtype=torch.float), batch, True, generator=generator
    )
    mask = torch.zeros(batch, 1, frames, 1, 1)
    for b, task in enumerate(tasks.tolist()):
        mask[b, 0, :, 0, 0] = _task_frames(TASKS[task], frames, generator)
    return mask


def _task_frames(task: str, frames: int, generator: torch.Generator | None) -> torch.Tensor:
    """(T,) 0/1: which latent frames a training task gives."""
    given, k = (
        torch.zeros(frames),
        int(torch.randint(1, max(frames // 2, 1) + 1, (1,), generator=generator)),
    )
    if task == "random":
        return (torch.rand(frames, generator=generator) < 0.5).float()
    rows = {
        "first": [0],
        "first_k": range(k),
        "last_k": range(frames - k, frames),
        "first_last": [0, -1],
    }
    given[list(rows.get(task, []))] = 1.0
    return given


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _index(i: int, frames: int) -> int:
    if not -frames <= i < frames:
        raise InvalidInputError(
            f"latent frame {i} is outside a clip of {frames} latent frames", param="index"
        )
    return i % frames


def _squeeze_t(x: torch.Tensor) -> torch.Tensor:
    return x[:, :, 0] if x.ndim == 5 else x


def _frame(latent: torch.Tensor, shape: Shape) -> torch.Tensor:
    """A given frame as (B, C, H, W), checked against the latent shape."""
    latent = latent if latent.ndim == 4 else latent[None]
    b, c, _, h, w = shape
    if latent.shape[1:] != (c, h, w) or latent.shape[0] not in (1, b):
        raise InvalidInputError(
            f"given latent {tuple(latent.shape)} does not fit latent shape {shape}"
        )
    return latent


def _check_k(k: int, source: torch.Tensor, shape: Shape) -> None:
    if not 1 <= k <= min(source.shape[2], shape[2]):
        raise InvalidInputError(
            f"k={k} given frames do not fit a source of {source.shape[2]} and a clip of {shape[2]} latent frames",
            param="k",
        )
