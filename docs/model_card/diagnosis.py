"""Where the shipped model's tiles come from: the figure docs/images/model_diagnosis.png.

    .venv/bin/python docs/model_card/diagnosis.py   # about a minute on 2 CPU cores

Rows (the middle frame of a 4 s 128x72 clip, held-out scenes 1,000,700-1,000,703):
  A, B  the renderer's frame; the shipped VAE decoding that clip's latents with Gaussian
        noise of std 0.1, 0.3 and 0.6 (normalised units) added; the transformer's clean
        estimate x0 = x_t - t v from t = 0.6 (text: the clip's caption)
  C, D  the clean estimate at six of the 12 Euler steps of a sample from pure noise,
        without guidance (C) and with guidance 7 (D), scene 1,000,701's caption
  E     scene 1,000,703: the renderer; samples with (guidance, sampling shift, Heun steps)
        (1, the training shift, 12), (1, 3, 24), (1, 1, 24), (3, 3, 24), (3, 1, 24)
It also prints the transformer's clean-estimate error (RMS, normalised units) at t = 0.3,
0.6 and 0.9 on the clips of rows A and B.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

from reelforge.model.conditioning import no_condition
from reelforge.model.dit import load_dit, trained_flow
from reelforge.model.flow import num_tokens, time_shift
from reelforge.model.pixels import frames_to_video, video_to_frames
from reelforge.model.sampler import FlowMatchScheduler, SamplerConfig, guided_velocity, sample
from reelforge.model.text import TextEncoder
from reelforge.model.vae import load_vae
from reelforge.world.captions import rich_caption
from reelforge.world.clip import render_clip
from reelforge.world.sampler import sample_scene

ROOT = Path(__file__).resolve().parents[2]
WEIGHTS = ROOT / "src" / "reelforge" / "weights" / "default"
SHAPE = (1, 16, 13, 9, 16)  # a 4 s 128x72 clip's latents
MIDDLE = 24


def main() -> None:
    torch.set_num_threads(2)
    vae = load_vae(WEIGHTS / "vae.safetensors").float()
    dit = load_dit(WEIGHTS / "dit.safetensors").float().eval()
    flow, encode = trained_flow(WEIGHTS / "dit.safetensors"), TextEncoder()

    def decode(z: torch.Tensor) -> np.ndarray:
        return video_to_frames(vae.decode(vae.denormalize(z)))[0][MIDDLE]

    rows, errors = [], {0.3: [], 0.6: [], 0.9: []}
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for seed in (1_000_700, 1_000_701):
            scene = sample_scene(seed)
            frames = render_clip(scene, 128, 72, 12, 4.0).frames
            z = vae.normalize(
                vae.encode(torch.from_numpy(frames_to_video(frames[:45][None]))).mode()
            )
            text = encode([rich_caption(scene)])
            row = [frames[MIDDLE]]
            row += [decode(z + s * torch.randn(z.shape, generator=gen)) for s in (0.1, 0.3, 0.6)]
            for t in errors:
                x_t = (1 - t) * z + t * torch.randn(z.shape, generator=gen)
                x0 = x_t - t * dit(x_t, torch.tensor([t]), text)
                errors[t].append(float((x0 - z).pow(2).mean().sqrt()))
                if t == 0.6:
                    row.append(decode(x0))
            rows.append(row)

        text = encode([rich_caption(sample_scene(1_000_701))])
        shift = time_shift(num_tokens(SHAPE[2:], dit.cfg.patch), flow)
        for guidance in (1.0, 7.0):
            sched = FlowMatchScheduler("euler")
            sched.set_timesteps(12, shift)
            x = torch.randn(SHAPE, generator=torch.Generator().manual_seed(0))
            uncond = dit.null_text(1) if guidance != 1 else None
            row = []
            for k, t in enumerate(sched.timesteps):
                v = guided_velocity(dit, x, t, text, uncond, guidance, no_condition(SHAPE), None)
                if k % 2 == 1:
                    row.append(decode(x - float(t) * v))
                x = sched.step(v, x)
            rows.append(row)

        scene = sample_scene(1_000_703)
        text = encode([rich_caption(scene)])
        row = [render_clip(scene, 128, 72, 12, 4.0).frames[MIDDLE]]
        for guidance, shift, steps in (
            (1, None, 12),
            (1, 3.0, 24),
            (1, 1.0, 24),
            (3, 3.0, 24),
            (3, 1.0, 24),
        ):
            config = SamplerConfig(
                steps=steps, method="heun", guidance=guidance, shift=shift, flow=flow
            )
            z = sample(dit, text, SHAPE, config=config, generator=torch.Generator().manual_seed(0))
            row.append(decode(z))
        rows.append(row)

    print({t: round(float(np.mean(e)), 3) for t, e in errors.items()})
    width = max(len(r) for r in rows)
    canvas = Image.new("RGB", (16 + width * 128 * 2, len(rows) * 72 * 2), "white")
    draw = ImageDraw.Draw(canvas)
    for i, row in enumerate(rows):
        draw.text((3, i * 144 + 64), "ABCDE"[i], fill="black")
        for j, frame in enumerate(row):
            tile = Image.fromarray(frame).resize((256, 144), Image.NEAREST)
            canvas.paste(tile, (16 + j * 256, i * 144))
    out = ROOT / "docs" / "images" / "model_diagnosis.png"
    canvas.save(out, optimize=True)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
