"""`reelforge` command: one Typer app, with a sub-app or command per room.

Each command lives in its own module here and imports its room lazily, so
`reelforge --help` stays fast.
"""

from __future__ import annotations

import logging

import typer

from reelforge import __version__
from reelforge.cli import (
    bench,
    edit_blend,
    edit_extend,
    edit_fill,
    edit_loop,
    edit_recut,
    edit_remix,
    edit_stitch,
    edit_storyboard,
    judge,
    world,
)
from reelforge.cli import detect as detect_cli
from reelforge.cli import engines as engines_cli
from reelforge.cli import generate as generate_cli
from reelforge.cli import keys as keys_cli
from reelforge.cli import moderate as moderate_cli
from reelforge.cli import review as review_cli
from reelforge.cli import serve as serve_cli
from reelforge.cli import train as train_cli
from reelforge.cli import verify as verify_cli

app = typer.Typer(
    name="reelforge",
    help="reelforge: an open, self-hostable video generation studio.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(world.app, name="world")
app.command("judge")(judge.judge_command)
app.command("detect")(detect_cli.detect_command)
app.command("generate")(generate_cli.generate_command)
app.add_typer(bench.app, name="bench")
app.add_typer(engines_cli.app, name="engines")
app.add_typer(train_cli.app, name="train")
app.command("serve")(serve_cli.serve_command)
app.add_typer(keys_cli.app, name="keys")
app.command("moderate")(moderate_cli.moderate_command)
app.add_typer(review_cli.app, name="review")
app.command("verify")(verify_cli.verify_command)
# the editing suite (reelforge.edit)
app.command("extend")(edit_extend.extend_command)
app.command("loop")(edit_loop.loop_command)
app.command("blend")(edit_blend.blend_command)
app.command("remix")(edit_remix.remix_command)
app.command("storyboard")(edit_storyboard.storyboard_command)
app.command("stitch")(edit_stitch.stitch_command)
app.command("recut")(edit_recut.recut_command)
app.command("fill")(edit_fill.fill_command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"reelforge {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug messages."),
) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING)
