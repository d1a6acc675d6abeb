"""`reelforge blend A B --mode transition|mix --out blended.mp4`."""

from __future__ import annotations

from pathlib import Path

import typer

from reelforge.cli import edit_extend as common
from reelforge.cli.errors import user_errors


def blend_command(
    first: Path = typer.Argument(..., help="Clip A (its size and fps are the result's)."),
    second: Path = typer.Argument(..., help="Clip B."),
    out: Path = typer.Option(..., "--out", help="Where to write the MP4."),
    mode: str = typer.Option(
        "transition",
        "--mode",
        help="transition: A, a generated bridge into B, then B; mix: A's content turning "
        "into B's over A's length.",
    ),
    seconds: float = typer.Option(1.0, "--seconds", help="transition: the bridge's length."),
    only_transition: bool = typer.Option(
        False, "--only-transition", help="transition: write the bridge alone, without A and B."
    ),
    strength: str = typer.Option(
        "0.6", "--strength", help="mix: how freely the model redraws (subtle, mild, strong, 0..1)."
    ),
    prompt: str = typer.Option(
        "", "--prompt", help="What the blend shows (default: none; a clip's own prompt if known)."
    ),
    engine: str = common.ENGINE,
    weights: Path | None = common.WEIGHTS,
    config: Path | None = common.CONFIG,
    seed: int = common.SEED,
    steps: int | None = common.STEPS,
    guidance: float | None = common.GUIDANCE,
    negative: str = common.NEGATIVE,
    expand: bool = common.EXPAND,
    consent: bool = common.CONSENT,
    identity: Path | None = common.IDENTITY,
    watermark_key: str | None = common.WATERMARK_KEY,
) -> None:
    """Blend two clips. transition (default): a generated bridge carries A's end into B's
    start (the engine's interpolation between A's last and B's first frames); A and B keep
    their frames. mix: a cross-fade from A to B redrawn by the model (a remix at
    --strength, A's first frames and B's last ones given), so A's scene becomes B's.
    The result has A's size and fps; sound from both. Signed and marked like `generate`.

    Example: reelforge blend day.mp4 night.mp4 --seconds 2 --out day-to-night.mp4

    Example: reelforge blend ball.mp4 cube.mp4 --mode mix --strength strong --out morph.mp4
    """
    from reelforge.edit.blend import MODES, mix, transition
    from reelforge.edit.remix import strength_of
    from reelforge.types import InvalidInputError

    with user_errors():
        if mode not in MODES:
            raise InvalidInputError(
                f"unknown blend mode {mode!r}", param="mode", hint=f"use {' or '.join(MODES)}"
            )
        value = strength_of(strength)
        a, b = common.read_input(first, "first"), common.read_input(second, "second")
        maker = common.load_engine(engine, weights, config, [prompt], [a, b], consent)
        settings = common.sampling(seed, steps, guidance, negative, expand)
        text = prompt or None
        with common.progress_bar() as report:
            if mode == "transition":
                result = transition(
                    a,
                    b,
                    maker,
                    seconds,
                    prompt=text,
                    join=not only_transition,
                    sampling=settings,
                    on_progress=report,
                )
            else:
                result = mix(a, b, maker, value, prompt=text, sampling=settings, on_progress=report)
        common.publish(result, out, maker, "blend", [first, second], identity, watermark_key)
