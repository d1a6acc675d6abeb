"""Clips of training scenes from a transformer, over the renderer's own clip of each:
docs/images/model_memorise.png (MODEL_CARD.md, "Why training is slow").

    .venv/bin/python docs/model_card/memorise_strips.py WEIGHTS OUT.png SEEDS GUIDANCES

WEIGHTS is an engine folder (`train export`), SEEDS scene seeds ("9010,9006"), GUIDANCES
guidance scales ("1,7"). Each clip is 4 s at 128x72, seed 0, made from the scene's own
caption (the text the transformer trained on), and judged against its first short prompt.
"""

from __future__ import annotations

import sys
from io import BytesIO
from pathlib import Path

import torch
from PIL import Image

from reelforge.cli.quality import stack_strips, strip_image
from reelforge.engines import get_engine
from reelforge.evaluate import judge, parse_prompt
from reelforge.types import GenerationSpec
from reelforge.world.captions import rich_caption, short_prompts
from reelforge.world.clip import render_clip
from reelforge.world.sampler import sample_scene


def main(weights: str, out: str, seeds: str, guidances: str) -> None:
    torch.set_num_threads(2)
    engine, strips = get_engine("native", weights=Path(weights)), []
    for seed in (int(s) for s in seeds.split(",")):
        scene = sample_scene(seed)
        truth = render_clip(scene, 128, 72, 12, 4.0, audio=False)
        prompt = short_prompts(scene, 1)[0]
        for guidance in (float(g) for g in guidances.split(",")):
            spec = GenerationSpec(
                prompt, width=128, height=72, num_frames=48, fps=12, seed=0,
                guidance=guidance, expanded_prompt=rich_caption(scene),
            )  # fmt: skip
            made = engine.generate(spec)
            score = judge(made, parse_prompt(prompt)).overall
            caption = f"scene {seed}, guidance {guidance:g}, judge {score:.2f}: {prompt}"
            print(caption)
            strips.append(strip_image(made.frames, truth.frames, caption))
    stacked = Image.open(BytesIO(stack_strips(strips))).convert("RGB")
    stacked.quantize(192).save(out, optimize=True)  # a palette: a third of the bytes


if __name__ == "__main__":
    main(*sys.argv[1:])
