"""`python -m reelforge.cli` runs the same app as the `reelforge` command."""

from reelforge.cli.main import app

app()
