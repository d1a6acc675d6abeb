"""`reelforge bench quality`: the judge's scores of an engine on held-out prompts, between
a ceiling and a floor.

    prompt k      scene = sample_scene(first_seed + k), its first short prompt; the aspect
                  cycles through the engine's aspects, at the native size
    model         the engine's clip of that prompt (seed k), judged against the prompt
    ceiling       the renderer's own clip of the scene, same size, fps and length
    floor         that renderer clip with its frames shuffled (seed k)

No clip has sound (the model makes none yet), so all three are scored on the same
metrics and sound_sync never applies. `run_quality` writes report.json (settings,
summary, one row per prompt), summary.md and strips/*.png (model frames over renderer
frames) into the output folder.

Beside the judge, each clip's judder ratio (evaluate/judder.py: motion in jerks at the
VAE's 4-frame period; not part of the overall score) and the grid ratio behind the
judge's tile_grid metric (evaluate/tile_grid.py: the transformer's tiles showing as a
grid) are reported.
"""

from __future__ import annotations

import json
import textwrap
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from reelforge.engines.base import Engine
from reelforge.evaluate import judge, parse_prompt
from reelforge.evaluate.judder import judder_ratio
from reelforge.evaluate.report import METRICS, JudgeReport
from reelforge.prompting import expand_prompt
from reelforge.types import Clip, GenerationSpec, InvalidInputError
from reelforge.world.captions import short_prompts
from reelforge.world.clip import render_clip
from reelforge.world.sampler import EVAL_SEED_START, sample_scene

SOURCES = ("model", "ceiling", "floor")
STRIP_FRAMES = 6  # frames per strip row, evenly spaced
STRIP_ROW_MIN = 128  # px: smaller frames are upscaled (nearest) to at least this height
STRIP_BAND = 36  # px of text under each strip
ALL_STRIPS_MAX_BYTES = 1_500_000
NO_AUDIO_NOTE = (
    "No clip has sound (the model makes none yet), so the model, the renderer ceiling and "
    "the shuffled floor are scored on the same picture metrics; sound_sync never applies."
)


@dataclass(frozen=True)
class QualityConfig:
    """What to measure; steps and guidance None are the engine's defaults."""

    prompts: int = 100
    first_seed: int = EVAL_SEED_START
    seconds: float = 4.0
    steps: int | None = None
    guidance: float | None = None
    strips: int = 6

    def __post_init__(self) -> None:
        if self.prompts < 1:
            raise InvalidInputError(
                f"--prompts must be at least 1; got {self.prompts}", param="prompts"
            )
        if self.first_seed < 0:
            raise InvalidInputError(
                f"--first-seed must be >= 0; got {self.first_seed}", param="first-seed"
            )
        if not self.seconds > 0:
            raise InvalidInputError(
                f"--seconds must be positive; got {self.seconds:g}", param="seconds"
            )
        if self.strips < 0:
            raise InvalidInputError(f"--strips must be >= 0; got {self.strips}", param="strips")


# ---------------------------------------------------------------------------
# One prompt: the model, the ceiling and the floor
# ---------------------------------------------------------------------------


def shuffle_frames(clip: Clip, seed: int) -> Clip:
    """The clip with its frames in a seeded random order (never the original order when
    there are two or more frames)."""
    order = np.random.default_rng(seed).permutation(clip.num_frames)
    if clip.num_frames > 1 and (order == np.arange(clip.num_frames)).all():
        order = order[::-1]
    return clip.with_(frames=clip.frames[order], audio=None)


def _scores(report: JudgeReport) -> dict[str, Any]:
    return {"overall": report.overall, "metrics": dict(report.metrics)}


def _spec(engine: Engine, k: int, prompt: str, config: QualityConfig) -> GenerationSpec:
    caps = engine.capabilities
    width, height = caps.default_size(caps.aspects[k % len(caps.aspects)])
    fps = caps.fps[0]
    return GenerationSpec(
        prompt,
        width=width,
        height=height,
        num_frames=max(1, round(config.seconds * fps)),
        fps=fps,
        seed=k,
        steps=config.steps,
        guidance=config.guidance,
        expanded_prompt=expand_prompt(prompt).expanded,
    )


