"""`reelforge loop CLIP --out looped.mp4`: a clip that plays seamlessly on repeat."""

from __future__ import annotations

from pathlib import Path

import typer

from reelforge.cli import edit_extend as common
from reelforge.cli.errors import user_errors


def loop_command(
    clip: Path = typer.Argument(..., help="The clip to loop (any size and fps)."),
    out: Path = typer.Option(..., "--out", help="Where to write the MP4."),
    seconds: float = typer.Option(
        1.0, "--seconds", help="Length of the generated bridge from the end back to the start."
    ),
    prompt: str = typer.Option("", "--prompt", help="What the bridge shows (default: none)."),
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
    """Make a clip loop: a generated bridge carries its last frames back into its first
    (the engine's interpolation), appended to the clip, so its last frame flows into its
    first on repeat. The clip's own frames, size, fps and sound are kept (silence under
    the bridge). Signed and marked like `generate`.

    Example: reelforge loop ball.mp4 --out ball-loop.mp4

    Example (a longer, slower return): reelforge loop waves.mp4 --seconds 2 --out waves-loop.mp4
    """
    from reelforge.edit.loop import loop

    with user_errors():
        source = common.read_input(clip)
        maker = common.load_engine(engine, weights, config, [prompt], [source], consent)
        settings = common.sampling(seed, steps, guidance, negative, expand)
        with common.progress_bar() as report:
            result = loop(
                source, maker, seconds, prompt=prompt or None, sampling=settings, on_progress=report
            )
        common.publish(result, out, maker, "edit", [clip], identity, watermark_key)
