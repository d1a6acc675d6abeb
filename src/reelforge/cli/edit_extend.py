"""`reelforge extend CLIP --seconds 4 --out longer.mp4`: generated frames after a clip's end
(or before its start), and what every generating edit command shares.

The shared part: the options every such command takes (engine, sampling, signing), the
checks before any work (the prompt; faces in the input clips need --consent), a progress
bar, and writing the result as `reelforge generate` does: invisibly marked, encoded, and
signed with Content Credentials naming the input files as its sources.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import typer

from reelforge.cli import generate as gen
from reelforge.cli.errors import user_errors

# -- options every generating edit command takes ------------------------------------------

ENGINE = typer.Option(
    "native",
    "--engine",
    help="Which engine makes the new frames: an \\[engines.NAME] table of --config, or a "
    "kind (native, ltx, wan; `reelforge engines list`).",
)
WEIGHTS = typer.Option(
    None, "--weights", help="The engine's weights folder (native: default the shipped one)."
)
CONFIG = typer.Option(None, "--config", help="A studio TOML file with \\[engines.NAME] tables.")
SEED = typer.Option(0, "--seed", help="The same seed gives the same result.")
STEPS = typer.Option(None, "--steps", min=1, help="Sampling steps.")
GUIDANCE = typer.Option(None, "--guidance", min=0.0, help="CFG scale.")
NEGATIVE = typer.Option("", "--negative", help="What the new frames should not show.")
EXPAND = typer.Option(
    True, "--expand/--no-expand", help="Rewrite prompts in the model's caption style."
)
IDENTITY = typer.Option(
    None,
    "--identity",
    envvar="REELFORGE_IDENTITY",
    help="The signing identity folder (made on first use). `reelforge verify` checks it.",
)
WATERMARK_KEY = typer.Option(
    None,
    "--watermark-key",
    envvar="REELFORGE_WATERMARK_KEY",
    help="The invisible watermark's key (default: reelforge's built-in one).",
)
CONSENT = typer.Option(
    False, "--consent", help="Attest that people shown in the input clips agreed to appear."
)


def sampling(seed: int, steps: int | None, guidance: float | None, negative: str, expand: bool):
    """The edit's Sampling; each distinct prompt's expansion is shown once."""
    from reelforge.edit.extend import Sampling

    rewrite = functools.lru_cache(maxsize=None)(gen._expand) if expand else None
    return Sampling(seed, steps, guidance, negative, rewrite)


def read_input(path: Path, param: str = "clip"):
    """An input clip (any size and fps; MP4, MOV, WebM, GIF, an image, ...)."""
    from reelforge.media import read_clip
    from reelforge.types import MediaError

    try:
        return read_clip(path)
    except MediaError as e:
        raise MediaError(f"{path} could not be read: {e.message}", param=param) from None


def moderate(prompts: Sequence[str], clips: Sequence, consent: bool) -> None:
    """Before any work: every prompt, then faces in every input clip (they need consent)."""
    from reelforge.safety import Moderator

    moderator = Moderator.from_config()
    for prompt in prompts:
        if prompt:
            moderator.check_prompt(prompt).raise_if_blocked()
    for clip in clips:
        decision = moderator.check_upload(clip.frames, consent)
        if decision.blocked:
            error = decision.error()
            error.param = "clip"
            raise error


def load_engine(
    engine: str, weights, config, prompts: Sequence[str], clips: Sequence, consent: bool
):
    """The engine that makes an edit's new frames, after the checks before any work on
    its prompts and input clips (`moderate`)."""
    maker = gen._engine(engine, weights, config)
    moderate(prompts, clips, consent)
    return maker


@contextmanager
def progress_bar() -> Iterator[Callable[[float, str], None]]:
    """An on_progress callback drawing a bar on stderr."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        "[progress.percentage]{task.percentage:>3.0f}%",
        TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as bar:
        task = bar.add_task("starting", total=1.0)
        yield lambda done, message: bar.update(task, completed=done, description=message)


def publish(clip, out: Path, maker, kind: str, sources: Sequence[Path], identity, key) -> Path:
    """Mark, write and sign the result (a C2PA clip of `kind` that `maker` made from
    `sources`); says how continuous its joins are (if it recorded any) and how to check
    each."""
    from reelforge.cli.edit_stitch import echo_continuity, write_signed

    echo_continuity(clip)
    path = write_signed(clip, out, kind, list(sources), identity, key, engine=maker.name)
    typer.echo(f"wrote {path} ({clip.num_frames} frames, {clip.duration:.2f} s)")
    return path


# -- the command --------------------------------------------------------------------------


def extend_command(
    clip: Path = typer.Argument(..., help="The clip to extend (any size and fps)."),
    out: Path = typer.Option(..., "--out", help="Where to write the MP4."),
    seconds: float = typer.Option(4.0, "--seconds", help="Seconds added per extension."),
    backward: bool = typer.Option(
        False, "--backward", help="Add frames before the first one instead of after the last."
    ),
    prompt: str = typer.Option(
        "", "--prompt", help="What the new frames show (default: continue the picture alone)."
    ),
    times: int = typer.Option(1, "--times", min=1, help="Extend this many times in a row."),
    total: float | None = typer.Option(
        None, "--total", help="Extend until the clip is at least this many seconds long."
    ),
    engine: str = ENGINE,
    weights: Path | None = WEIGHTS,
    config: Path | None = CONFIG,
    seed: int = SEED,
    steps: int | None = STEPS,
    guidance: float | None = GUIDANCE,
    negative: str = NEGATIVE,
    expand: bool = EXPAND,
    consent: bool = CONSENT,
    identity: Path | None = IDENTITY,
    watermark_key: str | None = WATERMARK_KEY,
) -> None:
    """Extend a clip forward (or --backward) by generated frames that continue its end
    (lead into its start). Each extension is conditioned on the frames before it, so a
    long chain (--times, --total) stays continuous. The clip's own frames, size, fps and
    sound are kept (silence under the new frames). Signed and marked like `generate`.

    Example: reelforge extend ball.mp4 --seconds 4 --prompt "the ball rolls on" --out longer.mp4

    Example (a minute from 4 s steps): reelforge extend ball.mp4 --seconds 4 --total 60 --out minute.mp4

    Example: reelforge extend ball.mp4 --seconds 2 --backward --out earlier.mp4
    """
    from reelforge.edit.extend import extend, steps_to_reach

    with user_errors():
        source = read_input(clip)
        if total is not None:
            times = steps_to_reach(source, seconds, total)
        maker = load_engine(engine, weights, config, [prompt], [source], consent)
        settings = sampling(seed, steps, guidance, negative, expand)
        with progress_bar() as report:
            result = extend(
                source,
                maker,
                seconds,
                backward=backward,
                prompt=prompt or None,
                times=times,
                sampling=settings,
                on_progress=report,
            )
        publish(result, out, maker, "extend", [clip], identity, watermark_key)
