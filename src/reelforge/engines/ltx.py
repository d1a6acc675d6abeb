"""The ltx engine: LTX-Video from a local diffusers folder, through LTXConditionPipeline.

    t2v          prompt alone
    i2v          the image as a condition at frame 0
    extend       the given frames as conditions at their place (the start, or the end)
    interpolate  keyframes anywhere, each at its strength
    remix        the source clip's latents noised `source_strength` of the way, then
                 denoised from there (the pipeline's denoise_strength)

Given frames become LTXVideoConditions: each keyframe is cut into runs on the frame rule
(1 + 8k frames: a video condition; a single frame: an image condition), since the pipeline
keeps only such runs. At frame 0 the pipeline writes their latents in place (the VAE's
encoding of the frames, kept through sampling: they come back as the VAE reconstructs
them, plus LTX's image_cond_noise_scale·t² noise); elsewhere they are extra tokens at
their time position that steer the frames there.

Sizes are multiples of the VAE's spatial compression × the transformer's patch (32 for
LTX-Video) and frame counts 1 + 8k (the VAE's temporal compression), both read from the
folder's configs; see diffusers_common.py for the size policy and ENGINES.md for the
defaults' sources.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from reelforge.engines.base import Plan
from reelforge.engines.diffusers_common import (
    DiffusersConfig,
    DiffusersEngine,
    Geometry,
    Placement,
    StepCallback,
    capabilities,
    chunk,
    frames_at,
    pil,
    read_folder,
    require_diffusers,
    run_pipeline,
)
from reelforge.engines.frames import fit
from reelforge.types import GenerationSpec, InvalidInputError

MODES = ("t2v", "i2v", "extend", "interpolate", "remix")
COMPONENTS = ("transformer", "vae", "text_encoder", "tokenizer", "scheduler")
DEFAULTS: dict[str, Any] = {
    "steps": 40,  # LTX-Video's README: 40+ for quality, 20-30 for speed
    "guidance": 3.0,  # LTX-Video's README: 3-3.5 (the distilled models: 1, set guidance = 1)
    "fps": 24.0,
    "max_frames": 257,  # LTX-Video's docs: best below 257 frames
    "resolution": (512, 704),  # 768x512 (their examples) and 1216x704 (their 13B card)
    "negative_prompt": "worst quality, inconsistent motion, blurry, jittery, distorted",
    # diffusers' LTX docs, for the timestep-aware VAEs of LTX-Video 0.9.1 and later
    "options": {"decode_timestep": 0.05, "image_cond_noise_scale": 0.025},
}


def geometry(vae: dict, transformer: dict) -> Geometry:
    """LTX's VAE: patch_size × 2^(scaling blocks) spatially, patch_size_t × 2^(...) in time,
    unless the config states the ratios; the transformer patches latents patch_size-wide."""
    scaling = 2 ** sum(bool(s) for s in vae.get("spatio_temporal_scaling", (True,) * 3))
    spatial = vae.get("spatial_compression_ratio") or vae.get("patch_size", 4) * scaling
    temporal = vae.get("temporal_compression_ratio") or vae.get("patch_size_t", 1) * scaling
    if transformer.get("patch_size_t", 1) != 1:
        raise InvalidInputError(
            "ltx engine: transformers with a temporal patch (patch_size_t > 1) are not supported",
            param="weights",
        )
    return Geometry(int(spatial), int(temporal), int(transformer.get("patch_size", 1)))


class LTXEngine(DiffusersEngine):
    """LTX-Video (0.9.x, diffusers layout) behind the Engine protocol."""

    name = "ltx"

    def __init__(self, **settings: Any):
        config, _ = DiffusersConfig.read(settings, DEFAULTS, self.name)
        super().__init__(config, Placement.of(config, self.name))
        self.folder = read_folder(config.path, COMPONENTS)
        self.geometry = geometry(self.folder.configs["vae"], self.folder.configs["transformer"])
        self._capabilities = capabilities(config, self.geometry, MODES, self.name)
        require_diffusers()
        self._pipe = None

    @property
    def loaded(self) -> bool:
        return self._pipe is not None

    def pipeline(self):
        """The LTXConditionPipeline, loaded on first use."""
        if self._pipe is None:
            from diffusers import LTXConditionPipeline

            self._pipe = self.placement.load(LTXConditionPipeline, self.config.path)
        return self._pipe

    def _call(self, spec: GenerationSpec, plan: Plan, callback: StepCallback) -> np.ndarray:
        pipe = self.pipeline()
        arguments = self.common_arguments(spec, plan, callback)
        arguments |= {"num_frames": plan.frames, "frame_rate": spec.fps}
        if plan.mode == "remix":
            arguments |= {
                "latents": self._source_latents(pipe, spec, plan),
                "denoise_strength": spec.source_strength,
            }
        elif spec.keyframes:
            arguments["conditions"] = conditions(spec, plan.native, self.geometry.temporal)
        return run_pipeline(pipe, arguments)

    def _source_latents(self, pipe, spec: GenerationSpec, plan: Plan):
        """The source clip at the native size and generated length, as the normalised
        latents the pipeline noises to `denoise_strength` (the VAE's posterior mean)."""
        import torch

        frames = frames_at(spec.source.frames, plan.native, plan.frames)
        video = pipe.video_processor.preprocess_video([pil(f) for f in frames])
        vae = pipe.vae
        with torch.no_grad():
            device = pipe._execution_device
            latents = vae.encode(video.to(device, vae.dtype)).latent_dist.mode().float()
        mean = vae.latents_mean.view(1, -1, 1, 1, 1).to(latents)
        std = vae.latents_std.view(1, -1, 1, 1, 1).to(latents)
        return (latents - mean) * vae.config.scaling_factor / std  # (1, C, T', H', W')


def conditions(spec: GenerationSpec, size: tuple[int, int], temporal: int) -> list:
    """The spec's keyframes as LTXVideoConditions at `size`: each cut into runs of
    1 + temporal·k frames (video conditions) and single frames (image conditions)."""
    from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition

    out = []
    for key in spec.keyframes:
        frames = fit(key.frames, size)
        start = 0
        while start < len(frames):
            n = chunk(len(frames) - start, temporal)
            at = {"frame_index": key.index + start, "strength": key.strength}
            if n == 1:
                out.append(LTXVideoCondition(image=pil(frames[start]), **at))
            else:
                out.append(
                    LTXVideoCondition(video=[pil(f) for f in frames[start : start + n]], **at)
                )
            start += n
    return out
