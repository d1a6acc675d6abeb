"""`reelforge generate "PROMPT" --out clip.mp4`: text (or an image) to an MP4."""

from __future__ import annotations

from pathlib import Path

import typer

from reelforge.cli.errors import user_errors

DEFAULT_ASPECT = "16:9"


def generate_command(
    prompt: str = typer.Argument(..., help="What the clip should show."),
    out: Path = typer.Option(..., "--out", help="Where to write the MP4."),
    seconds: float = typer.Option(4.0, "--seconds", help="Duration in seconds."),
    aspect: str | None = typer.Option(
        None, "--aspect", help="16:9, 9:16 or 1:1 (the engine's sizes); default 16:9."
    ),
    size: str | None = typer.Option(
        None, "--size", help="WIDTHxHEIGHT; above the native sizes it is upscaled."
    ),
    image: Path | None = typer.Option(
        None, "--image", help="The first frame (cropped to the aspect; sets it if not given)."
    ),
    seed: int = typer.Option(0, "--seed", help="The same seed gives the same clip."),
    steps: int | None = typer.Option(None, "--steps", min=1, help="Sampling steps."),
    guidance: float | None = typer.Option(None, "--guidance", min=0.0, help="CFG scale."),
    negative: str = typer.Option("", "--negative", help="What the clip should not show."),
    engine: str = typer.Option("native", "--engine", help="Which engine makes the clip."),
    weights: Path | None = typer.Option(
        None, "--weights", help="The engine's weights folder (default: the shipped one)."
    ),
    expand: bool = typer.Option(
        True, "--expand/--no-expand", help="Rewrite the prompt in the model's caption style."
    ),
    score: bool = typer.Option(
        False, "--judge", help="Score the clip against the prompt with the world's judge."
    ),
    identity: Path | None = typer.Option(
        None,
        "--identity",
        envvar="REELFORGE_IDENTITY",
        help="The signing identity folder (made on first use; default "
        "~/.local/share/reelforge/identity). `reelforge verify` checks the signature.",
    ),
) -> None:
    """Generate a clip from a prompt (and optionally a first frame) and write it as MP4.

    Unsupported sizes, aspects or lengths are refused before any work, with what the
    engine supports.

    Example: reelforge generate "a red ball bounces to the right at sunset" --seconds 2 --out ball.mp4
    """
    from reelforge.engines import get_engine
    from reelforge.media import read_clip, write_mp4
    from reelforge.types import GenerationSpec, InvalidInputError, Keyframe

    with user_errors():
        if not seconds > 0:
            raise InvalidInputError(f"--seconds must be positive; got {seconds:g}", param="seconds")
        maker = get_engine(engine, **({"weights": weights} if weights is not None else {}))
        first = read_clip(image).frames[:1] if image is not None else None
        if first is not None and size is None and aspect is None:  # the image's own aspect
            aspect = maker.capabilities.aspect_of(first.shape[2], first.shape[1])
        width, height = _size(maker.capabilities, size, aspect)
        fps = maker.capabilities.fps[0]
        keyframes = [Keyframe(0, first)] if first is not None else []
        spec = GenerationSpec(
            prompt,
            width=width,
            height=height,
            num_frames=max(1, round(seconds * fps)),
            fps=fps,
            seed=seed,
            steps=steps,
            guidance=guidance,
            negative_prompt=negative,
            keyframes=keyframes,
            expand_prompt=expand,
        )
        maker.check(spec)
        if expand:
            spec.expanded_prompt = _expand(prompt)
        clip = _run(maker, spec)
        out.parent.mkdir(parents=True, exist_ok=True)
        path = write_mp4(clip, out)
        _sign(path, maker, clip, image, identity)
    typer.echo(f"signed with Content Credentials (check: reelforge verify {path})")
    typer.echo(f"wrote {path}")
    if score:
        _judge(clip, prompt)


def _sign(path: Path, maker, clip, image: Path | None, identity: Path | None) -> None:
    """Content Credentials in place: made by this engine and model, from `image` if given."""
    from reelforge.provenance.c2pa_sign import sign_mp4
    from reelforge.provenance.identity import default_identity_folder, ensure_local_identity
    from reelforge.provenance.manifest import build_manifest

    sources = [image] if image is not None else []
    manifest = build_manifest(
        "generate",
        maker.name,
        clip.metadata.get("model"),
        ingredients=[s.name for s in sources],
    )
    signer = ensure_local_identity(identity or default_identity_folder())
    sign_mp4(path, path, manifest, signer, sources)


def _size(capabilities, size: str | None, aspect: str | None) -> tuple[int, int]:
    """--size as given (checked against --aspect), else the aspect's default size."""
    from reelforge.cli.options import parse_size
    from reelforge.types import InvalidInputError

    if size is None:
        if aspect is None:
            aspect = (
                DEFAULT_ASPECT if DEFAULT_ASPECT in capabilities.sizes else capabilities.aspects[0]
            )
        return capabilities.default_size(aspect)
    width, height = parse_size(size)
    if aspect is not None and capabilities.aspect_of(width, height) != aspect:
        raise InvalidInputError(
            f"--size {width}x{height} does not have aspect {aspect}", param="size"
        )
    return width, height


def _expand(prompt: str) -> str:
    from reelforge.prompting import expand_prompt

    expansion = expand_prompt(prompt)
    typer.echo(f"expanded: {expansion.expanded}")
    if expansion.unknown:
        typer.echo(f"kept as written (not understood): {', '.join(expansion.unknown)}", err=True)
    return expansion.expanded


def _judge(clip, prompt: str) -> None:
    """One line: the judge's overall score and every metric that applies."""
    from reelforge.evaluate import judge, parse_prompt

    report = judge(clip, parse_prompt(prompt))
    parts = [f"{k} {v:.2f}" for k, v in report.metrics.items() if v is not None]
    overall = "n/a" if report.overall is None else f"{report.overall:.2f}"
    typer.echo(f"judge: {overall} ({', '.join(parts)})")


def _run(maker, spec):
    """engine.generate with a progress bar on stderr."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        "[progress.percentage]{task.percentage:>3.0f}%",
        TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as bar:
        task = bar.add_task("starting", total=1.0)
        return maker.generate(
            spec,
            on_progress=lambda done, message: bar.update(task, completed=done, description=message),
        )
