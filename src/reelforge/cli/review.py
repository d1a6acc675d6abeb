"""`reelforge review list|approve|reject|log`: the moderation review queue, from the
server's data folder (the same database `reelforge serve` uses; no key needed: whoever
can read the data folder is the operator)."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import typer

from reelforge.cli.errors import user_errors
from reelforge.cli.serve import CONFIG_HELP, DATA_HELP, DB_HELP

app = typer.Typer(help="Moderation review: videos held because their output was flagged.")

DataOpt = typer.Option(Path("data"), "--data", help=DATA_HELP)
DbOpt = typer.Option(None, "--database-url", envvar="REELFORGE_DATABASE_URL", help=DB_HELP)
ConfigOpt = typer.Option(None, "--config", help=CONFIG_HELP)


def _open(data: Path, database_url: str | None, config: Path | None):
    """(database, file storage, the operator as an admin user)."""
    from reelforge.studio import load_config
    from reelforge.studio.accounts import User
    from reelforge.studio.db import connect
    from reelforge.studio.db import database_url as url_of
    from reelforge.studio.storage import Storage

    load_config(data, config_file=config, database_url=database_url)  # refuses a bad file
    if not data.is_dir():
        raise typer.BadParameter(f"{data} is not a data folder", param_hint="--data")
    operator = User(f"operator:{getpass.getuser()}", getpass.getuser(), "", admin=True)
    return connect(url_of(data, database_url)), Storage(data / "files"), operator


@app.command("list")
def list_command(
    data: Path = DataOpt,
    database_url: str | None = DbOpt,
    config: Path | None = ConfigOpt,
    as_json: bool = typer.Option(False, "--json", help="Print the list as JSON."),
) -> None:
    """Videos waiting for review, oldest first: id, user, why, prompt.

    Example: reelforge review list --data data
    """
    from reelforge.studio import reviews

    with user_errors():
        db, _, operator = _open(data, database_url, config)
        held = reviews.pending(db, operator)["data"]
    if as_json:
        typer.echo(json.dumps(held, indent=2))
        return
    if not held:
        typer.echo("no videos are waiting for review")
    for video in held:
        why = video["rule"] or video["category"] or "flagged"
        typer.echo(f"{video['id']}  {video['user']}  {why}  {video['prompt']!r}")


@app.command("approve")
def approve_command(
    video_id: str = typer.Argument(..., help="The held video's id (from `review list`)."),
    data: Path = DataOpt,
    database_url: str | None = DbOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Release a held video: its owner gets it as completed.

    Example: reelforge review approve video_abc123 --data data
    """
    from reelforge.studio import reviews

    with user_errors():
        db, _, operator = _open(data, database_url, config)
        reviews.approve(db, operator, video_id)
    typer.echo(f"approved {video_id}")


@app.command("reject")
def reject_command(
    video_id: str = typer.Argument(..., help="The held video's id (from `review list`)."),
    reason: str = typer.Option("", "--reason", help="Shown to the owner in the error."),
    data: Path = DataOpt,
    database_url: str | None = DbOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Reject a held video: it fails with moderation_blocked, its files are deleted and
    its seconds given back.

    Example: reelforge review reject video_abc123 --reason "real person, no consent"
    """
    from reelforge.studio import reviews

    with user_errors():
        db, storage, operator = _open(data, database_url, config)
        reviews.reject(db, storage, operator, video_id, reason)
    typer.echo(f"rejected {video_id}")


@app.command("log")
def log_command(
    limit: int = typer.Option(50, "--limit", help="How many decisions (1..100)."),
    data: Path = DataOpt,
    database_url: str | None = DbOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """The moderation log, newest first, one JSON object per line: when, who, what,
    the decision and the rule behind it.

    Example: reelforge review log --limit 20
    """
    from reelforge.studio import reviews

    with user_errors():
        db, _, operator = _open(data, database_url, config)
        entries = reviews.audit(db, operator, limit)["data"]
    for entry in entries:
        typer.echo(json.dumps(entry))
