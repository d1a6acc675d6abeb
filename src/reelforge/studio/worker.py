"""Workers: threads in the server process that take jobs from the queue and run them.

Each worker claims a job (queue.claim), renders it (render.py) while storing progress
(which is also how it learns that the job was deleted: the row is gone, so it stops at
the next step), has moderation look at the output, marks and stores the files
(outputs.py) and marks the job completed, or holds it for review when moderation
flagged it (reviews.py). A failure
ends the job as failed with the error's message and gives its quota seconds back.
A heartbeat thread keeps the worker's running job marked alive for recovery.
"""

from __future__ import annotations

import logging
import threading
import time

from reelforge.engines import GenerationCancelled
from reelforge.studio import moderation, queue
from reelforge.studio.context import Context
from reelforge.studio.outputs import invisible_mark, store_outputs
from reelforge.studio.render import render
from reelforge.studio.render_edits import KINDS as EDIT_KINDS
from reelforge.studio.signing import JobSigner
from reelforge.studio.submit import seconds_text
from reelforge.types import ReelforgeError

logger = logging.getLogger(__name__)

IDLE_WAIT_S = 1.0  # how long an idle worker sleeps unless a new job wakes it
PROGRESS_EVERY_S = 0.5  # at most this often a progress write
HEARTBEAT_S = 5.0


class Worker:
    def __init__(self, ctx: Context, n: int):
        self.ctx = ctx
        self.id = queue.WorkerId.here(n)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"reelforge-worker-{n}")
        self._beat = threading.Thread(target=self._heartbeat, name=f"reelforge-beat-{n}")

    def start(self) -> None:
        self._thread.start()
        self._beat.start()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self.ctx.wake.set()
        self._thread.join(timeout)
        self._beat.join(timeout)

    # -- the loop ---------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                job = queue.claim(self.ctx.db, self.id)
            except Exception:
                logger.exception("claiming a job failed; retrying")
                job = None
            if job is None:
                self.ctx.wake.wait(IDLE_WAIT_S)
                self.ctx.wake.clear()
                continue
            self.run(job)

    def run(self, job) -> None:
        progress = _Progress(self, job.id)
        started = time.monotonic()
        try:
            clip = render(self.ctx, job, progress, progress.cancelled)
            if progress.lost:
                return
            flagged = moderation.check_output(self.ctx, job, clip).flagged
            clip = invisible_mark(self.ctx.mark, job.id, clip)
            store_outputs(self.ctx.storage, job, clip, JobSigner(self.ctx, job))
            # an editing job's length was estimated at submission; the clip's is exact
            seconds = seconds_text(clip.duration) if job.kind in EDIT_KINDS else None
            if flagged:
                kept = queue.hold_for_review(self.ctx.db, job.id, self.id, seconds)
            else:
                kept = queue.complete(self.ctx.db, job.id, self.id, job.retention_s, seconds)
            if not kept:
                self.ctx.storage.delete_video(job.id)  # deleted while it was being stored
            state = "held for review" if flagged else "done"
            logger.info("video %s %s in %.1f s", job.id, state, time.monotonic() - started)
        except GenerationCancelled:
            self.ctx.storage.delete_video(job.id)
            if not progress.lost:  # the server is stopping: the next start runs it again
                queue.release(self.ctx.db, job.id, self.id)
            logger.info("video %s stopped (%s)", job.id, "deleted" if progress.lost else "shutdown")
        except ReelforgeError as e:
            queue.fail(
                self.ctx.db, job.id, self.id, {"code": e.code, "message": str(e), "param": e.param}
            )
        except Exception as e:
            logger.exception("video %s failed", job.id)
            message = f"internal error while generating: {type(e).__name__}: {e}"
            queue.fail(self.ctx.db, job.id, self.id, {"code": "internal_error", "message": message})

    def _heartbeat(self) -> None:
        while not self._stop.wait(HEARTBEAT_S):
            try:
                queue.heartbeat(self.ctx.db, self.id)
            except Exception:
                logger.exception("heartbeat failed")


class _Progress:
    """The engine's progress callback: writes the percentage (throttled) and remembers
    when the job stopped being this worker's, which `cancelled` then reports."""

    def __init__(self, worker: Worker, video_id: str):
        self.worker, self.video_id = worker, video_id
        self.lost = False
        self._last_write = 0.0
        self._last_percent = -1

    def __call__(self, fraction: float, message: str) -> None:
        percent = min(99, int(fraction * 100))  # 100 is written with `completed`
        now = time.monotonic()
        if percent == self._last_percent or now - self._last_write < PROGRESS_EVERY_S:
            return
        self._last_write, self._last_percent = now, percent
        ctx = self.worker.ctx
        if not queue.report_progress(ctx.db, self.video_id, self.worker.id, percent):
            self.lost = True

    def cancelled(self) -> bool:
        return self.lost or self.worker._stop.is_set()
