"""`reelforge engines list`: the engines reelforge has, and what the configured ones make.

Every registered kind is listed with what it needs. The native engine is always shown
with its shipped weights. ltx and wan need a weights folder: they are shown when the
studio configuration names one (`--config FILE`, or DATA/reelforge.toml with `--data`),
as `[engines.NAME] kind = "ltx" path = "/models/ltx-video"`. Building an engine reads its
folder's configs (and imports diffusers) but loads no weights.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import typer

from reelforge.cli.errors import user_errors

app = typer.Typer(help="The video engines: what is installed and what each one makes.")

# "\\[" keeps rich (typer's help renderer) from reading [engines.NAME] as markup
CONFIG_HELP = "A studio TOML file whose \\[engines.NAME] tables configure engines."
DATA_HELP = "A data folder: its reelforge.toml, when there is one, configures engines."


@app.command("list")
def list_command(
    config: Path | None = typer.Option(None, "--config", help=CONFIG_HELP),
    data: Path = typer.Option(Path("data"), "--data", help=DATA_HELP),
) -> None:
    """List the engine kinds, then every configured engine with its modes and sizes.

    Example: reelforge engines list --config reelforge.toml
    """
    from reelforge.engines import list_engines
    from reelforge.studio import load_config

    with user_errors():
        studio = load_config(data, config_file=config)
    diffusers = "installed" if find_spec("diffusers") else "not installed"
    typer.echo("engine kinds:")
    for entry in list_engines():
        needs = "" if entry.name == "native" else f" [diffusers {diffusers}]"
        typer.echo(f"  {entry.name}: {entry.description}{needs}")
    typer.echo("configured engines:")
    for name, settings in studio.engines.items():
        typer.echo(f"  {name} (kind {settings.get('kind')}): {_describe(settings)}")
    aliases = [f"{alias} -> {target}" for alias, target in studio.models.items()]
    if aliases:
        typer.echo(f"models: {', '.join(aliases)}")


def _describe(settings: dict) -> str:
    """What the engine makes, or the error that stops it from being built."""
    from reelforge.engines import get_engine
    from reelforge.types import ReelforgeError

    settings = dict(settings)
    kind = settings.pop("kind")
    try:
        engine = get_engine(kind, **settings)
    except ReelforgeError as e:
        return f"not usable: {e}"
    caps = engine.capabilities
    where = settings.get("path") or settings.get("weights") or "shipped weights"
    return f"{where}; {caps.describe()}; frame counts {caps.frame_rule}"
