"""The flow loss of DiT files at fixed flow times, with each clip's caption and with the
null text: where in the noise a transformer has learned what (MODEL_CARD.md, "Why
training is slow").

    .venv/bin/python docs/model_card/loss_by_time.py CACHE ITEMS DIT [DIT ...]

CACHE is a `train dit` latent cache, ITEMS its clip numbers ("0,3,5"). Each clip is
noised twice at every time (fixed noise, seed 0) and the mean squared velocity error is
averaged; a transformer that had learned a clip by heart would score 0 at t = 1 with its
caption.
"""

from __future__ import annotations

import sys

import numpy as np
import torch

from reelforge.model.dit import load_dit
from reelforge.model.flow import add_noise
from reelforge.train.latents import LatentCache, text_batch

TIMES = (0.1, 0.3, 0.5, 0.7, 0.85, 0.95, 1.0)
DRAWS = 2  # noise draws per clip and time


def loss_table(model, cache: LatentCache, items: list[int]) -> dict[str, list[float]]:
    """{"text": [...], "null": [...]}: the mean loss at each of TIMES."""
    gen = torch.Generator().manual_seed(0)
    table = {"text": [], "null": []}
    for t in TIMES:
        for mode, rows in table.items():
            errors = []
            for i in items:
                x0 = torch.from_numpy(cache.latents(i))[None]
                text = text_batch([cache.texts(i)[0]]) if mode == "text" else model.null_text(1)
                for _ in range(DRAWS):
                    noise = torch.randn(x0.shape, generator=gen)
                    tt = torch.full((1,), t)
                    v = model(add_noise(x0, noise, tt), tt, text)
                    errors.append((v - (noise - x0)).square().mean().item())
            rows.append(float(np.mean(errors)))
    return table


def main(cache_path: str, items: str, *dits: str) -> None:
    torch.set_num_threads(2)
    cache, picked = LatentCache(cache_path), [int(i) for i in items.split(",")]
    print("| DiT | text | " + " | ".join(f"t = {t:g}" for t in TIMES) + " |")
    print("|---|---|" + "---:|" * len(TIMES))
    for path in dits:
        with torch.no_grad():
            table = loss_table(load_dit(path).eval(), cache, picked)
        for mode, row in table.items():
            print(f"| {path} | {mode} | " + " | ".join(f"{v:.3f}" for v in row) + " |")


if __name__ == "__main__":
    main(*sys.argv[1:])
