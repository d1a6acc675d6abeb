"""`reelforge judge CLIP --prompt TEXT`: score a clip against a prompt, as JSON."""

from __future__ import annotations

import json

import typer

from reelforge.cli.errors import user_errors


def judge_command(
    path: str = typer.Argument(..., help="The clip to judge (an MP4 or another video file)."),
    prompt: str = typer.Option(..., "--prompt", help="What the clip should show."),
) -> None:
    """Measure how well a clip shows what the prompt asks, from its pixels and sound.

    Prints the report as JSON: one score per metric in [0, 1] (null where it does not
    apply), `overall`, per-object findings and the raw measurements.

    Example: reelforge judge clip.mp4 --prompt "a red ball bounces to the right at sunset"
    """
    from reelforge.evaluate import judge, parse_prompt
    from reelforge.media import read_clip

    with user_errors():
        clip = read_clip(path)
        constraints = parse_prompt(prompt)
        report = judge(clip, constraints)
    out = {"prompt": prompt, "constraints": constraints.to_dict(), **report.to_dict()}
    typer.echo(json.dumps(out, indent=2))