def score_prompt(
    engine: Engine, k: int, config: QualityConfig
) -> tuple[dict[str, Any], Clip, Clip]:
    """Prompt k's row of the report, the model's clip and the renderer's clip."""
    scene = sample_scene(config.first_seed + k)
    prompt = short_prompts(scene, 1)[0]
    spec = _spec(engine, k, prompt, config)
    engine.check(spec)
    t0 = time.perf_counter()
    made = engine.generate(spec)
    t1 = time.perf_counter()
    # the renderer counts frames as the spec does: max(1, round(seconds * fps))
    truth = render_clip(scene, spec.width, spec.height, spec.fps, config.seconds, audio=False)
    t2 = time.perf_counter()
    wanted = parse_prompt(prompt)
    clips = {"model": made.with_(audio=None), "ceiling": truth, "floor": shuffle_frames(truth, k)}
    reports = {source: judge(clip, wanted) for source, clip in clips.items()}
    row = {
        "scene_seed": config.first_seed + k,
        "seed": k,
        "prompt": prompt,
        "expanded_prompt": spec.expanded_prompt,
        "size": [spec.width, spec.height],
        "frames": spec.num_frames,
        **{source: _scores(report) for source, report in reports.items()},
        "judder": {source: _round(judder_ratio(clip.frames)) for source, clip in clips.items()},
        "grid_ratio": {source: report.measured["grid_ratio"] for source, report in reports.items()},
        "generate_s": round(t1 - t0, 3),
        "render_s": round(t2 - t1, 3),
        "judge_s": round(sum(r.seconds for r in reports.values()), 3),
    }
    return row, made, truth


# ---------------------------------------------------------------------------
# Aggregation
# ---------------------------------------------------------------------------


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _mean(values: list[float | None]) -> dict[str, Any]:
    """Mean of the values that are not None, and how many there were."""
    present = [v for v in values if v is not None]
    mean = round(sum(present) / len(present), 4) if present else None
    return {"mean": mean, "applied": len(present)}


def aggregate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per source: the mean overall (a None overall is missing, not 0) and, per metric,
    the mean over the prompts it applied to."""
    out: dict[str, Any] = {"prompts": len(rows)}
    for source in SOURCES:
        overall = _mean([r[source]["overall"] for r in rows])
        overall["missing"] = len(rows) - overall["applied"]
        metrics = {m: _mean([r[source]["metrics"].get(m) for r in rows]) for m in METRICS}
        judder = _mean([r.get("judder", {}).get(source) for r in rows])
        grid = _mean([r.get("grid_ratio", {}).get(source) for r in rows])
        out[source] = {
            "overall": overall,
            "metrics": metrics,
            "judder": judder,
            "grid_ratio": grid,
        }
    return out


def _number(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def summary_rows(summary: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(metric, model, ceiling, floor, prompts applied) as text, overall first. Applied
    counts that differ between the three are shown as model / ceiling / floor."""
    rows = []
    for name in ("overall", *METRICS):
        stats = [
            summary[s]["overall"] if name == "overall" else summary[s]["metrics"][name]
            for s in SOURCES
        ]
        means = [_number(s["mean"], 3) for s in stats]
        counts = {s["applied"] for s in stats}
        applied = (
            " / ".join(str(s["applied"]) for s in stats)
            if len(counts) > 1
            else str(stats[0]["applied"])
        )
        rows.append((name, *means, applied))
    return rows


def settings_line(meta: dict[str, Any]) -> str:
    s = meta["settings"]
    flags = [f"--{key.replace('_', '-')} {value}" for key, value in s.items() if value is not None]
    return " ".join(flags)


def summary_markdown(summary: dict[str, Any], meta: dict[str, Any]) -> str:
    lines = [
        "| metric | model | renderer ceiling | shuffled floor | prompts applied |",
        "|---|---:|---:|---:|---:|",
        *(f"| {' | '.join(row)} |" for row in summary_rows(summary)),
        "",
        "Judder ratio (not in the overall; about 1 for steady motion, up to 4 for motion in "
        "jerks every fourth frame): "
        + ", ".join(f"{source} {_number(summary[source]['judder']['mean'])}" for source in SOURCES)
        + ".",
        "Grid ratio (tile_grid's measure: about 1 for a picture without a grid, 1.5 or more "
        "where the transformer's tiles show): "
        + ", ".join(
            f"{source} {_number(summary[source].get('grid_ratio', {}).get('mean'))}"
            for source in SOURCES
        )
        + ".",
        "",
        f"Settings: `reelforge bench quality {settings_line(meta)}` "
        f"(steps {meta['steps']}, guidance {meta['guidance']}).",
        f"Engine: {meta['engine']}, model {meta['model']}. "
        f"Overall missing (no metric applied): model {summary['model']['overall']['missing']}, "
        f"ceiling {summary['ceiling']['overall']['missing']}, "
        f"floor {summary['floor']['overall']['missing']}.",
        f"Wall time: {meta['wall_s']:.1f} s on {meta['machine']}.",
        "",
        NO_AUDIO_NOTE,
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Strips: the model's frames over the renderer's
# ---------------------------------------------------------------------------


def _row(frames: np.ndarray, picks: np.ndarray, scale: int) -> Image.Image:
    row = np.concatenate([frames[i] for i in picks], axis=1)  # (H, 6*W, 3)
    image = Image.fromarray(row)
    return image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)


