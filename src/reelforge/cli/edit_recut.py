"""`reelforge recut CLIP --start 1 --end 3 [--regenerate 1.5:2 --prompt ...] [--extend-end 2]`."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import typer

from reelforge.cli import edit_extend as common
from reelforge.cli.edit_stitch import (
    IDENTITY,
    WATERMARK_KEY,
    check_out,
    echo_continuity,
    write_signed,
)
from reelforge.cli.errors import user_errors

PROMPT = typer.Option("", "--prompt", help="What the new frames should show.")


def recut_command(
    clip_path: Path = typer.Argument(..., metavar="CLIP", help="The clip (MP4, MOV, ...)."),
    out: Path = typer.Option(..., "--out", help="Where to write the MP4."),
    start: float = typer.Option(0.0, "--start", help="Seconds: where the re-cut starts."),
    end: float | None = typer.Option(None, "--end", help="Seconds: where it ends (default: end)."),
    regenerate: str | None = typer.Option(
        None,
        "--regenerate",
        help="A:B seconds (of the source, inside --start..--end) to make again, the frames "
        "around them given.",
    ),
    extend_start: float = typer.Option(
        0.0, "--extend-start", min=0.0, help="Seconds to generate before the start."
    ),
    extend_end: float = typer.Option(
        0.0, "--extend-end", min=0.0, help="Seconds to generate after the end."
    ),
    prompt: str = PROMPT,
    seed: int = common.SEED,
    steps: int | None = common.STEPS,
    guidance: float | None = common.GUIDANCE,
    negative: str = common.NEGATIVE,
    expand: bool = common.EXPAND,
    engine: str = common.ENGINE,
    weights: Path | None = common.WEIGHTS,
    config: Path | None = common.CONFIG,
    consent: bool = common.CONSENT,
    identity: Path | None = IDENTITY,
    watermark_key: str | None = WATERMARK_KEY,
) -> None:
    """Trim a clip to a span; optionally make a part of it again, or extend its ends.

    Times are seconds of the source clip, rounded to the nearest frame; the sound is
    cut at the same instants. --regenerate makes the frames of A:B again with the
    frames around them given (the engine's inpaint mode); --extend-start/--extend-end
    continue the trimmed clip (the engine's extend mode), with silence under the new
    frames. Clips of any size and frame rate work: new frames are made at the engine's
    size and rate and brought back. A trim alone needs no engine.

    Example: reelforge recut clip.mp4 --start 1 --end 3 --out middle.mp4

    Example: reelforge recut clip.mp4 --start 1 --end 3 --regenerate 1.5:2.0
    --prompt "a blue ball bounces" --extend-end 2 --out x.mp4
    """
    from reelforge.edit.recut import recut
    from reelforge.media import read_clip

    with user_errors():
        check_out(out, [clip_path])
        span = _span(regenerate) if regenerate is not None else None
        clip = read_clip(clip_path)
        generating = span is not None or extend_start > 0 or extend_end > 0
        maker = (
            common.load_engine(engine, weights, config, [prompt], [clip], consent)
            if generating
            else None
        )
        settings = common.sampling(seed, steps, guidance, negative, expand)
        with common.progress_bar() if generating else nullcontext() as report:  # a trim: no bar
            result = recut(
                clip, start, end, engine=maker, regenerate_span=span, extend_start=extend_start,
                extend_end=extend_end, prompt=prompt, sampling=settings, on_progress=report,
            )  # fmt: skip
        echo_continuity(result)
        path = write_signed(result, out, "edit", [clip_path], identity, watermark_key)
    typer.echo(f"wrote {path} ({result.num_frames} frames, {result.duration:g} s)")


def _span(text: str) -> tuple[float, float]:
    """ "1.5:2.0" → (1.5, 2.0)."""
    from reelforge.types import InvalidInputError

    try:
        a, b = (float(part) for part in text.split(":"))
    except ValueError:
        raise InvalidInputError(
            f"bad span {text!r}", param="regenerate", hint="use START:END seconds, e.g. 1.5:2.0"
        ) from None
    return a, b
