"""`reelforge stitch A.mp4 B.mp4 --transition dissolve --out AB.mp4`: clips joined into one.

Also the way every editing command writes its result (`write_signed`): invisibly
marked, encoded, and signed with Content Credentials naming the input files as its
ingredients, as `reelforge generate` does.
"""

from __future__ import annotations

from pathlib import Path

import typer

from reelforge.cli.errors import user_errors

IDENTITY = typer.Option(
    None,
    "--identity",
    envvar="REELFORGE_IDENTITY",
    help="The signing identity folder (made on first use; default "
    "~/.local/share/reelforge/identity). `reelforge verify` checks the signature.",
)
WATERMARK_KEY = typer.Option(
    None,
    "--watermark-key",
    envvar="REELFORGE_WATERMARK_KEY",
    help="The invisible watermark's key (default: reelforge's built-in one); "
    "`reelforge detect` reads the mark.",
)


def stitch_command(
    clips: list[Path] = typer.Argument(..., help="The clips, in order (MP4, MOV, WebM, ...)."),
    out: Path = typer.Option(..., "--out", help="Where to write the MP4."),
    transition: str = typer.Option(
        "cut", "--transition", help="cut, dissolve, fade (through black) or match (match cut)."
    ),
    duration: float = typer.Option(
        0.5,
        "--duration",
        help="Seconds of each dissolve or fade; for a match cut, how far into each clip's "
        "end and start the matching frames are looked for.",
    ),
    identity: Path | None = IDENTITY,
    watermark_key: str | None = WATERMARK_KEY,
) -> None:
    """Join clips into one MP4 with a transition at every join.

    Every clip is brought to the first one's size (letterboxed: scaled to fit, centred
    on black, never cropped), frame rate and sound; a clip without sound adds silence.
    Dissolves cross-fade the sound at equal power. A match cut cuts where a shape in
    the first clip best matches one in the next. Each join's continuity is printed: the
    change across it divided by the clip's typical frame-to-frame change (about 1 reads
    as continuous).

    Example: reelforge stitch a.mp4 b.mp4 --transition dissolve --duration 0.5 --out ab.mp4

    Example: reelforge stitch run.mp4 jump.mp4 land.mp4 --transition match --out action.mp4
    """
    from reelforge.edit.stitch import stitch
    from reelforge.media import read_clip

    with user_errors():
        check_out(out, clips)
        clip = stitch([read_clip(c) for c in clips], transition, duration)
        echo_continuity(clip)
        path = write_signed(clip, out, "stitch", clips, identity, watermark_key)
    typer.echo(f"wrote {path}")


def echo_continuity(clip) -> None:
    """One line: the seam ratio at each join the edit recorded (seams.py), if any."""
    from reelforge.edit.seams import seam_ratios

    ratios = seam_ratios(clip)
    if ratios:
        shown = ", ".join(f"{r:.2f}" for r in ratios)
        typer.echo(f"continuity at each join (change across / within): {shown}")


def check_out(out: Path, inputs: list[Path]) -> None:
    """Refuse to write over an input: its Content Credentials go into the output."""
    from reelforge.types import InvalidInputError

    if any(out.resolve() == p.resolve() for p in inputs):
        raise InvalidInputError(
            f"--out {out} is one of the inputs; write the result to a new file", param="out"
        )


def write_signed(
    clip, out: Path, kind: str, sources: list[Path], identity, watermark_key, engine=None
) -> Path:
    """Mark, write and sign `clip` (a provenance manifest of `kind` with `sources` as its
    ingredients, made by `engine` or else the engine in its metadata, and the model in
    its metadata, if any); print what a user checks it with; the path written."""
    from reelforge.cli.generate import _mark, _signer
    from reelforge.media import write_mp4
    from reelforge.provenance.c2pa_sign import sign_mp4
    from reelforge.provenance.manifest import build_manifest

    signer = _signer(identity)
    clip, payload = _mark(clip, signer, watermark_key)
    out.parent.mkdir(parents=True, exist_ok=True)
    path = write_mp4(clip, out)
    manifest = build_manifest(
        kind,
        engine or clip.metadata.get("engine"),
        clip.metadata.get("model"),
        ingredients=[s.name for s in sources],
    )
    sign_mp4(path, path, manifest, signer, sources)
    ids = payload.hex()
    typer.echo(
        f"invisible watermark: installation {ids['installation']}, run {ids['job']} "
        f"(check: reelforge detect {path})"
    )
    typer.echo(f"signed with Content Credentials (check: reelforge verify {path})")
    return path
