"""The queue's one claim query, on SQLite and PostgreSQL: priority, then age, within each
user's concurrency; each job taken once under concurrent claims; interrupted jobs back."""

from __future__ import annotations

import os
import socket
import threading
import time

from sqlalchemy import select, update

from reelforge.studio import queue
from reelforge.studio.db import videos
from reelforge.studio.queue import WorkerId

HOST = socket.gethostname()
W1, W2 = WorkerId(HOST, os.getpid(), 1), WorkerId(HOST, os.getpid(), 2)


def add(db, name: str, user: str, priority: int = 0, concurrency: int = 1) -> str:
    with db.begin() as conn:
        conn.execute(
            videos.insert().values(
                id=name,
                user_id=user,
                kind="create",
                model="m",
                engine="native",
                status="queued",
                progress=0,
                prompt="p",
                size="128x72",
                seconds="1",
                params="{}",
                priority=priority,
                concurrency=concurrency,
                watermark=False,
                created_at=time.time(),
                attempts=0,
            )
        )
    return name


def status(db, name: str) -> str:
    with db.connect() as conn:
        return conn.execute(select(videos.c.status).where(videos.c.id == name)).scalar_one()


def test_higher_priority_first_then_oldest(db):
    add(db, "old-plus", "a", priority=0, concurrency=5)
    add(db, "pro-1", "b", priority=10, concurrency=5)
    add(db, "new-plus", "a", priority=0, concurrency=5)
    add(db, "pro-2", "b", priority=10, concurrency=5)
    order = [queue.claim(db, W1).id for _ in range(4)]
    assert order == ["pro-1", "pro-2", "old-plus", "new-plus"]
    assert queue.claim(db, W1) is None


def test_a_user_at_their_concurrency_waits_while_others_run(db):
    add(db, "a1", "a", priority=10, concurrency=1)
    add(db, "a2", "a", priority=10, concurrency=1)
    add(db, "b1", "b", priority=0, concurrency=1)
    assert queue.claim(db, W1).id == "a1"
    assert queue.claim(db, W2).id == "b1"  # a2 waits: a already runs one
    assert queue.claim(db, W2) is None
    assert queue.complete(db, "a1", W1, None)
    assert queue.claim(db, W1).id == "a2"


def test_concurrent_claims_take_each_job_once(db):
    names = [add(db, f"job-{i}", f"user-{i % 4}", concurrency=50) for i in range(40)]
    taken: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        me = WorkerId(HOST, os.getpid(), n)
        while (job := queue.claim(db, me)) is not None:
            with lock:
                taken.append(job.id)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(taken) == sorted(names)


def test_concurrency_holds_under_concurrent_claims(db):
    for i in range(10):
        add(db, f"a{i}", "a", concurrency=2)
    results = []
    threads = [
        threading.Thread(target=lambda n=n: results.append(queue.claim(db, WorkerId("h", 1, n))))
        for n in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r is not None for r in results) == 2


def test_progress_complete_and_fail_belong_to_the_claiming_worker(db):
    add(db, "x", "a")
    assert queue.claim(db, W1).id == "x"
    assert queue.report_progress(db, "x", W1, 40)
    assert not queue.report_progress(db, "x", W2, 50)  # not W2's job
    assert not queue.complete(db, "x", W2, None)
    assert queue.complete(db, "x", W1, 3600)
    with db.connect() as conn:
        row = conn.execute(select(videos).where(videos.c.id == "x")).one()
    assert (row.status, row.progress) == ("completed", 100)
    assert row.expires_at - row.completed_at == 3600


def test_interrupted_jobs_are_requeued_and_give_up_after_max_attempts(db):
    add(db, "crashed", "a")
    dead = WorkerId(HOST, 999_999_999, 0)  # no such process
    assert queue.claim(db, dead).id == "crashed"
    assert queue.requeue_interrupted(db, 60, 3, at_start=True) == ["crashed"]
    assert status(db, "crashed") == "queued"
    with db.begin() as conn:  # two more crashes
        conn.execute(update(videos).where(videos.c.id == "crashed").values(attempts=2))
    assert queue.claim(db, dead).id == "crashed"
    assert queue.requeue_interrupted(db, 60, 3, at_start=True) == []
    assert status(db, "crashed") == "failed"


def test_a_live_workers_job_stays_unless_its_heartbeat_is_stale(db):
    add(db, "live", "a")
    assert queue.claim(db, W1).id == "live"  # this process: alive
    assert queue.requeue_interrupted(db, 60, 3, at_start=False) == []
    assert queue.requeue_interrupted(db, 60, 3, at_start=True) == ["live"]  # an earlier us
    assert queue.claim(db, WorkerId("elsewhere", 1, 0)).id == "live"
    assert queue.requeue_interrupted(db, 60, 3, at_start=False) == []  # other host, beating
    with db.begin() as conn:
        conn.execute(update(videos).values(heartbeat_at=time.time() - 120))
    assert queue.requeue_interrupted(db, 60, 3, at_start=False) == ["live"]


def test_release_puts_a_job_back_without_counting_an_attempt(db):
    add(db, "y", "a")
    assert queue.claim(db, W1).attempts == 1
    queue.release(db, "y", W1)
    assert status(db, "y") == "queued"
    assert queue.claim(db, W1).attempts == 1
