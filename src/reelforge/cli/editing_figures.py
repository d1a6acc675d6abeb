"""`reelforge bench editing`: every edit of reelforge.edit run on held-out world prompts
and measured (the figures of docs/EDITING.md).

    prompt k   scene = sample_scene(first_seed + k), its first short prompt
    source k   the engine's clip of prompt k (16:9, `seconds` long, seed k): what a user
               edits after `reelforge generate`; clip B of a two-clip edit is source k+1
    world k    the renderer's clip of scene k (same size and length): an upload with
               real motion, the input of remix (its object tracks are the reference
               paths) and of fill (frames are damaged on purpose, the original is truth)

Each operation is a function (case, next case, engine, config) -> (figures, strip rows);
the strips are drawn for prompt 0 only. Continuity is the seam ratio of edit.seams at the
joins each edit records (metadata["edit"]["joins"]; a loop is also measured played twice,
across its repeat, and a storyboard at its cut card, which is meant to show). `run_editing`
returns the report: settings, one row per prompt, the chains and a summary.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from reelforge.cli.editing_measures import (
    judged,
    motion_kept,
    object_tracks,
    psnr,
    seam_figures,
    step_ratio,
)
from reelforge.cli.editing_strips import Row, around, evenly
from reelforge.edit import (
    STRENGTHS,
    TRANSITIONS,
    Card,
    Sampling,
    Storyboard,
    extend,
    fill_frames,
    loop,
    mix,
    recut,
    remix,
    render_storyboard,
    stitch,
    transition,
)
from reelforge.edit.extend import Canvas
from reelforge.engines.base import Engine
from reelforge.evaluate import parse_prompt
from reelforge.prompting import expand_prompt
from reelforge.types import Clip, GenerationSpec, InvalidInputError
from reelforge.world.captions import short_prompts
from reelforge.world.clip import render_clip
from reelforge.world.sampler import EVAL_SEED_START, sample_scene
from reelforge.world.scene import Lighting, Scene

ASPECT = "16:9"
DARK = ("sunset", "night")  # a remix of a scene lit so turns it to noon, others to night
MIX_STRENGTH = 0.6  # `reelforge blend --mode mix`'s default
BLEND_SECONDS = 1.0  # the transition's and the loop's bridge (their commands' default)
STITCH_SECONDS = 0.5  # dissolve and fade length, match-cut search window


@dataclass(frozen=True)
class EditingConfig:
    """What to measure; steps and guidance None are the engine's defaults."""

    prompts: int = 4
    first_seed: int = EVAL_SEED_START
    seconds: float = 4.0  # each source clip, and the judged ends of a chain
    extend_seconds: float = 2.0
    chains: int = 1
    chain_seconds: float = 60.0
    chain_step: float = 4.0
    steps: int | None = None
    guidance: float | None = None

    def __post_init__(self) -> None:
        checks = [
            (self.prompts >= 2, f"--prompts must be at least 2 (a blend needs two); got {self.prompts}"),
            (self.first_seed >= 0, f"--first-seed must be >= 0; got {self.first_seed}"),
            (self.seconds >= 2, f"--seconds must be at least 2; got {self.seconds:g}"),
            (self.extend_seconds > 0, f"--extend-seconds must be positive; got {self.extend_seconds:g}"),
            (0 <= self.chains <= self.prompts, f"--chains must be 0..--prompts; got {self.chains}"),
            (self.chain_step > 0, f"--chain-step must be positive; got {self.chain_step:g}"),
            (self.chain_seconds > self.seconds + self.chain_step - 1e-6,
             "--chain-seconds must be at least --seconds + --chain-step"),
        ]  # fmt: skip
        for ok, message in checks:
            if not ok:
                raise InvalidInputError(message, param=message.split()[0].lstrip("-"))


@dataclass
class Case:
    """One held-out prompt and the clips made from it."""

    k: int
    scene: Scene
    prompt: str
    source: Clip
    world: Clip

    @property
    def colours(self) -> list[str]:
        return sorted({o.color for o in parse_prompt(self.prompt).objects if o.color})


Figures = dict[str, Any]
Operation = Callable[[Case, Case, Engine, EditingConfig], tuple[Figures, list[Row]]]


@functools.lru_cache(maxsize=256)
def _expanded(prompt: str) -> str:
    return expand_prompt(prompt).expanded


def sampling(config: EditingConfig, k: int) -> Sampling:
    """As the edit commands sample by default (--expand): prompt k's seed is k."""
    return Sampling(seed=k, steps=config.steps, guidance=config.guidance, expand=_expanded)


def _unexpanded(config: EditingConfig, k: int) -> Sampling:
    """Recut's and fill's sampling: seed k and the steps only (the prompt as written, the
    engine's own guidance), so their figures stay the ones docs/EDITING.md reports."""
    return Sampling(seed=k, steps=config.steps)


