"""`reelforge keys create|list|revoke`: API keys for the server's users."""

from __future__ import annotations

from pathlib import Path

import typer

from reelforge.cli.errors import user_errors
from reelforge.cli.serve import CONFIG_HELP, DATA_HELP, DB_HELP

app = typer.Typer(help="API keys: create one for a user (and plan), list, revoke.")

DataOpt = typer.Option(Path("data"), "--data", help=DATA_HELP)
DbOpt = typer.Option(None, "--database-url", envvar="REELFORGE_DATABASE_URL", help=DB_HELP)
ConfigOpt = typer.Option(None, "--config", help=CONFIG_HELP)


def _database(data: Path, database_url: str | None, config: Path | None, plan: str | None = None):
    """The configuration and database; an unknown `plan` is refused before anything is made."""
    from reelforge.studio import load_config
    from reelforge.studio.db import connect
    from reelforge.studio.db import database_url as url_of

    settings = load_config(data, config_file=config, database_url=database_url)
    if plan is not None:
        settings.plan(plan)
    data.mkdir(parents=True, exist_ok=True)
    return settings, connect(url_of(data, database_url))


@app.command("create")
def create(
    user: str = typer.Option(..., "--user", help="The user's name (created if new)."),
    plan: str | None = typer.Option(None, "--plan", help="The user's plan (plus, pro, ...)."),
    admin: bool | None = typer.Option(
        None,
        "--admin/--no-admin",
        help="Make the user an admin (reviews flagged videos through /v1/admin), or not; "
        "unchanged when omitted.",
    ),
    data: Path = DataOpt,
    database_url: str | None = DbOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Make a key for USER; the key is printed once, on the last line.

    Example: reelforge keys create --user ada --plan pro
    """
    from reelforge.studio.accounts import create_key

    with user_errors():
        _, db = _database(data, database_url, config, plan)
        made = create_key(db, user, plan, admin)
    role = ", admin" if made.user.admin else ""
    typer.echo(
        f"user {made.user.name} ({made.user.id}), plan {made.user.plan}{role}, key {made.key_id}"
    )
    typer.echo("the key (shown only now):")
    typer.echo(made.key)


@app.command("list")
def list_keys(
    user: str = typer.Option(..., "--user"),
    data: Path = DataOpt,
    database_url: str | None = DbOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """List a user's keys (their ids and first characters, never the keys)."""
    from reelforge.studio.accounts import list_keys as keys_of

    with user_errors():
        _, db = _database(data, database_url, config)
        for key in keys_of(db, user):
            state = "revoked" if key["revoked_at"] else "active"
            typer.echo(f"{key['id']}  {key['prefix']}...  {state}")


@app.command("revoke")
def revoke(
    key_id: str = typer.Argument(..., help="The key's id (from `keys list`)."),
    data: Path = DataOpt,
    database_url: str | None = DbOpt,
    config: Path | None = ConfigOpt,
) -> None:
    """Revoke a key: requests with it get 401 from now on."""
    from reelforge.studio.accounts import revoke_key

    with user_errors():
        _, db = _database(data, database_url, config)
        revoke_key(db, key_id)
    typer.echo(f"revoked {key_id}")
