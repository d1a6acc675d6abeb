"""Samples of DiT files side by side: docs/images/model_objects.png.

    .venv/bin/python docs/model_card/compare_samples.py OUT.png DIT [DIT ...]

Per DiT file, three rows (held-out scenes 1,000,701, 1,000,703 and 1,000,705, their
captions): the renderer's middle frame, then the middle frame of a 4 s 128x72 sample at
guidance 1, 3 and 7 (Heun, 12 steps, the DiT's training shift, seed 0), decoded by the
shipped VAE. Each picture is shown 2x.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from reelforge.model.dit import load_dit, trained_flow
from reelforge.model.pixels import video_to_frames
from reelforge.model.sampler import SamplerConfig, sample
from reelforge.model.text import TextEncoder
from reelforge.model.vae import load_vae
from reelforge.world.captions import rich_caption
from reelforge.world.clip import render_clip
from reelforge.world.sampler import sample_scene

VAE = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "reelforge"
    / "weights"
    / "default"
    / "vae.safetensors"
)
SCENES = (1_000_701, 1_000_703, 1_000_705)
GUIDANCE = (1.0, 3.0, 7.0)


def main(out: str, dits: list[str]) -> None:
    torch.set_num_threads(2)
    vae, encode, rows = load_vae(VAE).float(), TextEncoder(), []
    for path in dits:
        dit, flow = load_dit(path).float().eval(), trained_flow(path)
        for seed in SCENES:
            scene = sample_scene(seed)
            text = encode([rich_caption(scene)])
            row = [render_clip(scene, 128, 72, 12, 4.0).frames[24]]
            for guidance in GUIDANCE:
                config = SamplerConfig(steps=12, method="heun", guidance=guidance, flow=flow)
                with torch.no_grad():
                    z = sample(dit, text, (1, 16, 13, 9, 16), config=config,
                               generator=torch.Generator().manual_seed(0))  # fmt: skip
                    row.append(video_to_frames(vae.decode(vae.denormalize(z)))[0][24])
            rows.append(np.concatenate(row, 1))
    picture = Image.fromarray(np.concatenate(rows, 0))
    picture.resize((picture.width * 2, picture.height * 2), Image.NEAREST).save(out, optimize=True)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