def make_case(engine: Engine, config: EditingConfig, k: int) -> Case:
    """Prompt k, the engine's clip of it and the renderer's."""
    scene = sample_scene(config.first_seed + k)
    prompt = short_prompts(scene, 1)[0]
    width, height = engine.capabilities.default_size(ASPECT)
    fps = engine.capabilities.fps[0]
    frames = max(1, round(config.seconds * fps))
    spec = GenerationSpec(
        prompt, width=width, height=height, num_frames=frames, fps=fps, seed=k,
        steps=config.steps, guidance=config.guidance, expanded_prompt=_expanded(prompt),
    )  # fmt: skip
    source = engine.generate(spec)
    world = render_clip(scene, width, height, fps, config.seconds, audio=False)
    return Case(k, scene, prompt, source, world.with_(metadata={"prompt": prompt}))


def _made(total: int, *spans: tuple[int, int]) -> np.ndarray:
    """bool per frame: True inside the [start, end) spans."""
    mask = np.zeros(total, dtype=bool)
    for start, end in spans:
        mask[start:end] = True
    return mask


# ---------------------------------------------------------------------------
# Extend, loop, blend
# ---------------------------------------------------------------------------


def extend_forward(case: Case, other: Case, engine: Engine, config: EditingConfig):
    made = extend(case.source, engine, config.extend_seconds, prompt=case.prompt,
                  sampling=sampling(config, case.k))  # fmt: skip
    n = case.source.num_frames
    new = _made(made.num_frames, (n, made.num_frames))
    rows = [
        Row(f"source, then {config.extend_seconds:g} s made after it", made.frames,
            evenly(6, made.num_frames), new),
        Row("around the join", made.frames, around(n, made.num_frames), new),
    ]  # fmt: skip
    return {"seams": seam_figures(made, made.metadata["edit"]["joins"])}, rows


def extend_backward(case: Case, other: Case, engine: Engine, config: EditingConfig):
    made = extend(case.source, engine, config.extend_seconds, backward=True,
                  prompt=case.prompt, sampling=sampling(config, case.k))  # fmt: skip
    added = made.num_frames - case.source.num_frames
    new = _made(made.num_frames, (0, added))
    rows = [
        Row(f"{config.extend_seconds:g} s made before the source", made.frames,
            evenly(6, made.num_frames), new),
        Row("around the join", made.frames, around(added, made.num_frames), new),
    ]  # fmt: skip
    return {"seams": seam_figures(made, made.metadata["edit"]["joins"])}, rows


def loop_op(case: Case, other: Case, engine: Engine, config: EditingConfig):
    """The bridge's two ends: out of the clip, and back into frame 0 on repeat (measured
    on the loop played twice)."""
    made = loop(case.source, engine, BLEND_SECONDS, prompt=case.prompt,
                sampling=sampling(config, case.k))  # fmt: skip
    n, total = case.source.num_frames, made.num_frames
    twice = np.concatenate([made.frames, made.frames])
    joins = made.metadata["edit"]["joins"]  # into the bridge; played twice, the repeat
    joins = [*joins, [total, total], *([j + total for j in join] for join in joins)]
    seams = seam_figures(Clip(twice, made.fps), joins)
    new = np.tile(_made(total, (n, total)), 2)
    rows = [
        Row("source, then the 1 s bridge", made.frames, evenly(6, total), new[:total]),
        Row(f"on repeat (frame {total} is frame 0 again)", twice, around(total, 2 * total), new),
    ]
    return {"seams": {"into the bridge": seams[0], "on repeat": seams[1]}}, rows


def transition_op(case: Case, other: Case, engine: Engine, config: EditingConfig):
    made = transition(case.source, other.source, engine, BLEND_SECONDS,
                      sampling=sampling(config, case.k))  # fmt: skip
    start, end = made.metadata["edit"]["bridge"]
    seams = seam_figures(made, made.metadata["edit"]["joins"])
    new = _made(made.num_frames, (start, end))
    picks = evenly(6, end - start + 4)
    rows = [
        Row("A, the 1 s bridge, B", made.frames, evenly(6, made.num_frames), new),
        Row("across the bridge", made.frames, [start - 2 + i for i in picks], new),
    ]
    return {"seams": {"A into the bridge": seams[0], "the bridge into B": seams[1]}}, rows


