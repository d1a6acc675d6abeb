"""`reelforge serve`: the API and its workers in one process."""

from __future__ import annotations

from pathlib import Path

import typer

from reelforge.cli.errors import user_errors

DATA_HELP = "The data folder: database (SQLite), uploads and videos."
DB_HELP = "A database URL instead of SQLite in the data folder, e.g. postgresql://host/db."
CONFIG_HELP = "A TOML file merged over the defaults (plans, models, engines, server)."


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    data: Path = typer.Option(Path("data"), "--data", help=DATA_HELP),
    workers: int = typer.Option(1, "--workers", min=0, help="Generation workers (threads)."),
    database_url: str | None = typer.Option(
        None, "--database-url", envvar="REELFORGE_DATABASE_URL", help=DB_HELP
    ),
    config: Path | None = typer.Option(None, "--config", help=CONFIG_HELP),
) -> None:
    """Serve the OpenAI-compatible API (/v1/videos) and the web studio (/) with in-process workers.

    Example: reelforge serve --port 8000 --data ./data
    """
    import uvicorn

    from reelforge.api import create_app
    from reelforge.studio import Studio, load_config

    with user_errors():
        settings = load_config(data, config_file=config, database_url=database_url, workers=workers)
        studio = Studio(settings)
    where = "PostgreSQL" if database_url else f"SQLite in {data}"
    typer.echo(
        f"reelforge serving the API at http://{host}:{port}/v1 and the web studio at "
        f"http://{host}:{port}/ ({workers} workers, {where}); "
        "make a key with `reelforge keys create`",
        err=True,
    )
    uvicorn.run(create_app(studio), host=host, port=port, log_level="info")
