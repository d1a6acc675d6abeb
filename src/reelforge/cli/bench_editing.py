"""`reelforge bench editing`: the figures of docs/EDITING.md (issue 6), every edit run
on held-out world prompts with the shipped model (or --weights) and measured by the
seams and the judge (cli/editing_figures.py says what each figure is)."""

from __future__ import annotations

import datetime
import json
import os
import platform
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

_out = Console()
_err = Console(stderr=True)


def machine() -> str:
    """The facts a reader needs to compare timings: CPU, cores, GPU or not, Python, torch."""
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return (
        f"{cpu}, {os.cpu_count()} CPUs, {gpu}, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}, torch {torch.__version__}"
    )


def editing_command(
    out: Path | None = typer.Option(
        None, "--out", help="Folder for report.json and strips/*.png (prompt 0's edits)."
    ),
    weights: Path | None = typer.Option(
        None, "--weights", help="Native engine weights folder (default: the shipped one)."
    ),
    prompts: int = typer.Option(4, "--prompts", help="Held-out prompts (at least 2)."),
    first_seed: int | None = typer.Option(
        None,
        "--first-seed",
        help="Scene seed of the first prompt (default: the first held-out one).",
    ),
    seconds: float = typer.Option(4.0, "--seconds", help="Each source clip's length."),
    extend_seconds: float = typer.Option(2.0, "--extend-seconds", help="Seconds per extension."),
    chains: int = typer.Option(1, "--chains", help="Long extension chains (of the first prompts)."),
    chain_seconds: float = typer.Option(60.0, "--chain-seconds", help="A chain's length."),
    chain_step: float = typer.Option(4.0, "--chain-step", help="Seconds per chain step."),
    steps: int | None = typer.Option(
        None, "--steps", min=1, help="Sampling steps (engine default)."
    ),
    guidance: float | None = typer.Option(None, "--guidance", help="CFG scale (engine default)."),
    threads: int = typer.Option(2, "--threads", min=1, help="torch threads."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary JSON, not tables."),
) -> None:
    """Every edit (remix, recut, extend, loop, blend, fill, storyboard, stitch) on held-out
    prompts: continuity at each join (the seam ratio; issue 6 aims for <= 1.5), what a
    remix keeps (object paths) and changes (the judge on its new prompt) per strength, a
    fill's repair of planted damage, and a long extension chain's first against its last
    seconds.

    Example: reelforge bench editing --prompts 4 --chains 1 --out runs/editing
    """
    import torch

    from reelforge.cli.editing_figures import EditingConfig
    from reelforge.cli.editing_report import run_editing
    from reelforge.cli.errors import user_errors
    from reelforge.cli.generate import _engine
    from reelforge.world.sampler import EVAL_SEED_START

    torch.set_num_threads(threads)
    with user_errors():
        first = EVAL_SEED_START if first_seed is None else first_seed
        config = EditingConfig(prompts, first, seconds, extend_seconds, chains, chain_seconds,
                               chain_step, steps, guidance)  # fmt: skip
        engine = _engine("native", weights, None)
        context = {
            "threads": threads,
            "weights": str(weights) if weights is not None else "default",
            "machine": machine(),
            "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        }
        report = run_editing(
            engine,
            config,
            out,
            context=context,
            on_progress=lambda done, total, message: _err.print(
                f"[{done}/{total}] {message}", highlight=False
            ),
        )
    if as_json:
        _out.print_json(json.dumps({"meta": report["meta"], "summary": report["summary"]}))
        return
    for table in tables(report):
        _out.print(table)
    if out is not None:
        _out.print(f"wrote {out / 'report.json'} and {out / 'strips'}", highlight=False)
    _out.print(
        f"{report['meta']['wall_s']:.0f} s wall, {report['meta']['machine']}", highlight=False
    )


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------


def _n(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def tables(report: dict[str, Any]) -> list[Table]:
    """Continuity, remix, then mix / fill / chain, as rich tables."""
    meta, summary = report["meta"], report["summary"]
    settings = meta["settings"]
    seams = Table(
        title=f"continuity at joins: seam ratio (aim <= {summary['aim']:g}), "
        f"{settings['prompts']} held-out prompts, {meta['model']}"
    )
    for col in ("join", "joins", "median", "max", f"<= {summary['aim']:g}"):
        seams.add_column(col, justify="right")
    for name, s in summary["continuity"].items():
        seams.add_row(
            name, str(s["joins"]), _n(s["median"]), _n(s["max"]), f"{s['within_aim']}/{s['joins']}"
        )
    for name, s in summary["reference"].items():
        seams.add_row(f"({name})", str(s["joins"]), _n(s["median"]), _n(s["max"]), "not aimed")
    remix = Table(title="remix to another time of day: judge on the new prompt, paths kept")
    for col in (
        "clip",
        "judge (new prompt)",
        "time of day",
        "path r",
        "path gap",
        "objects r / found",
    ):
        remix.add_column(col, justify="right")
    for kind, r in summary["remix"].items():
        remix.add_row(kind, _n(r["judge_new"]), _n(r["time_of_day"]), _n(r["r"]), _n(r["gap"], 3),
                      f"{r['objects_correlated']} / {r['objects_compared']}")  # fmt: skip
    other = Table(title="mix, fill and the long chain")
    other.add_column("figure")
    other.add_column("value", justify="right")
    mix = summary["mix"]
    for key, value in mix.items():
        other.add_row(f"mix: {key.replace('_', ' ')}", _n(value))
    fill = summary["fill"]
    other.add_row(
        "fill: planted frames found", f"{fill['found']}/{fill['planted']} (+{fill['extra']} others)"
    )
    other.add_row(
        "fill: PSNR damaged -> filled (dB)",
        f"{_n(fill['psnr_damaged'], 1)} -> {_n(fill['psnr_filled'], 1)}",
    )
    chain = summary["chain"]
    other.add_row(
        f"chain ({chain['chains']}): judge first {settings['seconds']:g} s", _n(chain["first"])
    )
    other.add_row(
        f"chain ({chain['chains']}): judge last {settings['seconds']:g} s", _n(chain["last"])
    )
    other.add_row("sources: judge on their prompts", _n(summary["sources"]))
    return [seams, remix, other]