def mix_op(case: Case, other: Case, engine: Engine, config: EditingConfig):
    """A mix starts as A and ends as B: its first and last halves judged against both
    prompts; its largest frame step against its median one (no join to measure)."""
    made = mix(case.source, other.source, engine, MIX_STRENGTH, sampling=sampling(config, case.k))
    half = made.num_frames // 2
    first, last = made.with_(frames=made.frames[:half]), made.with_(frames=made.frames[half:])
    scores = {
        f"{part} on {name}": judged(clip, prompt)["overall"]
        for part, clip in (("first half", first), ("last half", last))
        for name, prompt in (("A", case.prompt), ("B", other.prompt))
    }
    every = _made(made.num_frames, (0, made.num_frames))
    rows = [
        Row("A", case.source.frames, evenly(6, case.source.num_frames)),
        Row(f"mix at {MIX_STRENGTH:g}", made.frames, evenly(6, made.num_frames), every),
        Row("B", other.source.frames, evenly(6, other.source.num_frames)),
    ]
    return {"judge": scores, "step_ratio": step_ratio(made)}, rows


# ---------------------------------------------------------------------------
# Storyboard, stitch, recut, fill
# ---------------------------------------------------------------------------


def storyboard_op(case: Case, other: Case, engine: Engine, config: EditingConfig):
    """Three 2 s cards: prompt k, another prompt of the same scene that continues it, and
    prompt k+1 after a cut."""
    width, height = case.source.width, case.source.height
    again = [*short_prompts(case.scene, 2), case.prompt][1]
    board = Storyboard(
        (Card(case.prompt, 2.0), Card(again, 2.0), Card(other.prompt, 2.0, cut=True)),
        size=(width, height),
    )
    made = render_storyboard(board, engine, sampling=sampling(config, case.k))
    cards = made.metadata["edit"]["cards"]
    (cont, _), (cut, _) = cards[1]["frames"], cards[2]["frames"]
    (continuing,) = made.metadata["edit"]["joins"]  # the cut is meant to show: not a join
    seams = seam_figures(made, [continuing, [cut, cut]])
    every = _made(made.num_frames, (0, made.num_frames))
    rows = [
        Row("three cards: continue, then cut", made.frames, evenly(6, made.num_frames), every),
        Row("around the continuing card", made.frames, around(cont, made.num_frames), every),
    ]
    return {"seams": {"continuing card": seams[0], "cut card": seams[1]}, "cards": cards}, rows


def stitch_op(case: Case, other: Case, engine: Engine, config: EditingConfig):
    """Sources k and k+1 joined by every transition (no engine)."""
    figures, rows = {}, []
    for name in TRANSITIONS:
        made = stitch([case.source, other.source], name, STITCH_SECONDS)
        (start, end), *_ = made.metadata["edit"]["joins"]
        figures[name] = seam_figures(made, [[start, end]])[0]
        if name == "match":
            figures[name]["match"] = made.metadata["edit"]["matches"][0]
        blended = _made(made.num_frames, (start, end)) if end > start else None
        span = np.arange(max(0, start - 3), min(made.num_frames, end + 4))
        picks = span[np.linspace(0, len(span) - 1, min(6, len(span))).round().astype(int)]
        rows.append(Row(name, made.frames, picks.tolist(), blended))
    return {"seams": figures}, rows


RECUT = dict(start=0.5, end=3.5, regenerate=(1.5, 2.0), extend_end=1.0)  # seconds


def recut_op(case: Case, other: Case, engine: Engine, config: EditingConfig):
    """Keep 0.5-3.5 s, make 1.5-2.0 s again, add 1 s after the end."""
    end = min(RECUT["end"], case.source.duration)
    made = recut(case.source, RECUT["start"], end, engine=engine,
                 regenerate_span=RECUT["regenerate"], extend_end=RECUT["extend_end"],
                 prompt=case.prompt, sampling=_unexpanded(config, case.k))  # fmt: skip
    edit = made.metadata["edit"]
    a, b = edit["regenerated_frames"]
    after = edit["extended"][1]
    new = _made(made.num_frames, (a, b), (made.num_frames - after, made.num_frames))
    seams = seam_figures(made, edit["joins"])
    rows = [
        Row("source", case.source.frames, evenly(6, case.source.num_frames)),
        Row("re-cut: 0.5-3.5 s, 1.5-2.0 s made again, +1 s", made.frames,
            evenly(6, made.num_frames), new),
        Row("around the regenerated span", made.frames, around(a, made.num_frames, 2, b - a + 2),
            new),
    ]  # fmt: skip
    return {"seams": seams, "joins": edit["joins"]}, rows


def damage(clip: Clip, seed: int) -> tuple[Clip, dict[int, str]]:
    """The clip with a black frame, a two-frame freeze and a frame of noise, and where."""
    t = clip.num_frames
    black, frozen, corrupt = t // 4, t // 2, (3 * t) // 4
    frames = clip.frames.copy()
    frames[black] = 0
    frames[frozen : frozen + 2] = frames[frozen - 1]
    frames[corrupt] = np.random.default_rng(seed).integers(0, 256, frames[corrupt].shape)
    planted = {black: "black", frozen: "frozen", frozen + 1: "frozen", corrupt: "corrupt"}
    return clip.with_(frames=frames), planted


