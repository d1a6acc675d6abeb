"""Forward-pass timing of a VideoDiT config next to diffusers' WanTransformer3DModel.

Both get the same width, depth, heads, patch, latent channels, text width and token count, so
the ratio says how our block compares with Wan's at CPU size. The two run interleaved and
each reports its best run, so load from other work on a shared machine hits both alike.
diffusers is not a reelforge dependency: `pip install diffusers` to run the Wan side.

    from reelforge.model.bench_wan import compare
    from reelforge.model.dit import DIT_MODELS
    compare(DIT_MODELS["Reel-S/2"](), latent_size=(13, 18, 32), threads=2)
"""

from __future__ import annotations

import time
from collections.abc import Callable

import torch

from reelforge.model.dit import DiTConfig, VideoDiT
from reelforge.model.text import TextBatch

TEXT_TOKENS = 32
Forward = Callable[[], object]


def best_times(fns: dict[str, Forward], repeats: int = 3, threads: int = 2) -> dict[str, float]:
    """Best seconds of each fn over `repeats` interleaved rounds after one warm-up."""
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    best = dict.fromkeys(fns, float("inf"))
    try:
        with torch.inference_mode():
            for _ in range(repeats + 1):
                for name, fn in fns.items():
                    start = time.perf_counter()
                    fn()
                    best[name] = min(best[name], time.perf_counter() - start)
    finally:
        torch.set_num_threads(previous)
    return best  # the warm-up round counts only if it was the fastest, which it never is


def params(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def dit_forward(cfg: DiTConfig, latent_size, batch: int = 2) -> tuple[torch.nn.Module, Forward]:
    """VideoDiT(cfg) and a forward on a (batch, C, *latent_size) latent with 32 text tokens."""
    model = VideoDiT(cfg).eval()
    x, t = torch.randn(batch, cfg.in_channels, *latent_size), torch.rand(batch)
    tokens = torch.randn(batch, TEXT_TOKENS, cfg.text_dim)
    mask = torch.ones(batch, TEXT_TOKENS, dtype=torch.bool)
    text = TextBatch(tokens, mask, torch.randn(batch, cfg.text_dim))
    return model, lambda: model(x, t, text)


def wan_forward(cfg: DiTConfig, latent_size, batch: int = 2) -> tuple[torch.nn.Module, Forward]:
    """A WanTransformer3DModel of cfg's sizes and a forward on the same inputs."""
    from diffusers import WanTransformer3DModel

    model = WanTransformer3DModel(
        patch_size=cfg.patch,
        num_attention_heads=cfg.heads,
        attention_head_dim=cfg.width // cfg.heads,
        in_channels=cfg.in_channels,
        out_channels=cfg.in_channels,
        text_dim=cfg.text_dim,
        freq_dim=cfg.freq_dim,
        ffn_dim=int(cfg.width * cfg.mlp_ratio),
        num_layers=cfg.depth,
    ).eval()
    x, t = torch.randn(batch, cfg.in_channels, *latent_size), torch.rand(batch) * 1000
    text = torch.randn(batch, TEXT_TOKENS, cfg.text_dim)
    return model, lambda: model(x, t, text, return_dict=False)[0]


def compare(
    cfg: DiTConfig, latent_size: tuple[int, int, int], batch: int = 2, with_wan: bool = True, **kw
) -> list[dict]:
    """One row per model: params, best forward seconds, tokens, batch (kw: repeats, threads)."""
    models = {"reelforge VideoDiT": dit_forward(cfg, latent_size, batch)}
    if with_wan:
        models["diffusers Wan"] = wan_forward(cfg, latent_size, batch)
    seconds = best_times({name: fn for name, (_, fn) in models.items()}, **kw)
    tokens = (
        (latent_size[0] // cfg.patch[0])
        * (latent_size[1] // cfg.patch[1])
        * (latent_size[2] // cfg.patch[2])
    )
    return [
        {
            "model": name,
            "params": params(m),
            "seconds": seconds[name],
            "tokens": tokens,
            "batch": batch,
        }
        for name, (m, _) in models.items()
    ]
