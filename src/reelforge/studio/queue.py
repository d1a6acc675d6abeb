"""The job queue: the `videos` table, taken from by one query.

A worker claims the next job with a single UPDATE whose subquery picks, among queued
jobs of users below their plan's concurrency, the highest priority and then the oldest
(InvokeAI's session queue does the same; no broker on one machine). On SQLite the one
statement is atomic by itself; on PostgreSQL a transaction-scoped advisory lock makes
concurrent claims from several processes take turns, so the concurrency count they read
is exact, and SKIP LOCKED keeps them from waiting on a row another one holds.

Workers heartbeat their running jobs; a job whose worker died (its process is gone, or
its heartbeat is stale) goes back in the queue, up to `max_attempts` times.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.engine import Connection, Engine, Row

from reelforge.studio.db import usage, videos

CLAIM_LOCK = 0x7265656C  # "reel": the advisory lock PostgreSQL claims take turns on


@dataclass(frozen=True)
class WorkerId:
    """host:pid:n names a worker thread, so a restarted host can tell its dead workers."""

    host: str
    pid: int
    n: int

    @classmethod
    def here(cls, n: int) -> WorkerId:
        return cls(socket.gethostname(), os.getpid(), n)

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}:{self.n}"


def claim(db: Engine, worker: WorkerId) -> Row | None:
    """Take the next job for `worker` (now in_progress), or None when nothing may run."""
    v = videos.alias("v")
    r = videos.alias("r")
    running = (
        select(func.count())
        .select_from(r)
        .where(r.c.user_id == v.c.user_id, r.c.status == "in_progress")
        .scalar_subquery()
    )
    candidate = (
        select(v.c.seq)
        .where(v.c.status == "queued", running < v.c.concurrency)
        .order_by(v.c.priority.desc(), v.c.seq.asc())
        .limit(1)
    )
    postgres = db.dialect.name == "postgresql"
    if postgres:
        candidate = candidate.with_for_update(skip_locked=True, of=v)
    now = time.time()
    statement = (
        update(videos)
        .where(videos.c.seq == candidate.scalar_subquery(), videos.c.status == "queued")
        .values(
            status="in_progress",
            worker_id=str(worker),
            started_at=now,
            heartbeat_at=now,
            progress=0,
            attempts=videos.c.attempts + 1,
        )
        .returning(*videos.c)
    )
    with db.begin() as conn:
        if postgres:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CLAIM_LOCK})
        return conn.execute(statement).first()


def report_progress(db: Engine, video_id: str, worker: WorkerId, percent: int) -> bool:
    """Store progress; False when the job is no longer this worker's (deleted, requeued)."""
    with db.begin() as conn:
        done = conn.execute(
            _mine(video_id, worker).values(progress=percent, heartbeat_at=time.time())
        )
    return done.rowcount == 1


def heartbeat(db: Engine, worker: WorkerId) -> None:
    with db.begin() as conn:
        conn.execute(
            update(videos)
            .where(videos.c.worker_id == str(worker), videos.c.status == "in_progress")
            .values(heartbeat_at=time.time())
        )


def complete(
    db: Engine,
    video_id: str,
    worker: WorkerId,
    retention_s: float | None,
    seconds: str | None = None,
) -> bool:
    """Mark completed; `seconds` replaces an estimated length with the clip's own."""
    now = time.time()
    expires = now + retention_s if retention_s else None
    values = dict(status="completed", progress=100, completed_at=now, expires_at=expires)
    if seconds is not None:
        values["seconds"] = seconds
    with db.begin() as conn:
        done = conn.execute(_mine(video_id, worker).values(**values))
    return done.rowcount == 1


def hold_for_review(
    db: Engine, video_id: str, worker: WorkerId, seconds: str | None = None
) -> bool:
    """The job's files are made but moderation flagged them: it waits, `in_review`, for
    an admin (reviews.py); not counted as running, never requeued."""
    values = dict(status="in_review", progress=100, review="pending", worker_id=None)
    if seconds is not None:
        values["seconds"] = seconds
    with db.begin() as conn:
        done = conn.execute(_mine(video_id, worker).values(**values))
    return done.rowcount == 1


def fail(db: Engine, video_id: str, worker: WorkerId | None, error: dict) -> None:
    """Mark failed with `error` (code, message, param) and give back its quota seconds."""
    query = update(videos).where(videos.c.id == video_id)
    if worker is not None:
        query = query.where(videos.c.worker_id == str(worker))
    with db.begin() as conn:
        done = conn.execute(
            query.values(
                status="failed",
                completed_at=time.time(),
                error_code=error["code"],
                error_message=error["message"],
                error_param=error.get("param"),
            )
        )
        if done.rowcount:
            refund(conn, video_id)


def refund(conn: Connection, video_id: str) -> None:
    conn.execute(delete(usage).where(usage.c.video_id == video_id))


def requeue_interrupted(
    db: Engine, stale_after_s: float, max_attempts: int, *, at_start: bool
) -> list[str]:
    """Put back in the queue every running job whose worker is gone: a process of this
    host that no longer runs, or any worker silent for `stale_after_s`. `at_start`: this
    process has no workers yet, so a job under its own pid is an earlier process's (pids
    get reused). A job interrupted `max_attempts` times fails instead (it may be what
    kills the worker)."""
    host, now = socket.gethostname(), time.time()
    with db.connect() as conn:
        running = conn.execute(
            select(videos.c.id, videos.c.worker_id, videos.c.heartbeat_at, videos.c.attempts).where(
                videos.c.status == "in_progress"
            )
        ).all()
    requeued = []
    for job in running:
        gone = _worker_gone(job.worker_id, job.heartbeat_at, host, now, stale_after_s, at_start)
        if not gone:
            continue
        if job.attempts >= max_attempts:
            message = f"generation was interrupted {job.attempts} times; giving up"
            fail(db, job.id, None, {"code": "interrupted", "message": message})
            continue
        with db.begin() as conn:
            done = conn.execute(
                update(videos)
                .where(videos.c.id == job.id, videos.c.worker_id == job.worker_id)
                .where(videos.c.status == "in_progress")
                .values(status="queued", worker_id=None, progress=0)
            )
        if done.rowcount:
            requeued.append(job.id)
    return requeued


def _worker_gone(worker_id, heartbeat_at, host, now, stale_after_s, at_start) -> bool:
    if heartbeat_at is None or now - heartbeat_at > stale_after_s:
        return True
    whose_host, _, rest = (worker_id or "").partition(":")
    pid = rest.partition(":")[0]
    if whose_host != host or not pid.isdigit():
        return False  # another machine's worker, still beating
    if int(pid) == os.getpid():
        return at_start
    return not _process_alive(int(pid))


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def _mine(video_id: str, worker: WorkerId):
    return update(videos).where(
        videos.c.id == video_id,
        videos.c.worker_id == str(worker),
        videos.c.status == "in_progress",
    )


def release(db: Engine, video_id: str, worker: WorkerId) -> None:
    """Give a running job back to the queue (its worker is shutting down)."""
    with db.begin() as conn:
        conn.execute(
            _mine(video_id, worker).values(
                status="queued", worker_id=None, progress=0, attempts=videos.c.attempts - 1
            )
        )
