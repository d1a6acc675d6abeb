"""`reelforge keys ...` and `reelforge serve --help` as an operator runs them: real
processes, the key read back from the data folder's database."""

from __future__ import annotations

import pytest

from cli_process import run_cli
from reelforge.studio.accounts import authenticate
from reelforge.studio.db import connect, database_url
from reelforge.studio.errors import AuthenticationError


@pytest.fixture(autouse=True)
def sqlite_only(monkeypatch):
    """The processes use the data folder's SQLite, whatever the environment says."""
    monkeypatch.delenv("REELFORGE_DATABASE_URL", raising=False)


def user_of(data, key: str):
    engine = connect(database_url(data, None))
    try:
        return authenticate(engine, key)
    finally:
        engine.dispose()


def test_create_list_revoke(tmp_path):
    data = tmp_path / "data"
    made = run_cli("keys", "create", "--user", "ada", "--plan", "pro", "--data", str(data), ok=True)
    key = made.stdout.strip().splitlines()[-1]
    assert key.startswith("rf-")
    ada = user_of(data, key)
    assert (ada.name, ada.plan) == ("ada", "pro")

    second = run_cli("keys", "create", "--user", "ada", "--data", str(data), ok=True)
    other = second.stdout.strip().splitlines()[-1]
    assert other != key and user_of(data, other) == ada  # same user, plan kept

    listed = run_cli("keys", "list", "--user", "ada", "--data", str(data), ok=True).stdout
    rows = [line.split() for line in listed.strip().splitlines()]
    assert [r[-1] for r in rows] == ["active", "active"]
    assert key not in listed and other not in listed
    assert rows[0][1] == key[:7] + "..."

    first_id = rows[0][0]
    run_cli("keys", "revoke", first_id, "--data", str(data), ok=True)
    with pytest.raises(AuthenticationError):
        user_of(data, key)
    assert user_of(data, other) == ada
    listed = run_cli("keys", "list", "--user", "ada", "--data", str(data), ok=True).stdout
    assert [line.split()[-1] for line in listed.strip().splitlines()] == ["revoked", "active"]


def test_unknown_plan_exits_2_listing_the_plans(tmp_path):
    proc = run_cli("keys", "create", "--user", "ada", "--plan", "gold", "--data", str(tmp_path))
    assert proc.returncode == 2
    assert "no plan named 'gold'; plans: plus, pro" in proc.stderr
    assert "rf-" not in proc.stdout


def test_new_user_without_plan_exits_2(tmp_path):
    proc = run_cli("keys", "create", "--user", "ada", "--data", str(tmp_path))
    assert proc.returncode == 2
    assert "needs a --plan" in proc.stderr


def test_serve_help_lists_its_options():
    proc = run_cli("serve", "--help", ok=True)
    for option in ("--host", "--port", "--data", "--workers", "--database-url", "--config"):
        assert option in proc.stdout