def fill_op(case: Case, other: Case, engine: Engine, config: EditingConfig):
    """The world clip damaged on purpose, then `fill --detect`: what was found, and how
    close the filled frames come to the undamaged ones."""
    broken, planted = damage(case.world, case.k)
    made = fill_frames(broken, engine, detect=True, prompt=case.prompt,
                       sampling=_unexpanded(config, case.k))  # fmt: skip
    filled = {f["frame"]: f["reason"] for f in made.metadata["edit"]["filled"]}
    hit = sorted(set(filled) & set(planted))
    truth = case.world.frames
    figures = {
        "planted": {str(i): why for i, why in planted.items()},
        "found": {str(i): why for i, why in filled.items()},
        "recall": round(len(hit) / len(planted), 3),
        "extra": len(set(filled) - set(planted)),
        "psnr_damaged": psnr(broken.frames[list(planted)], truth[list(planted)]),
        "psnr_filled": psnr(made.frames[list(planted)], truth[list(planted)]),
        "seams": seam_figures(made, made.metadata["edit"]["joins"]),
    }
    picks = sorted({j for i in planted for j in (i - 1, i, i + 1) if 0 <= j < made.num_frames})
    new = _made(made.num_frames, *((i, i + 1) for i in filled))
    rows = [
        Row("damaged: black, frozen x2, noise", broken.frames, picks, _made(len(truth), *((i, i + 1) for i in planted))),
        Row("filled (fill --detect)", made.frames, picks, new),
        Row("the undamaged original", truth, picks),
    ]  # fmt: skip
    return figures, rows


# ---------------------------------------------------------------------------
# Remix
# ---------------------------------------------------------------------------


def remix_prompt(scene: Scene, prompt: str) -> str:
    """A prompt of the same scene at another time of day (night, or noon for a scene at
    sunset or night) that names every object `prompt` names."""
    when = "noon" if scene.lighting.start in DARK else "night"
    relit = scene.model_copy(update={"lighting": Lighting(start=when)})
    wanted = {(o.color, o.shape) for o in parse_prompt(prompt).objects}
    candidates = short_prompts(relit, 16)
    timed = [c for c in candidates if parse_prompt(c).time_of_day == when]
    full = [c for c in timed if wanted <= {(o.color, o.shape) for o in parse_prompt(c).objects}]
    return (full or timed or [f"{prompt}, at {when}"])[0]


def _remix_figures(reference: dict, clip: Clip, prompt: str) -> Figures:
    """The judge on the new prompt, and how `clip` follows the source's `reference` tracks."""
    scores = judged(clip, prompt)
    return {
        "judge_new": scores["overall"],
        "time_of_day": scores["metrics"].get("time_of_day"),
        "motion": motion_kept(reference, clip, clip.num_frames),
    }


def remix_op(case: Case, other: Case, engine: Engine, config: EditingConfig):
    """The world clip remixed to another time of day at each named strength, beside the
    world clip itself and a fresh clip of the new prompt (no source: the paths a remix
    would have if it kept nothing)."""
    new = remix_prompt(case.scene, case.prompt)
    reference = object_tracks(case.world, case.colours)
    figures: Figures = {"new_prompt": new, "source": _remix_figures(reference, case.world, new)}
    figures["source"]["judge_own"] = judged(case.world, case.prompt)["overall"]
    rows = [Row("source (the world's clip)", case.world.frames, evenly(6, case.world.num_frames))]
    every = _made(case.world.num_frames, (0, case.world.num_frames))
    for name in STRENGTHS:
        made = remix(case.world, engine, new, name, sampling=sampling(config, case.k))
        figures[name] = _remix_figures(reference, made, new)
        rows.append(
            Row(f"{name} ({STRENGTHS[name]:g})", made.frames, evenly(6, made.num_frames), every)
        )
    spec = sampling(config, case.k).spec(new, _canvas(case.world), case.world.num_frames)
    fresh = engine.generate(spec)
    figures["fresh"] = _remix_figures(reference, fresh, new)
    rows.append(
        Row("fresh clip of the new prompt", fresh.frames, evenly(6, fresh.num_frames), every)
    )
    return figures, rows


def _canvas(clip: Clip) -> Canvas:
    return Canvas(clip.width, clip.height, clip.fps)


OPERATIONS: dict[str, Operation] = {
    "remix": remix_op,
    "recut": recut_op,
    "extend forward": extend_forward,
    "extend backward": extend_backward,
    "loop": loop_op,
    "blend transition": transition_op,
    "blend mix": mix_op,
    "fill": fill_op,
    "storyboard": storyboard_op,
    "stitch": stitch_op,
}
