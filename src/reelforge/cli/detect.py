"""`reelforge detect CLIP`: look for reelforge's invisible watermark and read its payload.

Exit status: 0 found, 1 not found, 2 for a missing or unreadable file or a bad option.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from reelforge.cli.errors import user_errors

KEY_HELP = (
    "The watermark key the clip was marked with (default: reelforge's built-in key, "
    "which every installation that sets none uses)."
)


def detect_command(
    path: Path = typer.Argument(..., help="The clip (an MP4, WebM or another video file)."),
    key: str | None = typer.Option(None, "--key", envvar="REELFORGE_WATERMARK_KEY", help=KEY_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Say whether a clip carries reelforge's invisible watermark, and whose it is.

    Prints found or not found, the payload (installation and job ids, hex) and a
    confidence in [0, 1]. The mark survives re-encoding, resizing, a 10% crop, WebM,
    trimming and a visible-watermark overlay (docs/SAFETY.md has the figures).

    Exit status: 0 found, 1 not found, 2 error.

    Example: REELFORGE_WATERMARK_KEY=my-secret reelforge detect clip.mp4 --json
    """
    from reelforge.media import read_clip
    from reelforge.provenance.invisible import DEFAULT_KEY, detect

    with user_errors():
        result = detect(read_clip(path), key or DEFAULT_KEY)
    report = {"file": str(path), **result.to_dict()}
    if as_json:
        typer.echo(json.dumps(report, indent=2))
    elif result.found:
        ids = result.payload.hex()
        typer.echo(f"found: installation {ids['installation']}, job {ids['job']}")
        typer.echo(f"confidence {result.confidence:.4f} (pilot z {result.sync_z:.1f})")
    else:
        typer.echo(f"not found (confidence {result.confidence:.4f}, pilot z {result.sync_z:.1f})")
    raise typer.Exit(0 if result.found else 1)
