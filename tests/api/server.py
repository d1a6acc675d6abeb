"""A real `reelforge serve` process on 127.0.0.1 for the API tests, on SQLite or on the
PostgreSQL of this machine (a fresh schema per server), driven by the real `openai`."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import openai

PG_URL = os.environ.get("REELFORGE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")

TEST_CONFIG = """
[server]
poll_after_ms = 200
max_upload_mb = 1
cleanup_interval_s = 1
stale_after_s = 20

[plans.pro]
max_short_side = 1080
max_seconds = 20
concurrency = 5
priority = 10
watermark = false
monthly_seconds = 6000
retention_days = 0
default_size = "128x72"

[plans.plus]
max_short_side = 480
max_seconds = 10
concurrency = 1
priority = 0
watermark = true
monthly_seconds = 600
retention_days = 30
default_size = "128x72"

[plans.tiny]          # a quota of 3 seconds, for the 429 test
max_short_side = 480
max_seconds = 4
concurrency = 1
watermark = true
monthly_seconds = 3
default_size = "128x72"

[plans.brief]         # files kept 2 seconds, for the expiry test
max_short_side = 480
max_seconds = 4
concurrency = 1
watermark = false
retention_days = 0.00002315
default_size = "128x72"
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`start()`, `kill()` (SIGKILL), `stop()`; `key(user, plan)`; `client(key)`."""

    def __init__(
        self, root: Path, database_url: str | None = None, workers: int = 1, config: str = ""
    ):
        self.root = root
        self.data = root / "data"
        self.config = root / "reelforge-test.toml"
        self.config.write_text(TEST_CONFIG + config)  # `config`: more TOML tables
        self.database_url = database_url
        self.workers = workers
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _common(self) -> list[str]:
        args = ["--data", str(self.data), "--config", str(self.config)]
        if self.database_url:
            args += ["--database-url", self.database_url]
        return args

    def start(self, timeout: float = 60) -> None:
        self.starts += 1
        log = (self.root / f"server-{self.starts}.log").open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "reelforge.cli",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                *self._common(),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log()}")
            try:
                if httpx.get(f"{self.base_url}/models", timeout=2).status_code == 401:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server did not start in {timeout} s:\n{self.log()}")

    def log(self) -> str:
        return (self.root / f"server-{self.starts}.log").read_text()

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when the machine loses power."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.kill()

    def key(self, user: str, plan: str = "pro", *, admin: bool = False) -> str:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "reelforge.cli",
                "keys",
                "create",
                "--user",
                user,
                "--plan",
                plan,
                *(["--admin"] if admin else []),
                *self._common(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.strip().splitlines()[-1]

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        """`reelforge ARGS --data ... --config ...` against this server's data."""
        return subprocess.run(
            [sys.executable, "-m", "reelforge.cli", *args, *self._common()],
            capture_output=True,
            text=True,
            timeout=120,
        )

    def client(self, key: str, **options) -> openai.OpenAI:
        return openai.OpenAI(base_url=self.base_url, api_key=key, max_retries=0, **options)


def new_user() -> str:
    return f"user-{secrets.token_hex(4)}"


def postgres_schema() -> tuple[str, str]:
    """A fresh schema in the test database: (its name, a URL whose search_path is it)."""
    import psycopg

    name = f"rf_{secrets.token_hex(6)}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    return name, f"{PG_URL}?options=-csearch_path%3D{name}"


def drop_schema(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