def strip_image(model: np.ndarray, truth: np.ndarray, caption: str) -> Image.Image:
    """STRIP_FRAMES evenly spaced frames of the model's clip over the renderer's frames at
    the same indices, with `caption` in a text band below."""
    picks = np.linspace(0, min(len(model), len(truth)) - 1, STRIP_FRAMES).round().astype(int)
    scale = max(1, -(-STRIP_ROW_MIN // model.shape[1]))
    top, bottom = _row(model, picks, scale), _row(truth, picks, scale)
    font = ImageFont.load_default()
    lines = textwrap.wrap(caption, width=max(20, top.width // 6))[:3]
    band = max(STRIP_BAND, 14 * len(lines) + 8)
    image = Image.new("RGB", (top.width, 2 * top.height + band), (255, 255, 255))
    image.paste(top, (0, 0))
    image.paste(bottom, (0, top.height))
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((4, 2 * top.height + 4 + 14 * i), line, fill=(0, 0, 0), font=font)
    return image


def stack_strips(strips: list[Image.Image], max_bytes: int = ALL_STRIPS_MAX_BYTES) -> bytes:
    """The strips one under another as PNG bytes, shrunk until they fit in max_bytes."""
    width = max(s.width for s in strips)
    image = Image.new("RGB", (width, sum(s.height for s in strips)), (255, 255, 255))
    y = 0
    for s in strips:
        image.paste(s, (0, y))
        y += s.height
    while True:
        buffer = BytesIO()
        image.save(buffer, format="PNG")
        if buffer.tell() <= max_bytes or image.width < 64:
            return buffer.getvalue()
        image = image.resize((image.width * 3 // 4, image.height * 3 // 4), Image.Resampling.BOX)


def _caption(k: int, row: dict[str, Any]) -> str:
    model, ceiling = row["model"]["overall"], row["ceiling"]["overall"]
    return (
        f"{k:02d}  model {_number(model)} (renderer {_number(ceiling)}); top: model, "
        f"bottom: renderer.  {row['prompt']}"
    )


# ---------------------------------------------------------------------------
# The whole run
# ---------------------------------------------------------------------------


def run_quality(
    engine: Engine,
    config: QualityConfig,
    out: Path,
    *,
    context: dict[str, Any] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Score `config.prompts` prompts and write report.json, summary.md and strips/ into
    `out`; returns {"meta", "summary", "rows"}. `context` (threads, weights, machine) is
    added to the meta as given."""
    progress = on_progress or (lambda done, total: None)
    start = time.perf_counter()
    rows, strips, first_meta = [], [], {}
    for k in range(config.prompts):
        row, made, truth = score_prompt(engine, k, config)
        rows.append(row)
        first_meta = first_meta or made.metadata
        if k < config.strips:
            strip = strip_image(made.frames, truth.frames, _caption(k, row))
            (out / "strips").mkdir(parents=True, exist_ok=True)  # after a first clip was made
            strip.save(out / "strips" / f"{k:02d}.png")
            strips.append(strip)
        progress(k + 1, config.prompts)
    if strips:
        (out / "strips" / "all.png").write_bytes(stack_strips(strips))
    summary = aggregate(rows)
    meta = {
        "settings": asdict(config) | {k: v for k, v in (context or {}).items() if k != "machine"},
        "engine": engine.name,
        "model": first_meta.get("model", engine.name),
        "steps": first_meta.get("steps", config.steps),
        "guidance": first_meta.get("guidance", config.guidance),
        "machine": (context or {}).get("machine", ""),
        "wall_s": round(time.perf_counter() - start, 1),
        "note": NO_AUDIO_NOTE,
    }
    report = {"meta": meta, "summary": summary, "rows": rows}
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / "summary.md").write_text(summary_markdown(summary, meta))
    return report
