"""A spec's given frames (keyframes, source clip, mask, loop) → the sampler's Conditioning.

The causal VAE encodes pixel frame 0 alone into latent frame 0 and pixel frames 4j-3..4j
into latent frame j (seeing the frames before them). So:

- Keyframes are encoded at the positions they occupy: a pixel canvas from frame 0 to the
  last latent frame they touch holds them at their place, the first keyframe frame held
  still before them and the last one after. Every latent frame whose pixel frames all
  lie inside the keyframes is given, at the keyframe's strength. A keyframe that covers
  no whole latent frame (a single image after frame 0, e.g. the last frame of an
  interpolation) gives the latent frame that holds it, encoded as that image held still
  over the latent frame's pixels. At index 0 this is exact: image-to-video and extension
  put the VAE latent of the given frames there, bit for bit (the engine re-imposes the
  raw latents after de-normalising); elsewhere it is the best causal stand-in.
- Inpaint (source + mask): latent frames holding a masked frame are regenerated; the
  others are given (the source's latents).
- Remix (source, strength s): every latent voxel is given softly at 1 - s: the sampler
  replaces the sample with the source noised to the current flow time t while t >= s,
  so sampling really starts from (1 - s)·source + s·noise (SDEdit). s = 0 returns the
  source, s = 1 ignores it.
- Loop: with a hard-given first latent frame, the last latent frame is given the same
  value; otherwise the last latent frame is tied to the first during sampling.

Given frames are fitted to the native size first (centre crop to its aspect, bicubic
resize), and a source clip is cut or held (last frame repeated) to the generated length.
The fitted frames given whole (a masked source's kept frames, full-strength keyframes)
also come back as `Given.pixels`: the engine writes them over the decoded frames, so what
a user gave comes back exactly (a decoder that looks one latent frame ahead otherwise
tints a given frame with the made one after it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import torch

from reelforge.engines.base import Plan
from reelforge.engines.frames import fit, hold, to_video
from reelforge.model.conditioning import Conditioning, latent_index
from reelforge.model.vae import VideoVAE
from reelforge.types import GenerationSpec, Keyframe


@dataclass
class Given:
    """What the sampler is given: `condition` over normalised latents; `raw` (B, C, T, H, W)
    the raw VAE latents of the hard-given voxels (`hard`, bool (B, 1, T, H, W)) to put back
    after de-normalising; `remix` the remix strength, when soft-given voxels start it;
    `pixels` (frame index, uint8 frame at the native size) of every frame given whole, in
    frame order."""

    condition: Conditioning
    raw: torch.Tensor
    hard: torch.Tensor
    remix: float | None = None
    pixels: list[tuple[int, np.ndarray]] = field(default_factory=list)


def given_frames(spec: GenerationSpec, plan: Plan, vae: VideoVAE, shape) -> Given:
    """Build the conditioning of `spec` for latents of `shape` (B, C, T, H, W)."""
    b, _, t, h, w = shape
    device = vae.latent_shift.device
    mask = torch.zeros(b, 1, t, h, w, device=device)
    raw = torch.zeros(shape, device=device)
    remix, pixels = None, {}
    if spec.source is not None:
        fitted = fit(spec.source.frames, plan.native)
        src = encode(vae, hold(fitted, plan.frames))
        if spec.mask is not None:
            keep = kept_latents(spec.mask, plan.frames, t, vae.config.temporal_factor)
            raw[:, :, keep], mask[:, :, keep] = src[:, :, keep], 1.0
            whole = ~np.asarray(spec.mask, dtype=bool)[: min(len(fitted), plan.frames)]
            pixels.update((int(i), fitted[i]) for i in np.flatnonzero(whole))
        else:
            raw[:], mask[:] = src, 1.0 - spec.source_strength
            remix = spec.source_strength if 0 < spec.source_strength < 1 else None
    for key in spec.keyframes:
        fitted = fit(key.frames, plan.native)
        for j, latent in keyframe_latents(key, fitted, vae):
            raw[:, :, j], mask[:, :, j] = latent, key.strength
        if key.strength >= 1:
            last = min(len(fitted), plan.frames - key.index)
            pixels.update((key.index + n, fitted[n]) for n in range(last))
    ties: tuple[tuple[int, int], ...] = ()
    if spec.loop and t > 1:
        if bool((mask[:, :, 0] >= 1).all()):
            raw[:, :, -1], mask[:, :, -1] = raw[:, :, 0], 1.0
        else:
            ties = ((t - 1, 0),)
    values = vae.normalize(raw) * (mask > 0)
    return Given(Conditioning(mask, values, ties), raw, mask >= 1, remix, sorted(pixels.items()))


@torch.no_grad()
def encode(vae: VideoVAE, frames: np.ndarray) -> torch.Tensor:
    """uint8 (1 + 4k, H, W, 3) → the VAE's mean latents (1, C, 1 + k, H/s, W/s), raw."""
    return vae.encode(to_video(frames, vae.latent_shift.device)).mean


def kept_latents(mask: np.ndarray, frames: int, latents: int, temporal: int) -> list[int]:
    """Latent frames none of whose pixel frames is marked for regeneration. Frames past the
    mask (made only to reach the frame rule, then trimmed) count as regenerated."""
    regen = np.ones(frames, dtype=bool)
    regen[: len(mask)] = np.asarray(mask, dtype=bool)
    touched = {latent_index(int(i), temporal) for i in np.flatnonzero(regen)}
    return [j for j in range(latents) if j not in touched]


def keyframe_latents(
    key: Keyframe, frames: np.ndarray, vae: VideoVAE
) -> Iterator[tuple[int, torch.Tensor]]:
    """(latent index, raw latent (1, C, H, W)) of each latent frame a keyframe gives;
    `frames` are its frames fitted to the native size."""
    tf = vae.config.temporal_factor
    first, last = key.index, key.index + len(key.frames) - 1

    def span(j: int) -> tuple[int, int]:  # the pixel frames of latent frame j
        return (0, 0) if j == 0 else (tf * j - tf + 1, tf * j)

    whole = [
        j
        for j in range(latent_index(first, tf), latent_index(last, tf) + 1)
        if first <= span(j)[0] and span(j)[1] <= last
    ]
    chosen = whole or [latent_index(first, tf)]
    canvas = np.clip(np.arange(span(chosen[-1])[1] + 1) - first, 0, len(frames) - 1)
    latents = encode(vae, frames[canvas])  # (1, C, 1 + chosen[-1], h, w)
    for j in chosen:
        yield j, latents[:, :, j]
