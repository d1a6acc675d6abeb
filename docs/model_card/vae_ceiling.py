"""What the autoencoder alone lets the model show: the judge on the renderer's own clips
passed through the VAE (encode, decode; no transformer), on `bench quality`'s prompts.

    .venv/bin/python docs/model_card/vae_ceiling.py [WEIGHTS] [PROMPTS] [FIRST_SEED]

WEIGHTS is a native weights folder (default: the shipped one); prompts, sizes and
lengths are `bench quality`'s (cli/quality.py: prompt k is scene FIRST_SEED + k's first
short prompt, at the native size of the engine's k-th aspect in turn, 4 s). Prints the
renderer's mean judge score, the same clips' through the VAE, and the latter's metrics.
"""

from __future__ import annotations

import sys

import numpy as np
import torch

import reelforge.cli.quality as quality
from reelforge.engines import get_engine
from reelforge.engines.frames import hold
from reelforge.evaluate import judge, parse_prompt
from reelforge.model.pixels import frames_to_video, video_to_frames
from reelforge.types import Clip
from reelforge.world.captions import short_prompts
from reelforge.world.clip import render_clip
from reelforge.world.sampler import sample_scene


@torch.no_grad()
def through_vae(vae, frames: np.ndarray) -> np.ndarray:
    """uint8 (T, H, W, 3) → the VAE's reconstruction, padded to 1 + 4k frames and cut back."""
    t = len(frames)
    padded = hold(frames, t + (1 - t) % 4)  # the last frame repeated up to 1 + 4k
    video = vae.decode(vae.encode(torch.from_numpy(frames_to_video(padded[None]))).mode())
    return video_to_frames(video)[0][:t]


def main(weights: str = "", prompts: str = "24", first_seed: str = "1000500") -> None:
    torch.set_num_threads(2)
    engine = get_engine("native", **({"weights": weights} if weights else {}))
    vae = engine.weights().vae
    config = quality.QualityConfig(int(prompts), int(first_seed), 4.0, None, None, 0)
    renderer, autoencoded, metrics = [], [], {}
    for k in range(config.prompts):
        scene = sample_scene(config.first_seed + k)
        prompt = short_prompts(scene, 1)[0]
        spec = quality._spec(engine, k, prompt, config)
        truth = render_clip(scene, spec.width, spec.height, spec.fps, config.seconds, audio=False)
        wanted = parse_prompt(prompt)
        renderer.append(judge(truth, wanted).overall)
        report = judge(Clip(through_vae(vae, truth.frames), spec.fps), wanted)
        autoencoded.append(report.overall)
        for name, value in report.metrics.items():
            if value is not None:
                metrics.setdefault(name, []).append(value)
    print(f"renderer {np.mean(renderer):.3f}, through the VAE {np.mean(autoencoded):.3f}")
    for name, values in metrics.items():
        print(f"  {name}: {np.mean(values):.3f} ({len(values)} prompts)")


if __name__ == "__main__":
    main(*sys.argv[1:])
