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
    # "\\[" keeps rich (typer's help renderer) from reading [engines.NAME] as markup
    engine: str = typer.Option(
        "native",
        "--engine",
        help="Which engine makes the clip: an \\[engines.NAME] table of --config, or a kind "
        "(native, ltx, wan; `reelforge engines list`).",
    ),
    weights: Path | None = typer.Option(
        None,
        "--weights",
        help="The engine's weights folder (native: default the shipped one; ltx and wan: "
        "their diffusers folder). Replaces a configured engine's path.",
    ),
    dtype: str | None = typer.Option(
        None,
        "--dtype",
        help="The engine's compute dtype (native: auto, float32, bfloat16; bfloat16 is about "
        "1.3x faster on a CPU with AMX). Replaces a configured engine's dtype.",
    ),
    config: Path | None = typer.Option(
        None,
        "--config",
        help="A studio TOML file (as `reelforge serve --config` reads) whose \\[engines.NAME] "
        "tables configure engines: kind, path, dtype, device, memory, ...",
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
    consent: bool = typer.Option(
        False, "--consent", help="Attest that people shown in --image agreed to appear."
    ),
    watermark_key: str | None = typer.Option(
        None,
        "--watermark-key",
        envvar="REELFORGE_WATERMARK_KEY",
        help="The invisible watermark's key (default: reelforge's built-in one); "
        "`reelforge detect` reads the mark.",
    ),
) -> None:
    """Generate a clip from a prompt (and optionally a first frame) and write it as MP4.

    Unsupported sizes, aspects or lengths are refused before any work, with what the
    engine supports. The prompt is moderated first (a blocked one exits with status 3,
    as `reelforge moderate` does), and an --image showing faces needs --consent. The MP4
    carries an invisible watermark (this installation + a run id) and is signed with
    Content Credentials.

    Example: reelforge generate "a red ball bounces to the right at sunset" --seconds 2 --out ball.mp4

    Example (LTX-Video weights configured in reelforge.toml; docs/ENGINES.md):
    reelforge generate "a fox runs through snow" --engine ltx --config reelforge.toml --out fox.mp4
    """
    from reelforge.media import read_clip, write_mp4
    from reelforge.types import GenerationSpec, InvalidInputError, Keyframe

    with user_errors():
        if not seconds > 0:
            raise InvalidInputError(f"--seconds must be positive; got {seconds:g}", param="seconds")
        maker = _engine(engine, weights, config, dtype)
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
        _moderate(prompt, first, consent)
        if expand:
            spec.expanded_prompt = _expand(prompt)
        clip = _run(maker, spec)
        signer = _signer(identity)
        clip, payload = _mark(clip, signer, watermark_key)
        out.parent.mkdir(parents=True, exist_ok=True)
        path = write_mp4(clip, out)
        _sign(path, maker, clip, image, signer)
    ids = payload.hex()
    typer.echo(
        f"invisible watermark: installation {ids['installation']}, run {ids['job']} "
        f"(check: reelforge detect {path})"
    )
    typer.echo(f"signed with Content Credentials (check: reelforge verify {path})")
    typer.echo(f"wrote {path}")
    if score:
        _judge(clip, prompt)


def _engine(name: str, weights: Path | None, config: Path | None, dtype: str | None = None):
    """The engine `name` names: an [engines.NAME] table of `config` (its kind and
    settings), else the engine kind `name`; `weights` replaces the table's folder and
    `dtype` its dtype."""
    from reelforge.engines import ENGINES, get_engine
    from reelforge.studio import load_config
    from reelforge.types import NotFoundError

    tables = load_config(Path("."), config_file=config).engines if config is not None else {}
    if name not in tables and name not in ENGINES:
        configured = f"configured: {', '.join(tables)}; " if config is not None else ""
        raise NotFoundError(
            f"no engine named {name!r}; {configured}kinds: {', '.join(ENGINES)}",
            param="engine",
            hint="configure one as [engines.NAME] in a --config file (docs/ENGINES.md)",
        )
    settings = dict(tables.get(name, {"kind": name}))
    kind = settings.pop("kind")
    if weights is not None:
        settings = {k: v for k, v in settings.items() if k not in ("path", "weights")}
        settings["weights"] = weights
    if dtype is not None:
        settings["dtype"] = dtype
    return get_engine(kind, **settings)


def _moderate(prompt: str, first, consent: bool) -> None:
    """The studio's checks, before any work: the prompt, then faces in the first frame."""
    from reelforge.safety import Moderator

    moderator = Moderator.from_config()
    moderator.check_prompt(prompt).raise_if_blocked()
    if first is not None:
        decision = moderator.check_upload(first, consent)
        if decision.blocked:
            error = decision.error()
            error.param = "image"
            raise error


def _signer(identity: Path | None):
    """This machine's signing identity (made on first use)."""
    from reelforge.provenance.identity import default_identity_folder, ensure_local_identity

    return ensure_local_identity(identity or default_identity_folder())


def _mark(clip, signer, key: str | None):
    """The clip with the invisible watermark: this installation (the signer's key) and a
    random run id, so two runs of one prompt are told apart."""
    import secrets

    from reelforge.provenance.identity import installation_id
    from reelforge.provenance.invisible import DEFAULT_KEY, embed
    from reelforge.provenance.payload import Payload

    payload = Payload(installation_id(signer), secrets.randbits(32))
    return embed(clip, payload, key or DEFAULT_KEY), payload


def _sign(path: Path, maker, clip, image: Path | None, signer) -> None:
    """Content Credentials in place: made by this engine and model, from `image` if given."""
    from reelforge.provenance.c2pa_sign import sign_mp4
    from reelforge.provenance.manifest import build_manifest

    sources = [image] if image is not None else []
    manifest = build_manifest(
        "generate",
        maker.name,
        clip.metadata.get("model"),
        ingredients=[s.name for s in sources],
    )
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
