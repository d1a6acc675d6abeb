"""The whole `reelforge bench editing` run: cases, every operation on each, the long
extension chains, the summary, and report.json with strips/*.png.

A chain extends a source by `chain_step` seconds at a time (each step given the one
before's frames) until it is `chain_seconds` long; its first and last `seconds` are
judged against the source's prompt, and every join between steps is a seam. Chains start
from the sources the judge scores highest: a chain measures what is lost on the way.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from reelforge.cli.editing_figures import (
    OPERATIONS,
    Case,
    EditingConfig,
    make_case,
    sampling,
)
from reelforge.cli.editing_measures import AIM, judged, ratio_summary, seam_figures, step_ratio
from reelforge.cli.editing_strips import Row, evenly, save_small, strip
from reelforge.edit import STRENGTHS, TRANSITIONS, extend, steps_to_reach
from reelforge.engines.base import Engine

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]


def chain(case: Case, engine: Engine, config: EditingConfig) -> tuple[dict[str, Any], list[Row]]:
    """Source k extended to `chain_seconds` (module doc)."""
    source = case.source
    times = steps_to_reach(source, config.chain_step, config.chain_seconds)
    made = extend(source, engine, config.chain_step, times=times, prompt=case.prompt,
                  sampling=sampling(config, case.k))  # fmt: skip
    step = (made.num_frames - source.num_frames) // times
    joins = [[source.num_frames + i * step] * 2 for i in range(times)]
    window = source.num_frames
    first, last = made.frames[:window], made.frames[-window:]
    figures = {
        "seconds": round(made.duration, 3),
        "steps": times,
        "first": judged(made.with_(frames=first), case.prompt),
        "last": judged(made.with_(frames=last), case.prompt),
        "seams": seam_figures(made, joins),
    }
    new = np.r_[
        np.zeros(source.num_frames, bool), np.ones(made.num_frames - source.num_frames, bool)
    ]
    every = round(10 * made.fps)
    rows = [
        Row(f"first {config.seconds:g} s (the source)", made.frames, evenly(6, window), new),
        Row(f"last {config.seconds:g} s", made.frames,
            [made.num_frames - window + i for i in evenly(6, window)], new),
        Row("every 10 s", made.frames, [*range(0, made.num_frames - every // 2, every), made.num_frames - 1], new),
    ]  # fmt: skip
    return figures, rows


# ---------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------

# continuity rows: (name, operation, how to find that join's seams in its figures)
HELD_TO_AIM = {
    "extend forward": ("extend forward", lambda f: f["seams"]),
    "extend backward": ("extend backward", lambda f: f["seams"]),
    "loop: into the bridge": ("loop", lambda f: [f["seams"]["into the bridge"]]),
    "loop: on repeat": ("loop", lambda f: [f["seams"]["on repeat"]]),
    "transition: A into the bridge": ("blend transition", lambda f: [f["seams"]["A into the bridge"]]),
    "transition: the bridge into B": ("blend transition", lambda f: [f["seams"]["the bridge into B"]]),
    "storyboard: continuing card": ("storyboard", lambda f: [f["seams"]["continuing card"]]),
    "recut: made spans": ("recut", lambda f: f["seams"]),
    "fill: filled frames": ("fill", lambda f: f["seams"]),
}  # fmt: skip
REFERENCE = {
    "storyboard: cut card": ("storyboard", lambda f: [f["seams"]["cut card"]]),
    **{f"stitch: {t}": ("stitch", lambda f, t=t: [f["seams"][t]]) for t in TRANSITIONS},
}


def _ratios(rows: list[dict], operation: str, pick) -> list[float]:
    return [s["ratio"] for r in rows for s in pick(r["operations"][operation])]


def _mean(values) -> float | None:
    present = [v for v in values if v is not None]
    return round(float(np.mean(present)), 4) if present else None


def summarise(rows: list[dict], chains: list[dict], config: EditingConfig) -> dict[str, Any]:
    """Per continuity row its ratio summary; remix, mix, fill and chain means."""
    continuity = {
        name: ratio_summary(_ratios(rows, op, pick)) for name, (op, pick) in HELD_TO_AIM.items()
    }
    if chains:
        continuity[f"{config.chain_seconds:g} s chain: between steps"] = ratio_summary(
            s["ratio"] for c in chains for s in c["seams"]
        )
    reference = {
        name: ratio_summary(_ratios(rows, op, pick)) for name, (op, pick) in REFERENCE.items()
    }
    # no join at all: a generated clip's own largest frame step over its median one
    reference["source clip: its own largest step"] = ratio_summary(
        r["source_step_ratio"] for r in rows
    )
    remixes = [r["operations"]["remix"] for r in rows]
    remix = {
        kind: {
            "judge_new": _mean(m[kind]["judge_new"] for m in remixes),
            "time_of_day": _mean(m[kind]["time_of_day"] for m in remixes),
            "r": _mean(m[kind]["motion"]["r"] for m in remixes),
            "gap": _mean(m[kind]["motion"]["gap"] for m in remixes),
            "objects_correlated": sum(m[kind]["motion"]["correlated"] for m in remixes),
            "objects_compared": sum(m[kind]["motion"]["compared"] for m in remixes),
        }
        for kind in ("source", *STRENGTHS, "fresh")
    }
    mixes = [r["operations"]["blend mix"] for r in rows]
    fills = [r["operations"]["fill"] for r in rows]
    return {
        "aim": AIM,
        "continuity": continuity,
        "reference": reference,
        "remix": remix,
        "mix": {
            **{key: _mean(m["judge"][key] for m in mixes) for key in mixes[0]["judge"]},
            "step_ratio": _mean(m["step_ratio"] for m in mixes),
        },
        "fill": {
            "planted": sum(len(f["planted"]) for f in fills),
            "found": sum(round(f["recall"] * len(f["planted"])) for f in fills),
            "extra": sum(f["extra"] for f in fills),
            "psnr_damaged": _mean(f["psnr_damaged"] for f in fills),
            "psnr_filled": _mean(f["psnr_filled"] for f in fills),
        },
        "chain": {
            "chains": len(chains),
            "first": _mean(c["first"]["overall"] for c in chains),
            "last": _mean(c["last"]["overall"] for c in chains),
        },
        "sources": _mean(r["source_judge"] for r in rows),
    }


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------


def run_editing(
    engine: Engine,
    config: EditingConfig,
    out: Path | None = None,
    *,
    context: dict[str, Any] | None = None,
    on_progress: Progress | None = None,
) -> dict[str, Any]:
    """Every operation on every prompt, then the chains; writes report.json and (for
    prompt 0) strips/*.png into `out` when given. Returns {"meta", "summary", "rows",
    "chains"}."""
    progress = on_progress or (lambda done, total, message: None)
    total = config.prompts * (1 + len(OPERATIONS)) + config.chains
    done, start = 0, time.perf_counter()
    strips: dict[str, tuple[str, list[Row]]] = {}  # operation: (title, rows)

    def step(message: str, began: float) -> None:
        nonlocal done
        done += 1
        logger.info("%s: %.1f s", message, time.perf_counter() - began)
        progress(done, total, f"{message} ({time.perf_counter() - began:.1f} s)")

    cases = []
    for k in range(config.prompts):
        began = time.perf_counter()
        cases.append(make_case(engine, config, k))
        step(f"prompt {k}: source clip", began)
    rows = []
    for case in cases:
        other = cases[(case.k + 1) % len(cases)]
        row = {
            "scene_seed": config.first_seed + case.k,
            "prompt": case.prompt,
            "next_prompt": other.prompt,
            "source_judge": judged(case.source, case.prompt)["overall"],
            "source_step_ratio": step_ratio(case.source),
            "operations": {},
            "seconds": {},
        }
        for name, operation in OPERATIONS.items():
            began = time.perf_counter()
            figures, strip_rows = operation(case, other, engine, config)
            row["operations"][name] = figures
            row["seconds"][name] = round(time.perf_counter() - began, 2)
            if case.k == 0:
                strips[name] = (_title(name, case, figures), strip_rows)
            step(f"prompt {case.k}: {name}", began)
        rows.append(row)
    chains = []
    for case in _chained(cases, rows, config.chains):
        began = time.perf_counter()
        figures, strip_rows = chain(case, engine, config)
        chains.append({"scene_seed": config.first_seed + case.k, "prompt": case.prompt,
                       **figures, "wall_s": round(time.perf_counter() - began, 2)})  # fmt: skip
        if len(chains) == 1:
            name = f"{config.chain_seconds:g} s chain"
            strips[name] = (_title(name, case, figures), strip_rows)
        step(f"prompt {case.k}: {config.chain_seconds:g} s chain", began)
    meta = {
        "settings": asdict(config),
        "engine": engine.name,
        "model": cases[0].source.metadata.get("model", engine.name),
        "steps": cases[0].source.metadata.get("steps", config.steps),
        "guidance": cases[0].source.metadata.get("guidance", config.guidance),
        **(context or {}),
        "wall_s": round(time.perf_counter() - start, 1),
    }
    report = {
        "meta": meta,
        "summary": summarise(rows, chains, config),
        "rows": rows,
        "chains": chains,
    }
    if out is not None:
        _write(out, report, strips)
    return report


def _chained(cases: list[Case], rows: list[dict], count: int) -> list[Case]:
    """The `count` cases whose sources the judge scores highest (ties: the first): a
    chain measures what is lost along the way, so it starts from what is there to lose."""
    score = {case.k: rows[case.k]["source_judge"] or 0.0 for case in cases}
    return sorted(cases, key=lambda case: (-score[case.k], case.k))[:count]


def strip_name(operation: str) -> str:
    return operation.replace(" ", "-").replace(":", "") + ".png"


def _title(name: str, case: Case, figures: dict) -> str:
    asked = f" -> {figures['new_prompt']}" if "new_prompt" in figures else ""
    return f"{name}  |  scene {case.scene.seed}: {case.prompt}{asked}"


def _write(out: Path, report: dict, strips: dict[str, tuple[str, list[Row]]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for name, (title, rows) in strips.items():
        sizes[strip_name(name)] = save_small(strip(title, rows), out / "strips" / strip_name(name))
    report["meta"]["strips"] = sizes
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
