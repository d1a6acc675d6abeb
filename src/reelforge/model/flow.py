"""Rectified flow: the noising path, training times and the loss.

Convention (SD3, Wan): flow time t ∈ [0, 1] runs from data to noise,

    x_t = (1 - t) · x0 + t · ε,        velocity v = dx_t/dt = ε - x0,

the model predicts v, and sampling integrates dx/dt = v from t = 1 (pure noise) to t = 0.

Training times are logit-normal, t = sigmoid(m + s·n), then shifted towards noise by
shift_time(t, α) = α·t / (1 + (α - 1)·t). More tokens carry the same picture with more
redundancy, so they need more noise to hide it: α = base_shift · sqrt(N / base_tokens)
(SD3's resolution rule). Sampling uses the same α so both see the same times.

The loss is the mean squared velocity error over the frames not given; `edge` adds that
weight times the mean squared difference of the error between neighbouring latent pixels
(along height and width). Its minimum is the same conditional mean, but it makes errors
that jump from one latent pixel to the next cost more than smooth ones: a transformer
writes each patch from its own token, and errors that differ patch to patch are what the
decoder draws as a tile grid.

A strong shift leaves little training below t = 0.5, where the last details are settled
(and the frames next to given ones made to match them); `unshifted_prob` draws that share
of the times without the shift, so both ends are learned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from reelforge.model.patches import num_tokens
from reelforge.model.text import TextBatch
from reelforge.types import InvalidInputError


@dataclass(frozen=True)
class FlowConfig:
    base_tokens: int = 256  # the token count at which shift == base_shift
    base_shift: float = 1.0
    logit_mean: float = 0.0
    logit_std: float = 1.0
    unshifted_prob: float = 0.0  # share of training times drawn without the shift

    def __post_init__(self):
        if not 0.0 <= self.unshifted_prob <= 1.0:
            raise InvalidInputError(
                f"flow.unshifted_prob must be between 0 and 1; got {self.unshifted_prob}",
                param="unshifted_prob",
            )


def time_shift(num_tokens: int, flow: FlowConfig = FlowConfig()) -> float:
    """The shift α for a sequence of `num_tokens`: grows as sqrt of the token count."""
    return flow.base_shift * math.sqrt(num_tokens / flow.base_tokens)


def shift_time(t: torch.Tensor, shift: float) -> torch.Tensor:
    """Warp t ∈ [0, 1] towards 1 (noise) for shift > 1; keeps 0 and 1 fixed."""
    return shift * t / (1 + (shift - 1) * t)


def sample_time(
    batch: int,
    num_tokens: int,
    flow: FlowConfig = FlowConfig(),
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """(B,) training times: logit-normal, shifted except for a `flow.unshifted_prob` share."""
    t = torch.sigmoid(flow.logit_mean + flow.logit_std * torch.randn(batch, generator=generator))
    shifted = shift_time(t, time_shift(num_tokens, flow))
    if flow.unshifted_prob <= 0:  # draws nothing more, so older runs resume unchanged
        return shifted
    keep = torch.rand(batch, generator=generator) < flow.unshifted_prob
    return torch.where(keep, t, shifted)


def _noise_like(latents: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    """Standard normal noise of the latents' shape, dtype and device. On the CPU it comes
    from `generator`; on a GPU from a generator there seeded by one draw of it. Drawing a
    batch of 128 4 s clips' noise on the CPU took 14 ms a step (2026-12-07) and then 15
    MB to copy, as long as a GPU step of the small transformers takes."""
    if generator is None or latents.device.type == "cpu":
        return torch.randn(latents.shape, generator=generator).to(latents)
    if generator.device == latents.device:
        return torch.randn(latents.shape, generator=generator, device=latents.device).to(latents)
    seed = int(torch.randint(0, 2**62, (1,), generator=generator))
    local = torch.Generator(latents.device).manual_seed(seed)
    return torch.randn(latents.shape, generator=local, device=latents.device, dtype=latents.dtype)


def add_noise(x0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """x_t = (1 - t) x0 + t ε, with t (B,) broadcast over (B, C, T, H, W)."""
    t = t.view(-1, *[1] * (x0.ndim - 1))
    return (1 - t) * x0 + t * noise


def flow_loss(
    model,
    latents: torch.Tensor,
    text: TextBatch,
    cond_mask: torch.Tensor | None = None,
    cond_latents: torch.Tensor | None = None,
    *,
    text_dropout: float = 0.0,
    flow: FlowConfig = FlowConfig(),
    generator: torch.Generator | None = None,
    edge: float = 0.0,
    weight: torch.Tensor | None = None,
) -> torch.Tensor:
    """Mean squared velocity error over the frames that are not given, plus `edge` times
    that of its differences between neighbouring latent pixels (module docstring).

    latents (B, C, T, H, W) are the clean clips; cond_mask (B, 1, T, H, W) or broadcastable
    marks given voxels (binary: 1 = given; their clean values are `cond_latents`, by default the clip itself);
    with probability `text_dropout` a sample's text becomes the model's null text (for CFG).
    `weight` (B, 1, T, H, W), if given, weighs each voxel's error (a weighted mean).
    """
    b = latents.shape[0]
    mask = (
        torch.zeros_like(latents[:, :1])
        if cond_mask is None
        else cond_mask.expand_as(latents[:, :1])
    )
    given = latents if cond_latents is None else cond_latents
    noise = _noise_like(latents, generator)
    t = sample_time(b, num_tokens(latents.shape[2:], model.cfg.patch), flow, generator)
    x_t = torch.where(mask >= 1, given, add_noise(latents, noise, t.to(latents)))
    if text_dropout > 0:
        drop = torch.rand(b, generator=generator).to(latents.device) < text_dropout
        text = text.where(drop, model.null_text(b))
    v = model(x_t, t.to(latents), text, mask, given)
    weight = (1 - mask if weight is None else (1 - mask) * weight).expand_as(latents)
    err = v - (noise - latents)
    loss = _weighted_mean(err.square(), weight)
    if edge > 0:  # the mask is per latent frame, so neighbours in space share it
        for dim in (3, 4):
            loss = loss + edge * _weighted_mean(
                err.diff(dim=dim).square(), weight.narrow(dim, 1, weight.shape[dim] - 1)
            )
    return loss


def _weighted_mean(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    return (weight * x).sum() / weight.sum().clamp(min=1)
