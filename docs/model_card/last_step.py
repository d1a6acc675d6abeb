"""The last sampling step near t = 0: the figure docs/images/model_last_step.png.

    .venv/bin/python docs/model_card/last_step.py   # about 30 s on 2 CPU cores

Two training-range scenes (30003, 30009; 4 s at 128x72), the middle and last frames of:
the renderer; the clip's latents noised to t = 0.42 (where the default 12-step schedule
takes its last step) and brought back in one step with the caption, no guidance, as
Euler (the clean estimate at 0.42) and as Heun (which adds the slope at t = 0, a time the
shipped transformer trained on almost never); and the same one step with guidance 7.
It prints each one's PSNR against the renderer (and the VAE's own reconstruction's), and
the transformer's velocity error at t = 0 (RMS against the optimum there, -x0; normalised
units).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from reelforge.model.conditioning import no_condition
from reelforge.model.dit import load_dit
from reelforge.model.pixels import frames_to_video, video_to_frames
from reelforge.model.sampler import guided_velocity
from reelforge.model.text import TextEncoder
from reelforge.model.vae import load_vae
from reelforge.model.vae_loss import psnr
from reelforge.world.captions import rich_caption
from reelforge.world.clip import render_clip
from reelforge.world.sampler import sample_scene

ROOT = Path(__file__).resolve().parents[2]
WEIGHTS = ROOT / "src" / "reelforge" / "weights" / "default"
OUT = ROOT / "docs" / "images" / "model_last_step.png"
T_LAST = 0.42  # the default schedule's last step: 0.42 → 0 (12 steps, shift ≈ 8.6)
FRAMES = (24, 48)


@torch.no_grad()
def main() -> None:
    torch.set_num_threads(2)
    vae, dit = load_vae(WEIGHTS / "vae.safetensors"), load_dit(WEIGHTS / "dit.safetensors")
    encode_text = TextEncoder()
    columns = []
    for seed in (30003, 30009):
        scene = sample_scene(seed)
        truth = render_clip(scene, 128, 72, 12.0, 49 / 12, audio=False)
        x = torch.from_numpy(frames_to_video(truth.frames[None]))
        z = vae.normalize(vae.encode(x).mode())
        text = encode_text([rich_caption(scene)])
        error = float((dit(z, torch.zeros(1), text) + z).square().mean().sqrt())
        rms = float(z.square().mean().sqrt())
        recon = float(psnr(vae.decode(vae.denormalize(z)), x))
        print(f"scene {seed}: velocity error at t = 0: {error:.2f} RMS (latents' RMS {rms:.2f})")
        print(f"scene {seed}: the VAE's own reconstruction: {recon:.2f} dB")
        noise = torch.randn(z.shape, generator=torch.Generator().manual_seed(0))
        x_t = (1 - T_LAST) * z + T_LAST * noise
        free, null = no_condition(x_t.shape), dit.null_text(1)

        rows = [truth.frames]
        for guidance in (1.0, 7.0):
            v0 = guided_velocity(dit, x_t, T_LAST, text, null, guidance, free)
            euler = x_t - T_LAST * v0
            heun = (
                x_t
                - T_LAST * (v0 + guided_velocity(dit, euler, 0.0, text, null, guidance, free)) / 2
            )
            for name, latent in (("Euler", euler), ("Heun", heun)):
                video = vae.decode(vae.denormalize(latent))
                print(
                    f"scene {seed}, guidance {guidance:g}, {name} from t = {T_LAST}: {float(psnr(video, x)):.2f} dB"
                )
                rows.append(video_to_frames(video)[0])
        columns.append(np.concatenate([np.concatenate([r[f] for f in FRAMES], 1) for r in rows], 0))
    image = np.concatenate(columns, 1)
    Image.fromarray(image).resize((image.shape[1] * 2, image.shape[0] * 2), Image.NEAREST).save(OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
