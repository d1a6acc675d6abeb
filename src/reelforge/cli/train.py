"""`reelforge train ...`: train the VAE and the DiT from TOML configs (configs/train/)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from reelforge.cli.errors import user_errors

app = typer.Typer(help="Train the native model: the VAE, then the DiT on cached latents.")
_err = Console(stderr=True)

_CONFIG = typer.Option(None, "--config", "-c", help="TOML config (see configs/train/).")
_DATA = typer.Option(None, "--data", help="Dataset folder (overrides data.path).")
_OUT = typer.Option(None, "--out", help="Run folder (overrides run.out).")
_STEPS = typer.Option(None, "--steps", min=1, help="Total steps (overrides run.steps).")
_DEVICE = typer.Option(None, "--device", help="auto, cpu or cuda (overrides run.device).")
_RESUME = typer.Option(False, "--resume", help="Continue from the newest checkpoint in --out.")
_VAE = typer.Option(None, "--vae", help="Trained VAE file (overrides model.vae).")
_SET = typer.Option([], "--set", help="SECTION.KEY=VALUE (a TOML value), repeatable; applied last.")

_LABELS = {"train": "training", "cache": "caching latents", "stats": "latent statistics"}


@contextmanager
def _progress():
    """An on_progress callback drawing one rich bar per phase."""
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=_err) as bar:
        tasks: dict[str, int] = {}

        def update(phase: str, done: int, total: int, info: dict) -> None:
            if phase not in tasks:
                label = _LABELS.get(phase, phase)
                tasks[phase] = bar.add_task(label, total=total, completed=done - 1, info="")
            text = ""
            if "loss" in info:
                text = f"loss {info['loss']:.4f}  {info['samples_per_s']:.2f} samples/s"
            bar.update(tasks[phase], completed=done, total=total, info=text)

        yield update


@app.command("vae")
def vae(
    config: Path | None = _CONFIG,
    data: Path | None = _DATA,
    out: Path | None = _OUT,
    steps: int | None = _STEPS,
    device: str | None = _DEVICE,
    resume: bool = _RESUME,
    sets: list[str] = _SET,
) -> None:
    """Train the causal video VAE; export <out>/vae.safetensors (EMA weights + latent stats).

    Example: reelforge train vae --config configs/train/vae.toml --data data/world --out runs/vae
    """
    from reelforge.train.config import VAETrainConfig, load_config
    from reelforge.train.vae import train_vae

    with user_errors():
        cfg = load_config(VAETrainConfig, config, _fields(data, out, steps, device, sets))
        with _interrupts(cfg.run.out), _progress() as update:
            result = train_vae(cfg, resume=resume, on_progress=update)
    psnr = f" (held-out PSNR {result['psnr']:.2f} dB)" if result["psnr"] is not None else ""
    typer.echo(f"wrote {result['vae']}{psnr}")


@app.command("dit")
def dit(
    config: Path | None = _CONFIG,
    data: Path | None = _DATA,
    out: Path | None = _OUT,
    vae_path: Path | None = _VAE,
    steps: int | None = _STEPS,
    device: str | None = _DEVICE,
    resume: bool = _RESUME,
    sets: list[str] = _SET,
) -> None:
    """Train the DiT on cached latents (cached first if needed); export <out>/dit.safetensors.

    Example: reelforge train dit --config configs/train/dit.toml --vae runs/vae/vae.safetensors
    """
    from reelforge.train.config import DiTTrainConfig, load_config
    from reelforge.train.dit import train_dit

    with user_errors():
        fields = _fields(data, out, steps, device, sets, {"model.vae": _str(vae_path)})
        cfg = load_config(DiTTrainConfig, config, fields)
        with _interrupts(cfg.run.out), _progress() as update:
            result = train_dit(cfg, resume=resume, on_progress=update)
    loss = result["eval_loss"]
    note = f" (held-out flow loss {loss:.4f})" if loss is not None else ""
    typer.echo(f"wrote {result['dit']}{note}")
    if result["preview"]:
        typer.echo(f"preview {result['preview']}")


@app.command("cache-latents")
def cache_latents(
    config: Path | None = _CONFIG,
    data: Path | None = _DATA,
    out: Path | None = _OUT,
    vae_path: Path | None = _VAE,
    device: str | None = _DEVICE,
    sets: list[str] = _SET,
) -> None:
    """Encode the dataset with the trained VAE and embed its texts, once, for `train dit`.

    Example: reelforge train cache-latents --config configs/train/dit.toml --vae runs/vae/vae.safetensors
    """
    from reelforge.train.config import DiTTrainConfig, load_config
    from reelforge.train.latents import cache_latents as run_cache

    with user_errors():
        fields = _fields(data, out, None, device, sets, {"model.vae": _str(vae_path)})
        cfg = load_config(DiTTrainConfig, config, fields)
        with _progress() as update:
            root = run_cache(cfg, on_progress=update)
    typer.echo(f"latent cache {root / 'index.json'}")


@app.command("export")
def export(
    vae_path: Path = typer.Option(..., "--vae", help="Trained VAE file."),
    dit_path: Path = typer.Option(..., "--dit", help="Trained DiT file."),
    out: Path = typer.Option(..., "--out", help="The weights folder to write."),
    sizes: list[str] = typer.Option(
        ..., "--size", help="ASPECT=WxH, repeatable; an aspect's first size is its default."
    ),
    name: str = typer.Option("reelforge-native", "--name", help="The model's name."),
    steps: int = typer.Option(12, "--steps", min=1, help="Default sampling steps."),
    guidance: float = typer.Option(4.0, "--guidance", min=0.0, help="Default CFG scale."),
    max_frames: int = typer.Option(49, "--max-frames", min=1, help="Frames made in one pass."),
    max_seconds: float | None = typer.Option(
        None, "--max-seconds", min=0.0, help="Longest clip, by chaining passes; default one."
    ),
    max_upscale: float = typer.Option(
        8.0, "--max-upscale", min=1.0, help="Largest upscale per side above a native size."
    ),
    sampler: str = typer.Option("euler", "--sampler", help="Default sampler: euler or heun."),
    fps: float = typer.Option(12.0, "--fps", help="The frame rate it was trained at."),
    text_encoder: str = typer.Option(
        "minilm", "--text-encoder", help="What the DiT was trained with: minilm or hash."
    ),
    half: bool = typer.Option(True, "--half/--full", help="Store float16 (half the size)."),
    force: bool = typer.Option(False, "--force", help="Replace a weights folder's files."),
) -> None:
    """Assemble a weights folder (engine.json, vae.safetensors, dit.safetensors) that
    `reelforge generate --weights FOLDER` and the service load. The sampler's time shift
    follows the flow settings the DiT was trained with (recorded in its file).

    Example: reelforge train export --vae runs/vae/vae.safetensors --dit runs/dit/dit.safetensors --size 16:9=128x72 --size 1:1=96x96 --out weights/mine
    """
    import torch

    from reelforge.cli.options import parse_size
    from reelforge.engines.native_weights import FILES, EngineConfig, save_weights
    from reelforge.model.dit import load_dit, trained_flow
    from reelforge.model.flow import FlowConfig
    from reelforge.model.vae import load_vae
    from reelforge.types import InvalidInputError

    with user_errors():
        table: dict[str, list[tuple[int, int]]] = {}
        for item in sizes:
            aspect, sep, size = item.partition("=")
            if not sep or not aspect:
                raise InvalidInputError(
                    f"--size {item!r} is not ASPECT=WxH (e.g. 16:9=128x72)", param="size"
                )
            table.setdefault(aspect, []).append(parse_size(size))
        taken = [f for f in FILES if (out / f).exists()]
        if taken and not force:
            raise InvalidInputError(
                f"{out} already holds {', '.join(taken)}",
                param="out",
                hint="pass --force to replace them, or choose another --out",
            )
        config = EngineConfig(
            sizes=table,
            name=name,
            fps=fps,
            max_frames=max_frames,
            max_seconds=max_seconds,
            max_upscale=max_upscale,
            sampler=sampler,
            steps=steps,
            guidance=guidance,
            text_encoder=text_encoder,
            flow=trained_flow(dit_path) or FlowConfig(),
        )
        folder = save_weights(
            out, load_vae(vae_path), load_dit(dit_path), config, torch.float16 if half else None
        )
    size_mb = sum((folder / f).stat().st_size for f in FILES) / 1e6
    typer.echo(f"wrote {folder} ({size_mb:.1f} MB)")


@app.command("cut-minilm")
def cut_minilm(
    out: Path = typer.Option(..., "--out", help="The folder to write (new or empty)."),
    scenes: int = typer.Option(
        2000, "--scenes", min=1, help="World scenes whose captions and prompts to cover."
    ),
) -> None:
    """Write a copy of MiniLM that keeps only the word pieces of world texts (about 22 MB
    in float16 instead of 88 MB), for `text.minilm` on a machine that cannot hold the
    full model. World texts read the same through it; other text is refused.

    Example: reelforge train cut-minilm --out .minilm
    """
    from reelforge.train.minilm_cut import cut_minilm as run_cut
    from reelforge.train.minilm_cut import world_texts

    with user_errors():
        summary = run_cut(out, world_texts(scenes))
    typer.echo(f"wrote {out}: {summary['pieces']} word pieces, {summary['bytes'] / 1e6:.1f} MB")


def _str(path: Path | None) -> str | None:
    return None if path is None else str(path)


def _fields(data, out, steps, device, sets: list[str], more: dict | None = None) -> dict:
    """Config overrides from the flags, then from --set."""
    from reelforge.train.config import parse_settings

    flags = {
        "data.path": _str(data),
        "run.out": _str(out),
        "run.steps": steps,
        "run.device": device,
    }
    return flags | (more or {}) | parse_settings(sets)


@contextmanager
def _interrupts(out: str):
    """Ctrl-C ends the run with a note on how to continue it (exit status 130)."""
    try:
        yield
    except KeyboardInterrupt:
        _err.print(f"interrupted; continue with --resume --out {out}", highlight=False)
        raise typer.Exit(130) from None
