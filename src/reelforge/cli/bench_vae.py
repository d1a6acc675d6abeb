"""`reelforge bench vae`: how well VAE files reconstruct held-out world clips.

For each scene k (held-out seed 1,000,000 + k) the renderer's 45-frame clip (1 + 4·11
frames, a whole number of latent frames) at the default model's native sizes in turn
(128x72, 72x128, 96x96) is encoded (latent mean) and decoded by each VAE. Reported per
VAE: PSNR over all clips, and the judder ratio of the reconstructions (evaluate/judder.py)
beside the renderer's own. The same clips for every VAE, so files can be compared.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

_out = Console()
SIZES = ((128, 72), (72, 128), (96, 96))
FRAMES = 45
FPS = 12.0


def vae_command(
    vaes: list[Path] = typer.Argument(..., help="VAE .safetensors files (or weights folders)."),
    scenes: int = typer.Option(24, "--scenes", min=1, help="Held-out scenes."),
    threads: int = typer.Option(2, "--threads", min=1, help="Torch threads."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """PSNR and judder of VAE round trips on held-out world clips.

    Example: reelforge bench vae src/reelforge/weights/default runs/vae/vae.safetensors
    """
    import torch

    from reelforge.evaluate.judder import judder_ratio
    from reelforge.model.pixels import frames_to_video, video_to_frames
    from reelforge.model.vae import load_vae
    from reelforge.world.clip import render_clip
    from reelforge.world.sampler import EVAL_SEED_START, sample_scene

    torch.set_num_threads(threads)
    clips = [
        render_clip(sample_scene(EVAL_SEED_START + k), *SIZES[k % 3], FPS, FRAMES / FPS).frames
        for k in range(scenes)
    ]
    clips = [c[:FRAMES] for c in clips]
    truth_judder = _mean([judder_ratio(c) for c in clips])
    rows = []
    for path in vaes:
        file = path / "vae.safetensors" if path.is_dir() else path
        vae = load_vae(file).float().eval()
        start, errors, judders = time.perf_counter(), [], []
        for frames in clips:
            with torch.no_grad():
                x = torch.from_numpy(frames_to_video(frames))[None]
                made = video_to_frames(vae.decode(vae.encode(x).mode())[0])
            errors.append(np.square(made.astype(np.float64) - frames).mean())
            judders.append(judder_ratio(made))
        psnr = 10 * np.log10(255.0**2 / np.mean(errors))
        rows.append(
            {
                "vae": str(file),
                "psnr_db": round(float(psnr), 2),
                "judder": _mean(judders),
                "renderer_judder": truth_judder,
                "seconds": round(time.perf_counter() - start, 1),
            }
        )
    if as_json:
        _out.print_json(json.dumps({"scenes": scenes, "rows": rows}))
        return
    table = Table(title=f"VAE round trips on {scenes} held-out world clips ({FRAMES} frames)")
    for name in ("vae", "PSNR dB", "judder", "renderer judder", "s"):
        table.add_column(name)
    for r in rows:
        values = (r["psnr_db"], r["judder"], r["renderer_judder"], r["seconds"])
        table.add_row(r["vae"], *(str(v) for v in values))
    _out.print(table)


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(float(np.mean(present)), 3) if present else None
