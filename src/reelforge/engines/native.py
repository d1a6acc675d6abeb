"""The native engine: reelforge's own VAE + diffusion transformer, from a weights folder.

    prompt (expanded if the spec carries an expansion) → text tokens (MiniLM or hash)
    given frames → latent Conditioning (conditions.py)
    DiT sampling at the native latent size: rectified flow, CFG against the negative
        prompt (or the model's null text), given frames re-imposed after every step
    de-normalise, put the raw given latents back, VAE decode (tiled) → uint8 frames
    keep the requested frames; upscale (bicubic) when the size is above the native one

A clip longer than one pass (engine.json's max_frames) is made as chained windows, each
extending the one before (windows.py), up to max_seconds; then upscaled once.

`check` plans a spec from engine.json and the networks' headers alone (base.py has the
size policy), so an unsupported request is refused before any weights are loaded. A fixed
seed gives the same clip on the same machine and dtype (CPU: bit for bit).

`dtype` is the transformer's compute precision: "bfloat16" runs its evaluations under
autocast (weights stay float32; the sampler's arithmetic stays float32), "float32" does
not, "auto" is bfloat16 on CUDA and float32 on the CPU. On a CPU with AMX (Intel Xeon
4th generation and later) bfloat16 makes a clip about 1.3x faster, with frames within a
fraction of a level of float32's (docs/BENCHMARKS.md); without AMX it is slower, so it is
never chosen there by itself. The VAE always decodes in float32.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import torch

from reelforge.engines import windows
from reelforge.engines.base import (
    CancelFn,
    Capabilities,
    GenerationCancelled,
    Plan,
    ProgressFn,
    generation_metadata,
)
from reelforge.engines.conditions import Given, given_frames
from reelforge.engines.frames import resize, to_frames
from reelforge.engines.native_weights import (
    DEFAULT_WEIGHTS,
    NativeWeights,
    check_compatible,
    frame_rule,
    load_engine_config,
    load_weights,
    read_network_configs,
)
from reelforge.model.conditioning import latent_frames
from reelforge.model.flow import time_shift
from reelforge.model.patches import num_tokens
from reelforge.model.precision import auto_dtype
from reelforge.model.sampler import FlowMatchScheduler, SamplerConfig, SamplingCancelled, sample
from reelforge.model.text import TextBatch
from reelforge.types import Clip, GenerationSpec, InvalidInputError

MODES = ("t2v", "i2v", "extend", "interpolate", "inpaint", "remix", "loop")
DTYPES = ("auto", "float32", "bfloat16")
SAMPLING_SHARE = 0.9  # of a window's progress; decoding takes the rest
WINDOWS_SHARE = 0.97  # of the whole bar; upscaling takes the rest


class NativeEngine:
    """The native engine over one weights folder (default: the package's shipped one)."""

    name = "native"

    def __init__(
        self,
        weights: str | Path | None = None,
        device: str | torch.device = "cpu",
        dtype: str = "auto",
    ):
        if dtype not in DTYPES:
            raise InvalidInputError(
                f"dtype must be one of {', '.join(DTYPES)}; got {dtype!r}", param="dtype"
            )
        self.folder = Path(weights) if weights is not None else DEFAULT_WEIGHTS
        self.config = load_engine_config(self.folder)
        vae, dit = read_network_configs(self.folder)
        check_compatible(self.config, vae, dit, self.folder)
        start, step = frame_rule(vae, dit)
        self.overlap = windows.overlap_frames(vae.temporal_factor)
        self.window = longest = self.config.max_frames  # one pass, one window
        if self.config.max_seconds is not None:  # longer clips as chained windows
            self.window = _window(self.config.max_frames, start, step, self.overlap, self.folder)
            longest = max(longest, round(self.config.max_seconds * self.config.fps))
        self._capabilities = Capabilities(
            modes=MODES,
            sizes=self.config.sizes,
            fps=(self.config.fps,),
            max_frames=longest,
            frame_step=step,
            frame_start=start,
            upscale=True,
            max_upscale=self.config.max_upscale,
        )
        self.device = torch.device(device)
        self.dtype = auto_dtype(self.device.type) if dtype == "auto" else dtype
        self._weights: NativeWeights | None = None
        self._lock = threading.Lock()

    @property
    def capabilities(self) -> Capabilities:
        return self._capabilities

    def check(self, spec: GenerationSpec) -> Plan:
        """The plan for `spec`, or UnsupportedError / InvalidInputError; does no work."""
        return self._capabilities.plan(spec)

    def weights(self) -> NativeWeights:
        """The networks, loaded on first use."""
        with self._lock:
            if self._weights is None:
                self._weights = load_weights(self.folder, self.device)
            return self._weights

    def generate(
        self,
        spec: GenerationSpec,
        on_progress: ProgressFn | None = None,
        should_cancel: CancelFn | None = None,
    ) -> Clip:
        """Make the clip `spec` asks for (see the module doc); GenerationCancelled when
        `should_cancel()` turns True, checked before loading, before each window, between
        steps and before decoding."""
        plan = self.check(spec)
        progress = on_progress or (lambda fraction, message: None)
        cancel = should_cancel or (lambda: False)
        _stop_if(cancel, "before loading the weights")
        w = self.weights()
        steps = spec.steps or self.config.steps
        guidance = self.config.guidance if spec.guidance is None else spec.guidance

        def one_pass(part: GenerationSpec, report: ProgressFn) -> np.ndarray:
            return self._pass(part, w, steps, guidance, report, cancel)

        frames, count = windows.chain(
            spec,
            plan.native,
            self.window,
            self.overlap,
            one_pass,
            lambda f, m: progress(WINDOWS_SHARE * f, m),
            cancel,
        )
        if plan.upscaled:
            progress(WINDOWS_SHARE, f"upscaling to {plan.size[0]}x{plan.size[1]}")
            frames = resize(frames, plan.size)
        progress(1.0, "done")
        meta = self._metadata(spec, plan, steps, guidance)
        return Clip(frames, spec.fps, metadata={**meta, "windows": count})

    def _pass(self, spec, w, steps, guidance, progress, cancel) -> np.ndarray:
        """One pass of the model over a spec of one window at a native size: uint8 frames
        (spec.num_frames, h, w, 3)."""
        plan = self.check(spec)
        with torch.inference_mode():
            progress(0.0, "encoding the prompt and given frames")
            latents, given = self._latents(spec, plan, w, steps, guidance, progress, cancel)
            _stop_if(cancel, "before decoding")
            progress(SAMPLING_SHARE, "decoding")
            video = w.vae.decode(
                latents, tile=self.config.decode_tile, chunk=self.config.decode_chunk
            )
        frames = to_frames(video)[: spec.num_frames]
        for i, frame in given.pixels:
            if i < len(frames):
                frames[i] = frame
        return frames

    def _latents(
        self, spec, plan, w, steps, guidance, progress, cancel
    ) -> tuple[torch.Tensor, Given]:
        """Raw latents (1, C, T', H', W') for the spec (sampled, given frames put back) and
        what was given."""
        vae_cfg = w.vae.config
        s = vae_cfg.spatial_factor
        t = latent_frames(plan.frames, vae_cfg.temporal_factor)
        shape = (1, vae_cfg.latent_channels, t, plan.native[1] // s, plan.native[0] // s)
        text = _on(w.text([spec.expanded_prompt or spec.prompt]), self.device)
        negative = None
        if spec.negative_prompt and guidance != 1:
            negative = _on(w.text([spec.negative_prompt]), self.device)
        given = given_frames(spec, plan, w.vae, shape)
        config = SamplerConfig(
            steps=steps,
            method=self.config.sampler,
            guidance=guidance,
            shift=self.config.shift,
            flow=self.config.flow,
        )
        model = _remix_model(w.dit, config, shape, given)
        low = self.dtype == "bfloat16"
        try:
            with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=low):
                x = sample(
                    model,
                    text,
                    shape,
                    config=config,
                    negative=negative,
                    condition=given.condition,
                    generator=torch.Generator().manual_seed(spec.seed),
                    on_step=lambda k, n: progress(SAMPLING_SHARE * k / n, f"sampling {k}/{n}"),
                    should_cancel=cancel,
                )
        except SamplingCancelled as e:
            raise GenerationCancelled(f"generation cancelled: {e}") from e
        return torch.where(given.hard, given.raw, w.vae.denormalize(x)), given

    def _metadata(self, spec: GenerationSpec, plan: Plan, steps: int, guidance: float) -> dict:
        return generation_metadata(
            spec,
            plan,
            engine=self.name,
            model=self.config.name,
            steps=steps,
            guidance=guidance,
            expanded_prompt=spec.expanded_prompt,
            sampler=self.config.sampler,
            dtype=self.dtype,
        )


def _window(max_frames: int, start: int, step: int, overlap: int, where: Path) -> int:
    """The longest pass on the frame rule within max_frames; it must outlast the overlap."""
    window = start + step * ((max_frames - start) // step) if max_frames >= start else 0
    if window <= overlap:
        raise InvalidInputError(
            f"{where}: max_frames {max_frames} leaves no room to chain windows "
            f"(each shares {overlap} frames with the one before); raise it or drop max_seconds",
            param="weights",
        )
    return window


def _stop_if(cancel: CancelFn, where: str) -> None:
    if cancel():
        raise GenerationCancelled(f"generation cancelled {where}")


def _on(text: TextBatch, device: torch.device) -> TextBatch:
    return TextBatch(*(x.to(device) for x in text.fields()))


# ---------------------------------------------------------------------------
# Remix: skip the model evaluations whose result the sampler throws away
# ---------------------------------------------------------------------------


class _SkipFirst:
    """The DiT, except that its first `skip` evaluations return zeros without running.

    In a remix the sampler overwrites the sample with the noised source after every step
    that ends at a flow time t >= strength (conditions.py), so those evaluations cannot
    matter: skipping them makes the remix cost about strength × steps evaluations,
    as in SDEdit / diffusers img2img."""

    def __init__(self, model, skip: int):
        self.model, self.skip, self.calls, self.cfg = model, skip, 0, model.cfg

    def null_text(self, batch: int) -> TextBatch:
        return self.model.null_text(batch)

    def __call__(self, x: torch.Tensor, t: torch.Tensor, *args, **kwargs) -> torch.Tensor:
        self.calls += 1
        if self.calls <= self.skip:
            return torch.zeros_like(x)
        return self.model(x, t, *args, **kwargs)


def _remix_model(dit, config: SamplerConfig, shape, given: Given):
    if given.remix is None:
        return dit
    return _SkipFirst(dit, discarded_evaluations(config, shape, given.remix, dit.cfg.patch))


def discarded_evaluations(config: SamplerConfig, shape, strength: float, patch) -> int:
    """How many leading model evaluations end at a flow time where a remix's soft mask
    (1 - strength) still imposes the noised source (the sampler's own test, in float32)."""
    tokens = num_tokens(shape[2:], patch)
    sched = FlowMatchScheduler(config.method)
    sched.set_timesteps(config.steps, config.shift or time_shift(tokens, config.flow))
    level = torch.tensor(1.0 - strength, dtype=torch.float32)
    count = 0
    for step, _stage in sched.stages:
        if not bool(level >= 1 - sched.sigmas[step + 1]):
            break
        count += 1
    return count
