"""Sampling a rectified flow: Euler or Heun steps, classifier-free guidance, given frames.

`FlowMatchScheduler` is the small diffusers-like protocol:

    sched.set_timesteps(steps, shift)
    for t in sched.timesteps:              # flow times of the model evaluations, 1 → 0
        x = sched.step(model(x, t), x)     # the sample now sits at time sched.sample_time

Euler takes one evaluation per step; Heun two (predict at t_i, correct at t_{i+1}), the last
one at t = 0 too: a rectified flow's velocity is defined there (E[ε] - x0), and keeping the
last step second-order cuts the error ~10x at 8-16 steps on a known flow. `sample` wires it to the model: the same resolution-aware time shift as training,
guidance v = v_uncond + g·(v_text - v_uncond) (the uncond branch is the model's null text,
or the negative prompt), given frames put back after every step, a progress callback and a
cancellation hook. With a fixed torch.Generator the result is deterministic on CPU.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

import torch

from reelforge.model.conditioning import Conditioning, no_condition
from reelforge.model.flow import FlowConfig, shift_time, time_shift
from reelforge.model.patches import num_tokens
from reelforge.model.text import TextBatch
from reelforge.types import InvalidInputError, ReelforgeError


class SamplingCancelled(ReelforgeError):
    """`should_cancel` returned True: the sampler stopped between two model evaluations."""

    code = "cancelled"


# ---------------------------------------------------------------------------
# Scheduler
# ---------------------------------------------------------------------------


class FlowMatchScheduler:
    def __init__(self, method: Literal["euler", "heun"] = "euler"):
        if method not in ("euler", "heun"):
            raise InvalidInputError(
                f"unknown sampler {method!r}; use 'euler' or 'heun'", param="method"
            )
        self.method = method

    def set_timesteps(self, steps: int, shift: float = 1.0) -> None:
        """Times 1 → 0 in `steps` steps, uniform then shifted; one list entry per evaluation."""
        if steps < 1:
            raise InvalidInputError(f"steps must be >= 1; got {steps}", param="steps")
        self.sigmas = shift_time(
            torch.linspace(1.0, 0.0, steps + 1, dtype=torch.float64), shift
        ).tolist()
        stages = ("predict", "correct") if self.method == "heun" else ("predict",)
        self.stages = [(i, s) for i in range(steps) for s in stages]  # one per model evaluation
        self.timesteps = [self.sigmas[i + (stage == "correct")] for i, stage in self.stages]
        self._k, self._saved = 0, None

    @property
    def sample_time(self) -> float:
        """Flow time of the sample that the last `step` returned."""
        return self.sigmas[self.stages[self._k - 1][0] + 1]

    def step(self, velocity: torch.Tensor, sample: torch.Tensor) -> torch.Tensor:
        i, stage = self.stages[self._k]
        self._k += 1
        dt = self.sigmas[i + 1] - self.sigmas[i]
        if stage == "correct":  # Heun: average the slopes at both ends
            x_prev, v_prev = self._saved
            self._saved = None
            return x_prev + dt * (v_prev + velocity) / 2
        if self.method == "heun":
            self._saved = (sample, velocity)
        return sample + dt * velocity


# ---------------------------------------------------------------------------
# Guidance and the sampling loop
# ---------------------------------------------------------------------------


@dataclass
class SamplerConfig:
    steps: int = 12
    method: Literal["euler", "heun"] = "euler"
    guidance: float = 4.0  # 1 = text only, no unconditional branch (half the work)
    shift: float | None = None  # None: time_shift(num_tokens) as in training
    flow: FlowConfig = field(default_factory=FlowConfig)


def guided_velocity(
    model,
    x: torch.Tensor,
    t: float,
    text: TextBatch,
    uncond: TextBatch | None,
    guidance: float,
    cond: Conditioning,
    extra_latents: torch.Tensor | None = None,
) -> torch.Tensor:
    """v_uncond + guidance·(v_text - v_uncond), both branches in one batch; guidance 1: v_text."""
    if guidance == 1 or uncond is None:
        return _velocity(model, x, t, text, cond.hard, cond.values, extra_latents)
    mask, values, extra = (_twice(v) for v in (cond.hard, cond.values, extra_latents))
    v = _velocity(model, _twice(x), t, TextBatch.cat([text, uncond]), mask, values, extra)
    v_text, v_uncond = v.chunk(2)
    return v_uncond + guidance * (v_text - v_uncond)


def _velocity(model, x, t, text, mask, values, extra_latents) -> torch.Tensor:
    """The model's velocity in the sample's dtype: under bfloat16 autocast the model
    answers in bfloat16, and guidance's difference of two branches needs float32."""
    v = model(x, x.new_full((x.shape[0],), t), text, mask, values, extra_latents=extra_latents)
    return v.to(x.dtype)


def _twice(x: torch.Tensor | None) -> torch.Tensor | None:
    return None if x is None else torch.cat([x, x])


def sample(
    model,
    text: TextBatch,
    shape: tuple[int, int, int, int, int],
    *,
    config: SamplerConfig | None = None,
    negative: TextBatch | None = None,
    condition: Conditioning | None = None,
    generator: torch.Generator | None = None,
    extra_latents: torch.Tensor | None = None,
    on_step: Callable[[int, int], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> torch.Tensor:
    """Latents (B, C, T, H, W) for `text` (B prompts); given frames come back exactly.

    on_step(done, total) runs after every model evaluation; should_cancel() before each one
    (True raises SamplingCancelled).
    """
    device = text.tokens.device
    config, cond = config or SamplerConfig(), condition or no_condition(shape)
    cond = replace(cond, mask=cond.mask.to(device), values=cond.values.to(device))
    noise = torch.randn(shape, generator=generator).to(device)
    uncond = None
    if config.guidance != 1:  # the negative prompt, else the model's null text
        uncond = negative if negative is not None else model.null_text(shape[0])
    shift = config.shift or time_shift(num_tokens(shape[2:], model.cfg.patch), config.flow)
    sched = FlowMatchScheduler(config.method)
    sched.set_timesteps(config.steps, shift)
    x = cond.impose(noise, noise, 1.0)
    for k, t in enumerate(sched.timesteps):
        if should_cancel is not None and should_cancel():
            raise SamplingCancelled(
                f"sampling cancelled after {k} of {len(sched.timesteps)} evaluations"
            )
        v = guided_velocity(model, x, t, text, uncond, config.guidance, cond, extra_latents)
        x = cond.impose(sched.step(v, x), noise, sched.sample_time)
        if on_step is not None:
            on_step(k + 1, len(sched.timesteps))
    return x
