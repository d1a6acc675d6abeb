"""`reelforge fill CLIP [--frames 10,11,12] [--detect] --out FIXED.mp4`."""

from __future__ import annotations

from pathlib import Path

import typer

from reelforge.cli import edit_extend as common
from reelforge.cli.edit_recut import PROMPT
from reelforge.cli.edit_stitch import (
    IDENTITY,
    WATERMARK_KEY,
    check_out,
    echo_continuity,
    write_signed,
)
from reelforge.cli.errors import user_errors


def fill_command(
    clip_path: Path = typer.Argument(..., metavar="CLIP", help="The clip (MP4, MOV, ...)."),
    out: Path = typer.Option(..., "--out", help="Where to write the MP4."),
    frames: str | None = typer.Option(
        None, "--frames", help="Frame indices to make again (from 0), e.g. 10,11,12 or 10-12."
    ),
    detect: bool | None = typer.Option(
        None,
        "--detect/--no-detect",
        help="Also find black, frozen and corrupt frames (default: on without --frames).",
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
    """Make missing or damaged frames again from the frames around them.

    Frames are listed with --frames or found with --detect: black frames in a lit clip,
    frozen runs (a frame repeated, then a jump), lone corrupt frames. Each is made again
    by the engine (inpaint mode, its neighbours given); every other frame and the sound
    are kept. Prints the frames filled; when there is none, nothing is written.

    Example: reelforge fill clip.mp4 --detect --out fixed.mp4

    Example: reelforge fill clip.mp4 --frames 10,11,12 --prompt "a red ball" --out fixed.mp4
    """
    from reelforge.edit.fill import detect_damage, fill_frames
    from reelforge.media import read_clip

    with user_errors():
        check_out(out, [clip_path])
        listed = _frames(frames) if frames is not None else []
        find = detect if detect is not None else not listed
        clip = read_clip(clip_path)
        if not listed and not (find and detect_damage(clip)):
            typer.echo("nothing to fill: no frame listed or detected; nothing written")
            return
        maker = common.load_engine(engine, weights, config, [prompt], [clip], consent)
        settings = common.sampling(seed, steps, guidance, negative, expand)
        with common.progress_bar() as report:
            result = fill_frames(
                clip, maker, frames=listed, detect=find, prompt=prompt, sampling=settings,
                on_progress=report,
            )  # fmt: skip
        echo_continuity(result)
        path = write_signed(result, out, "edit", [clip_path], identity, watermark_key)
    filled = result.metadata["edit"]["filled"]
    typer.echo("filled: " + ", ".join(f"{f['frame']} ({f['reason']})" for f in filled))
    typer.echo(f"wrote {path}")


def _frames(text: str) -> list[int]:
    """ "10,11,12" or "10-12,20" → [10, 11, 12, 20]."""
    from reelforge.types import InvalidInputError

    picked: set[int] = set()
    try:
        for part in filter(None, (p.strip() for p in text.split(","))):
            first, _, last = part.partition("-")
            picked.update(range(int(first), int(last or first) + 1))
    except ValueError:
        raise InvalidInputError(
            f"bad frame list {text!r}", param="frames", hint="use e.g. 10,11,12 or 10-12"
        ) from None
    return sorted(picked)
