"""`reelforge world ...`: render, sample and package the procedural world."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from reelforge.cli.errors import user_errors
from reelforge.cli.options import parse_size

app = typer.Typer(help="The procedural world: render clips, sample scenes, write datasets.")
_out = Console()
_err = Console(stderr=True)


@app.command("render")
def render(
    seed: int = typer.Option(0, "--seed", help="Scene seed: the same seed gives the same scene."),
    size: str = typer.Option("256x144", "--size", help="WIDTHxHEIGHT, any aspect ratio."),
    seconds: float = typer.Option(4.0, "--seconds", help="Duration in seconds."),
    fps: float = typer.Option(12.0, "--fps", help="Frames per second."),
    out: Path = typer.Option(Path("clip.mp4"), "--out", help="Where to write the MP4."),
    scene_file: Path | None = typer.Option(
        None,
        "--scene",
        help="Render this scene (JSON, as `world sample` writes) instead of --seed.",
    ),
    audio: bool = typer.Option(True, "--audio/--no-audio", help="Mux the world's sound."),
) -> None:
    """Render one scene to an MP4 with sound and print its caption.

    Example: reelforge world render --seed 7 --size 144x256 --seconds 4 --fps 12 --out tall.mp4
    """
    from reelforge.media import write_mp4
    from reelforge.world.clip import render_clip
    from reelforge.world.sampler import sample_scene
    from reelforge.world.scene import Scene

    with user_errors():
        width, height = parse_size(size)
        scene = _read_scene(scene_file, Scene) if scene_file else sample_scene(seed)
        clip = render_clip(scene, width, height, fps, seconds, audio=audio)
        out.parent.mkdir(parents=True, exist_ok=True)
        path = write_mp4(clip, out)
    typer.echo(clip.metadata["prompt"])
    typer.echo(f"wrote {path}")


@app.command("sample")
def sample(
    count: int = typer.Option(10, "--count", min=1, help="How many scenes."),
    seed: int = typer.Option(0, "--seed", min=0, help="First scene's seed; the rest follow."),
    out: Path = typer.Option(Path("scenes.jsonl"), "--out", help="JSON Lines file to write."),
    prompts: int = typer.Option(4, "--prompts", min=0, help="Short prompts per scene."),
) -> None:
    """Write random scenes with their rich caption and short prompts, one JSON per line."""
    from reelforge.world.captions import rich_caption, short_prompts
    from reelforge.world.sampler import sample_scene

    with user_errors():
        _check_parent(out)
        with open(out, "w") as f:
            for s in range(seed, seed + count):
                scene = sample_scene(s)
                record = {
                    "seed": s,
                    "scene": scene.to_dict(),
                    "caption": rich_caption(scene),
                    "prompts": short_prompts(scene, count=prompts, seed=s) if prompts else [],
                }
                f.write(json.dumps(record) + "\n")
    _out.print(f"wrote {count} scenes to {out}", highlight=False)


@app.command("dataset")
def dataset(
    out: Path = typer.Option(..., "--out", help="Empty folder for the shards."),
    count: int = typer.Option(1000, "--count", min=1, help="How many clips."),
    seed: int = typer.Option(0, "--seed", min=0, help="First scene's seed."),
    bucket: list[str] = typer.Option(
        None, "--bucket", help="WxHxSECONDS[@FPS], repeatable; default: the model's buckets."
    ),
    shard_size: int = typer.Option(256, "--shard-size", min=1, help="Clips per shard file."),
    audio: bool = typer.Option(False, "--audio/--no-audio", help="Store 16 kHz sound too."),
    workers: int = typer.Option(1, "--workers", min=1, help="Render processes."),
) -> None:
    """Render training shards (clips + captions), bucketed by size and duration.

    Example: reelforge world dataset --out data/world --count 5000 --bucket 128x72x4@12 --workers 2
    """
    from reelforge.world.dataset import DEFAULT_BUCKETS, Bucket, write_dataset

    with user_errors():
        buckets = tuple(Bucket.parse(b) for b in bucket) if bucket else DEFAULT_BUCKETS
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=_err,
        ) as bar:
            task = bar.add_task("rendering", total=count)
            index = write_dataset(
                out,
                count,
                seed=seed,
                buckets=buckets,
                shard_size=shard_size,
                audio=audio,
                workers=workers,
                on_progress=lambda done, _total: bar.update(task, completed=done),
            )
    for b in index["buckets"]:
        n = sum(s["count"] for s in b["shards"])
        _out.print(f"{b['name']}: {n} clips in {len(b['shards'])} shard(s)", highlight=False)
    _out.print(f"wrote {out / 'index.json'}", highlight=False)


def _read_scene(path: Path, scene_type: type) -> object:
    """A scene from a JSON file: a bare scene, or a record of `world sample` (one line)."""
    from reelforge.types import InvalidInputError, NotFoundError

    if not path.is_file():
        raise NotFoundError(f"no such file: {path}", param="scene")
    try:
        record = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InvalidInputError(f"{path} is not one JSON object: {e}", param="scene") from e
    if isinstance(record, dict) and "scene" in record:
        record = record["scene"]
    if not isinstance(record, dict):
        raise InvalidInputError(f"{path} does not hold a scene object", param="scene")
    return scene_type.from_dict(record)


def _check_parent(path: Path) -> None:
    from reelforge.types import InvalidInputError

    if not path.parent.exists():
        raise InvalidInputError(f"folder {path.parent} does not exist", param="out")
