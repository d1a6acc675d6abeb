"""`reelforge remix CLIP --prompt "..." --strength mild --out remixed.mp4`."""

from __future__ import annotations

from pathlib import Path

import typer

from reelforge.cli import edit_extend as common
from reelforge.cli.errors import user_errors


def remix_command(
    clip: Path = typer.Argument(..., help="The clip to remix (any size and fps)."),
    prompt: str = typer.Option(..., "--prompt", help="What the remix should show."),
    out: Path = typer.Option(..., "--out", help="Where to write the MP4."),
    strength: str = typer.Option(
        "mild",
        "--strength",
        help="How far from the clip: subtle, mild, strong, or a number in 0..1 "
        "(0 keeps the clip, 1 ignores it).",
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
    """Remix a clip: keep its motion and layout, change what the prompt changes (colour,
    time of day, weather, objects). Same size, fps, length and sound as the clip. Signed
    and marked like `generate`.

    Example: reelforge remix ball.mp4 --prompt "a blue ball bounces at night" --out night.mp4

    Example: reelforge remix ball.mp4 --prompt "the same in the snow" --strength 0.3 --out snow.mp4
    """
    from reelforge.edit.remix import remix, strength_of

    with user_errors():
        value = strength_of(strength)
        source = common.read_input(clip)
        maker = common.load_engine(engine, weights, config, [prompt], [source], consent)
        settings = common.sampling(seed, steps, guidance, negative, expand)
        with common.progress_bar() as report:
            result = remix(source, maker, prompt, value, sampling=settings, on_progress=report)
        common.publish(result, out, maker, "remix", [clip], identity, watermark_key)
