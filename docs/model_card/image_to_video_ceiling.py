"""The judge on held-out prompts when the transformer is given the renderer's own first
frame (image-to-video): what text-to-video would score if the first frame were perfect
(MODEL_CARD.md, "Why training is slow").

    .venv/bin/python docs/model_card/image_to_video_ceiling.py OUT [PROMPTS] [FIRST_SEED] [GUIDANCE]

`bench quality`'s prompts, sizes and seeds (cli/quality.py), each clip's frame 0 given as
a keyframe; the report and strips land in OUT.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

import reelforge.cli.quality as quality
from reelforge.engines import get_engine
from reelforge.types import Keyframe
from reelforge.world.clip import render_clip
from reelforge.world.sampler import sample_scene

_plain_spec = quality._spec


def _spec_with_first_frame(engine, k, prompt, config):
    spec = _plain_spec(engine, k, prompt, config)
    scene = sample_scene(config.first_seed + k)
    truth = render_clip(scene, spec.width, spec.height, spec.fps, config.seconds, audio=False)
    spec.keyframes = [Keyframe(0, truth.frames[0])]
    return spec


def main(out: str, prompts: str = "24", first_seed: str = "1000500", guidance: str = "") -> None:
    torch.set_num_threads(2)
    quality._spec = _spec_with_first_frame
    config = quality.QualityConfig(
        int(prompts), int(first_seed), 4.0, None, float(guidance) if guidance else None, 6
    )
    report = quality.run_quality(get_engine("native"), config, Path(out))
    model = report["summary"]["model"]
    print(f"overall {model['overall']['mean']:.3f}, grid ratio {model['grid_ratio']['mean']:.2f}")
    for name, value in model["metrics"].items():
        if value["mean"] is not None:
            print(f"  {name}: {value['mean']:.3f} ({value['applied']} prompts)")


if __name__ == "__main__":
    main(*sys.argv[1:])
