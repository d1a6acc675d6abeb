"""Running `reelforge ...` the way a user does: a real process, output captured."""

from __future__ import annotations

import subprocess
import sys


def run_cli(*args: str, ok: bool | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """`python -m reelforge.cli ARGS`; with ok=True, assert it exited 0 (showing stderr)."""
    proc = subprocess.run(
        [sys.executable, "-m", "reelforge.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc
