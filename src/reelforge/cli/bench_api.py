"""`reelforge bench api`: a running server as many clients at once see it: create-to-queued
latency, retrieve throughput and latency, then the deletes that empty the queue again.

Serve with `--workers 0` so the jobs stay queued and only the API is timed.
"""

from __future__ import annotations

import asyncio
import json
import math
import resource
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

_out = Console()
PROMPT = "a red ball bounces to the right at sunset, take {n}"
KEY_HELP = "An API key (`reelforge keys create`); default: $REELFORGE_API_KEY."


# -- one phase: N requests shared by the clients -------------------------------------------


@dataclass
class Phase:
    """The seconds of each successful request of one phase, and its failures."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None
    wall_s: float = 0.0
    client_cpu_s: float = 0.0

    def fail(self, message: str) -> None:
        self.errors += 1
        self.first_error = self.first_error or message

    def row(self) -> dict:
        done = sorted(self.latencies)
        ms = [1000 * s for s in done]
        return {
            "phase": self.name,
            "count": len(done) + self.errors,
            "errors": self.errors,
            "per_s": len(done) / self.wall_s if self.wall_s else 0.0,
            "p50_ms": _percentile(ms, 0.50),
            "p99_ms": _percentile(ms, 0.99),
            "max_ms": ms[-1] if ms else 0.0,
            "mean_ms": sum(ms) / len(ms) if ms else 0.0,
            "wall_s": self.wall_s,
            "client_cpu": self.client_cpu_s / self.wall_s if self.wall_s else 0.0,
            "first_error": self.first_error,
        }


def _percentile(ordered: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    if not ordered:
        return 0.0
    return ordered[min(len(ordered), max(1, math.ceil(q * len(ordered)))) - 1]


Request = Callable[[Any, int], Awaitable[str | None]]  # (client, index) -> what went wrong


async def _run(phase: Phase, clients: list, count: int, request: Request) -> Phase:
    """Requests 0..count-1, each sent by whichever client is free; `request` returns None
    or what went wrong."""
    import httpx

    todo = iter(range(count))  # shared: each index is taken by exactly one client

    async def client_loop(client: httpx.AsyncClient) -> None:
        for i in todo:
            t0 = time.perf_counter()
            try:
                problem = await request(client, i)
            except httpx.HTTPError as e:
                problem = f"{type(e).__name__}: {e}"
            if problem is None:
                phase.latencies.append(time.perf_counter() - t0)
            else:
                phase.fail(problem)

    cpu0, t0 = _cpu_s(), time.perf_counter()
    await asyncio.gather(*(client_loop(c) for c in clients))
    phase.wall_s, phase.client_cpu_s = time.perf_counter() - t0, _cpu_s() - cpu0
    return phase


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _problem(response) -> str | None:
    """A non-2xx answer, as the first error to show."""
    if response.is_success:
        return None
    request = response.request
    return f"{request.method} {request.url.path}: HTTP {response.status_code} {response.text[:500]}"


# -- the benchmark -------------------------------------------------------------------------


@dataclass
class Plan:
    base_url: str
    key: str
    clients: int
    creates: int
    retrievals: int
    size: str
    seconds: int


async def _benchmark(plan: Plan) -> tuple[float, list[Phase]]:
    """(the warm-up create's seconds, the phases)."""
    import httpx

    headers = {"Authorization": f"Bearer {plan.key}"}
    clients = [
        httpx.AsyncClient(base_url=plan.base_url, headers=headers, timeout=60)
        for _ in range(plan.clients)
    ]
    ids: list[str] = []
    body = {"size": plan.size, "seconds": str(plan.seconds)}

    async def create(client, i: int) -> str | None:
        response = await client.post("/videos", json={"prompt": PROMPT.format(n=i), **body})
        if problem := _problem(response):
            return problem
        video = response.json()
        ids.append(video["id"])
        if video.get("status") != "queued":
            return f"POST /videos answered status {video.get('status')!r}, not 'queued'"
        return None

    async def retrieve(client, i: int) -> str | None:
        return _problem(await client.get(f"/videos/{ids[i % len(ids)]}"))

    async def remove(client, i: int) -> str | None:
        return _problem(await client.delete(f"/videos/{ids[i]}"))

    phases: list[Phase] = []
    try:
        first_s = await _warm_up(clients[0], body)
        phases.append(await _run(Phase("create"), clients, plan.creates, create))
        if ids and plan.retrievals:
            phases.append(await _run(Phase("retrieve"), clients, plan.retrievals, retrieve))
    finally:  # empty the queue again, whatever happened
        phases.append(await _run(Phase("delete"), clients, len(ids), remove))
        for client in clients:
            await client.aclose()
    return first_s, phases


async def _warm_up(client, body: dict) -> float:
    """One create and delete outside the figures (a fresh server builds its engine on the
    first create); the create's seconds."""
    import httpx

    from reelforge.types import InvalidInputError

    t0 = time.perf_counter()
    try:
        response = await client.post("/videos", json={"prompt": "warm up", **body})
    except httpx.ConnectError:
        raise InvalidInputError(
            f"no server answers at {client.base_url}",
            param="base-url",
            hint="start one with `reelforge serve --workers 0`",
        ) from None
    if problem := _problem(response):
        raise InvalidInputError(f"the warm-up request failed: {problem}")
    seconds = time.perf_counter() - t0
    await client.delete(f"/videos/{response.json()['id']}")
    return seconds


# -- the command ---------------------------------------------------------------------------


def api_command(
    base_url: str = typer.Option("http://127.0.0.1:8000/v1", "--base-url", help="The API."),
    key: str | None = typer.Option(None, "--key", envvar="REELFORGE_API_KEY", help=KEY_HELP),
    clients: int = typer.Option(50, "--clients", min=1, help="Concurrent clients."),
    creates: int = typer.Option(200, "--creates", min=1, help="POST /videos requests."),
    retrievals: int = typer.Option(5000, "--retrievals", min=0, help="GET /videos/{id}."),
    size: str = typer.Option("128x72", "--size", help="The size the videos ask for."),
    seconds: int = typer.Option(1, "--seconds", min=1, help="The length they ask for."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Create-to-queued latency and retrieve throughput of a running server under
    concurrent clients; the videos made are deleted at the end (queued ones are cancelled).
    Any non-2xx answer is an error; errors exit with status 1.

    Example: reelforge serve --workers 0 & reelforge bench api --key rf-...
    """
    from reelforge.cli.bench import _machine
    from reelforge.cli.errors import user_errors
    from reelforge.types import InvalidInputError

    with user_errors():
        if not key:
            raise InvalidInputError(
                "an API key is needed", param="key", hint="--key KEY or REELFORGE_API_KEY"
            )
        plan = Plan(base_url.rstrip("/"), key, clients, creates, retrievals, size, seconds)
        first_s, phases = asyncio.run(_benchmark(plan))
    rows = [p.row() for p in phases]
    meta = {"machine": _machine(), "base_url": plan.base_url, "clients": clients}
    meta |= {"size": size, "seconds": seconds, "warm_up_create_ms": 1000 * first_s}
    if as_json:
        _out.print_json(json.dumps({"meta": meta, "rows": rows}))
    else:
        _table(meta, rows)
    if any(r["errors"] for r in rows):
        raise typer.Exit(1)


def _table(meta: dict, rows: list[dict]) -> None:
    table = Table(
        title=f"API benchmark: {meta['clients']} clients, {meta['base_url']}; latencies "
        "in ms, a create's until its 'queued' answer"
    )
    table.add_column("phase", no_wrap=True)
    for col in ("count", "errors", "req/s", "p50", "p99", "max", "mean", "client CPU"):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(
            r["phase"], str(r["count"]), str(r["errors"]), f"{r['per_s']:.0f}",
            f"{r['p50_ms']:.1f}", f"{r['p99_ms']:.1f}", f"{r['max_ms']:.1f}",
            f"{r['mean_ms']:.1f}", f"{100 * r['client_cpu']:.0f} %",
        )  # fmt: skip
    _out.print(table)
    for r in rows:
        if r["first_error"]:
            _out.print(f"{r['phase']}: first error: {r['first_error']}", highlight=False)
    warm = f"warm-up create (not in the figures): {meta['warm_up_create_ms']:.0f} ms"
    _out.print(f"{warm}; {meta['machine']}", highlight=False)
