"""`reelforge storyboard board.toml --out film.mp4`: timed cards into one multi-shot clip."""

from __future__ import annotations

from pathlib import Path

import typer

from reelforge.cli import edit_extend as common
from reelforge.cli.errors import user_errors


def storyboard_command(
    board: Path = typer.Argument(
        ..., help="The storyboard: a TOML or JSON file of cards (examples/storyboard.toml)."
    ),
    out: Path = typer.Option(..., "--out", help="Where to write the MP4."),
    size: str | None = typer.Option(
        None, "--size", help="WIDTHxHEIGHT (default: the board's, else the engine's 16:9 size)."
    ),
    seed: int | None = typer.Option(
        None, "--seed", help="The same seed gives the same clip (default: the board's, else 0)."
    ),
    engine: str = common.ENGINE,
    weights: Path | None = common.WEIGHTS,
    config: Path | None = common.CONFIG,
    steps: int | None = common.STEPS,
    guidance: float | None = common.GUIDANCE,
    negative: str = common.NEGATIVE,
    expand: bool = common.EXPAND,
    consent: bool = common.CONSENT,
    identity: Path | None = common.IDENTITY,
    watermark_key: str | None = common.WATERMARK_KEY,
) -> None:
    """Make one multi-shot clip from a storyboard of timed cards (prompt, start, duration,
    optional image, optional cut). Each card continues the shot before it (it starts from
    that shot's last frames) unless it says cut = true; a card's image is its first frame
    (after a cut) or the frame it arrives at (when it continues). Signed and marked like
    `generate`, with the cards' images as its sources.

    Example: reelforge storyboard examples/storyboard.toml --out story.mp4

    Example: reelforge storyboard board.json --size 256x144 --seed 7 --out story.mp4
    """
    from reelforge.cli.options import parse_size
    from reelforge.edit.storyboard import load_storyboard, render_storyboard

    with user_errors():
        cards = load_storyboard(board)
        wanted = parse_size(size) if size is not None else None
        images = [c.image for c in cards.cards if c.image is not None]
        prompts = [c.prompt for c in cards.cards]
        shown = [common.read_input(p, "image") for p in images]
        maker = common.load_engine(engine, weights, config, prompts, shown, consent)
        first_seed = seed if seed is not None else cards.seed or 0
        settings = common.sampling(first_seed, steps, guidance, negative, expand)
        with common.progress_bar() as report:
            result = render_storyboard(
                cards, maker, size=wanted, sampling=settings, on_progress=report
            )
        common.publish(result, out, maker, "generate", images, identity, watermark_key)
