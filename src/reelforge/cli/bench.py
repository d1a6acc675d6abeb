"""`reelforge bench ...`: the figures docs/BENCHMARKS.md quotes, measured the same way
every time."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from reelforge.cli import bench_api, bench_editing, bench_moderation, bench_trust, bench_vae

app = typer.Typer(help="Benchmarks: the commands behind docs/BENCHMARKS.md.")
_out = Console()


def _pin_one_core() -> str:
    """Run on one core with one math thread, so figures mean 'per core'."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = "1"
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        return "1 core (pinned)"
    return "unpinned"


def _machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


@app.command("world")
def world(
    scenes: int = typer.Option(8, "--scenes", min=1, help="Sampled scenes per size."),
    seconds: float = typer.Option(4.0, "--seconds", help="Clip length."),
    fps: float = typer.Option(12.0, "--fps", help="Frames per second."),
    sizes: list[str] = typer.Option(["256x144", "512x288"], "--size", help="Repeatable."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Renderer frames/s per size on one core, physics and sound time, judge time per clip."""
    from reelforge.cli.options import parse_size
    from reelforge.evaluate import constraints_from_scene, judge
    from reelforge.types import Clip
    from reelforge.world.physics import simulate
    from reelforge.world.render import render_frames
    from reelforge.world.sampler import sample_scene
    from reelforge.world.scene import Scene
    from reelforge.world.sound import render_audio

    pinned = _pin_one_core()
    picked: list[Scene] = [sample_scene(1_000_000 + i) for i in range(scenes)]
    rows = []
    for size in sizes:
        w, h = parse_size(size)
        frames_done, t_sim, t_render, t_audio, t_judge = 0, 0.0, 0.0, 0.0, 0.0
        for scene in picked:
            t0 = time.perf_counter()
            sim = simulate(scene, seconds, w / h)
            t1 = time.perf_counter()
            frames = render_frames(sim, w, h, fps)
            t2 = time.perf_counter()
            audio = render_audio(sim)
            t3 = time.perf_counter()
            judge(Clip(frames, fps, audio), constraints_from_scene(scene))
            t4 = time.perf_counter()
            frames_done += len(frames)
            t_sim, t_render = t_sim + t1 - t0, t_render + t2 - t1
            t_audio, t_judge = t_audio + t3 - t2, t_judge + t4 - t3
        rows.append(
            {
                "size": size,
                "render_fps": frames_done / t_render,
                "physics_ms_per_clip": 1000 * t_sim / scenes,
                "sound_ms_per_clip": 1000 * t_audio / scenes,
                "judge_ms_per_clip": 1000 * t_judge / scenes,
            }
        )
    meta = {
        "machine": _machine(),
        "threads": pinned,
        "scenes": scenes,
        "seconds": seconds,
        "fps": fps,
    }
    if as_json:
        _out.print_json(json.dumps({"meta": meta, "rows": rows}))
        return
    table = Table(
        title=f"world benchmark: {scenes} scenes x {seconds:g} s at {fps:g} fps, {pinned}"
    )
    for col in ("size", "render frames/s", "physics ms/clip", "sound ms/clip", "judge ms/clip"):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(
            r["size"],
            f"{r['render_fps']:.0f}",
            f"{r['physics_ms_per_clip']:.1f}",
            f"{r['sound_ms_per_clip']:.1f}",
            f"{r['judge_ms_per_clip']:.0f}",
        )
    _out.print(table)
    _out.print(meta["machine"], highlight=False)


@app.command("dit")
def dit(
    presets: list[str] = typer.Option(["Reel-XS/2", "Reel-S/2"], "--preset", help="Repeatable."),
    size: str = typer.Option("256x144", "--size", help="Output size the tokens correspond to."),
    seconds: float = typer.Option(4.0, "--seconds", help="Clip length at 12 fps."),
    spatial: int = typer.Option(8, "--vae-factor", help="The VAE's spatial compression."),
    threads: int = typer.Option(2, "--threads", min=1, help="torch threads."),
    repeats: int = typer.Option(3, "--repeats", min=1, help="Timed rounds (best is kept)."),
    wan: bool = typer.Option(True, "--wan/--no-wan", help="Also time diffusers' Wan block."),
) -> None:
    """One CFG step (batch 2) of our transformer beside diffusers' WanTransformer3DModel
    built with the same width, depth, heads and token count (needs `pip install diffusers`)."""
    import importlib.util

    from reelforge.cli.errors import user_errors
    from reelforge.cli.options import parse_size
    from reelforge.model.bench_wan import compare
    from reelforge.model.dit import DIT_MODELS

    with user_errors():
        w, h = parse_size(size)
        frames = 1 + 4 * max(0, round((seconds * 12 - 1) / 4))
        latent = (1 + (frames - 1) // 4, h // spatial, w // spatial)
        has_wan = wan and importlib.util.find_spec("diffusers") is not None
        table = Table(title=f"DiT forward, batch 2, latent {latent}, {threads} thread(s)")
        for col in ("preset", "model", "params", "tokens", "seconds"):
            table.add_column(col, justify="right")
        for name in presets:
            if name not in DIT_MODELS:
                from reelforge.types import InvalidInputError

                raise InvalidInputError(
                    f"unknown preset {name!r}", param="preset", hint=", ".join(DIT_MODELS)
                )
            rows = compare(
                DIT_MODELS[name](), latent, with_wan=has_wan, threads=threads, repeats=repeats
            )
            for r in rows:
                table.add_row(
                    name, r["model"], f"{r['params'] / 1e6:.1f}M", str(r["tokens"]),
                    f"{r['seconds']:.3f}",
                )  # fmt: skip
    _out.print(table)
    if wan and not has_wan:
        _out.print("diffusers is not installed: `pip install diffusers` to time Wan too.")
    _out.print(_machine(), highlight=False)


def _stage_times(events: list[tuple[float, str]], end: float) -> dict[str, float]:
    """Seconds per stage from the engine's (time, message) progress events.

    The first step's report also covers encoding the prompt, so a step is timed from the
    later steps and the text stage is what the first report took beyond one step."""
    first = events[0][0]
    steps = [t for t, m in events if m.startswith("sampling")]
    decode = next(t for t, m in events if m == "decoding")
    after = next((t for t, m in events if m.startswith("upscaling")), end)
    per_step = (steps[-1] - steps[0]) / max(1, len(steps) - 1) if len(steps) > 1 else 0.0
    return {
        "text": max(0.0, steps[0] - first - per_step),
        "transformer": decode - steps[0] + per_step,
        "per_step": per_step,
        "vae_decode": after - decode,
        "upscale": end - after,
    }


@app.command("generate")
def generate(
    weights: str | None = typer.Option(
        None,
        "--weights",
        help="A weights folder ('default': the shipped model) timed with its own sizes, "
        "steps and guidance; without it, random weights of --dit and --vae.",
    ),
    dit_preset: str = typer.Option("Reel-S/2", "--dit", help="Transformer preset."),
    vae_preset: str = typer.Option("vae-s8", "--vae", help="VAE preset."),
    size: str | None = typer.Option(
        None, "--size", help="Native size to generate (default 256x144, or the 16:9 native)."
    ),
    seconds: float = typer.Option(4.0, "--seconds", help="Clip length at the engine's fps."),
    steps: int | None = typer.Option(None, "--steps", min=1, help="Sampling steps (12)."),
    guidance: float | None = typer.Option(
        None, "--guidance", help="1 turns CFG off (half the work); default 4."
    ),
    threads: int = typer.Option(2, "--threads", min=1, help="torch threads."),
    dtype: str = typer.Option(
        "auto", "--dtype", help="The transformer's compute dtype: auto, float32 or bfloat16."
    ),
) -> None:
    """Time one generation end to end with the native engine, stage by stage: the shipped
    (or another) weights folder, or random weights of the given presets (speed does not
    depend on the weight values)."""
    import tempfile

    import torch

    from reelforge.cli.errors import user_errors
    from reelforge.cli.options import parse_size
    from reelforge.engines.native import NativeEngine
    from reelforge.engines.native_weights import EngineConfig, save_random_weights
    from reelforge.media import encode_mp4_bytes
    from reelforge.types import GenerationSpec

    torch.set_num_threads(threads)
    with user_errors(), tempfile.TemporaryDirectory() as folder:
        if weights is None:
            w, h = parse_size(size or "256x144")
            config = EngineConfig(
                sizes={"native": ((w, h),)},
                steps=steps or 12,
                guidance=4.0 if guidance is None else guidance,
            )
            save_random_weights(folder, config, vae=vae_preset, dit=dit_preset, text_dim=384)
            engine = NativeEngine(folder, dtype=dtype)
            model = f"{dit_preset} + {vae_preset}"
        else:
            engine = NativeEngine(None if weights == "default" else weights, dtype=dtype)
            caps = engine.capabilities
            w, h = parse_size(size) if size else caps.default_size(caps.aspects[0])
            model = engine.config.name
        steps = steps or engine.config.steps
        guidance = engine.config.guidance if guidance is None else guidance
        fps = engine.capabilities.fps[0]
        frames = max(1, round(seconds * fps))
        spec = GenerationSpec(
            "a red ball bounces to the right at sunset",
            width=w,
            height=h,
            num_frames=frames,
            fps=fps,
            steps=steps,
            guidance=guidance,
        )
        t0 = time.perf_counter()
        engine.generate(spec)  # cold: loads the weights and MiniLM
        cold = time.perf_counter() - t0
        events: list[tuple[float, str]] = []
        spec.prompt = "a blue cube rolls to the left at night"  # not in the text cache
        t0 = time.perf_counter()
        clip = engine.generate(
            spec, on_progress=lambda f, m: events.append((time.perf_counter(), m))
        )
        warm = time.perf_counter() - t0
        stages = _stage_times(events, events[-1][0])
        t1 = time.perf_counter()
        encode_mp4_bytes(clip)
        stages["mp4_encode"] = time.perf_counter() - t1
    total = warm + stages["mp4_encode"]
    table = Table(
        title=f"generate {w}x{h}, {frames} frames ({clip.duration:.2f} s), {model}, "
        f"{steps} steps, guidance {guidance:g}, {engine.dtype}, {threads} thread(s)"
    )
    table.add_column("stage")
    table.add_column("seconds", justify="right")
    for name in ("text", "transformer", "vae_decode", "upscale", "mp4_encode"):
        table.add_row(name, f"{stages[name]:.3f}")
    table.add_row("one step", f"{stages['per_step']:.3f}")
    table.add_row("total (warm)", f"{total:.3f}")
    table.add_row("wall / clip duration", f"{total / clip.duration:.2f}")
    table.add_row("first call (loads weights)", f"{cold:.3f}")
    _out.print(table)
    _out.print(_machine(), highlight=False)


@app.command("quality")
def quality(
    out: Path = typer.Option(..., "--out", help="Folder for report.json, summary.md, strips/."),
    weights: Path | None = typer.Option(
        None, "--weights", help="Native engine weights folder (default: the shipped one)."
    ),
    prompts: int = typer.Option(100, "--prompts", help="Held-out prompts to score."),
    first_seed: int | None = typer.Option(
        None,
        "--first-seed",
        help="Scene seed of the first prompt (default: the first held-out one).",
    ),
    seconds: float = typer.Option(4.0, "--seconds", help="Clip length."),
    steps: int | None = typer.Option(None, "--steps", help="Sampling steps (engine default)."),
    guidance: float | None = typer.Option(None, "--guidance", help="CFG scale (engine default)."),
    threads: int = typer.Option(2, "--threads", min=1, help="torch threads."),
    strips: int = typer.Option(6, "--strips", help="Prompts that get a PNG strip."),
    dtype: str = typer.Option(
        "auto", "--dtype", help="The transformer's compute dtype: auto, float32 or bfloat16."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary JSON, not a table."),
) -> None:
    """The judge's scores of the native engine on held-out prompts, beside the renderer's
    own clip of each scene (the ceiling) and that clip with its frames shuffled (the floor).

    Example: reelforge bench quality --weights runs/dit/engine --prompts 100 --out runs/quality
    """
    import torch
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from reelforge.cli.errors import user_errors
    from reelforge.cli.quality import QualityConfig, run_quality, summary_rows
    from reelforge.engines import get_engine
    from reelforge.world.sampler import EVAL_SEED_START

    torch.set_num_threads(threads)
    with user_errors():
        first = EVAL_SEED_START if first_seed is None else first_seed
        config = QualityConfig(prompts, first, seconds, steps, guidance, strips)
        folder = {"weights": weights} if weights is not None else {}
        engine = get_engine("native", dtype=dtype, **folder)
        context = {
            "threads": threads,
            "dtype": engine.dtype,
            "weights": str(weights) if weights is not None else None,
            "machine": _machine(),
        }
        columns = (BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(
            "[progress.description]{task.description}", *columns, console=Console(stderr=True)
        ) as bar:
            task = bar.add_task("prompts", total=prompts)
            report = run_quality(
                engine,
                config,
                out,
                context=context,
                on_progress=lambda done, _total: bar.update(task, completed=done),
            )
    meta, summary = report["meta"], report["summary"]
    if as_json:
        _out.print_json(json.dumps({"meta": meta, "summary": summary}))
        return
    table = Table(
        title=f"quality: {meta['model']} ({meta['engine']}) on {prompts} held-out prompts, "
        f"{seconds:g} s, {meta['steps']} steps, guidance {meta['guidance']}"
    )
    for col in ("metric", "model", "renderer ceiling", "shuffled floor", "prompts applied"):
        table.add_column(col, justify="right")
    for row in summary_rows(summary):
        table.add_row(*row)
    _out.print(table)
    _out.print(f"wrote {out / 'report.json'}, {out / 'summary.md'}", highlight=False)
    _out.print(f"{meta['wall_s']:.1f} s wall, {_machine()}", highlight=False)


app.command("api")(bench_api.api_command)
app.command("moderation")(bench_moderation.moderation_command)
app.command("watermark")(bench_trust.watermark_command)
app.command("editing")(bench_editing.editing_command)
app.command("vae")(bench_vae.vae_command)


@app.command("trust")
def trust(
    out: Path = typer.Option(
        Path("runs/trust"), "--out", help="Folder for watermark.json (the full report)."
    ),
    clips: int = typer.Option(20, "--clips", min=1, help="Marked clips per watermark attack."),
    unmarked: int = typer.Option(
        200, "--unmarked", min=0, help="Unmarked clips (false positives)."
    ),
) -> None:
    """The figures of docs/SAFETY.md in one run: `bench moderation` (precision and recall
    per category on the held-out prompts), then `bench watermark` (robustness of the
    invisible mark per attack, false positives, PSNR, speed), each with its defaults.

    Example: reelforge bench trust --out runs/trust
    """
    out.mkdir(parents=True, exist_ok=True)
    _out.rule("moderation")
    _with_defaults(bench_moderation.moderation_command)
    _out.rule("invisible watermark")
    _with_defaults(
        bench_trust.watermark_command, clips=clips, unmarked=unmarked, out=out / "watermark.json"
    )


def _with_defaults(command, **given) -> None:
    """Call a typer command function as the CLI would: every option not `given` at the
    default its typer.Option declares."""
    import inspect

    arguments = {}
    for name, parameter in inspect.signature(command).parameters.items():
        default = parameter.default
        arguments[name] = given.get(name, getattr(default, "default", default))
    command(**arguments)
