"""The next step's batch, made on a worker thread while this step computes.

A training step is two parts: `prepare(batch, rng)` gathers the batch on the CPU (for the
transformer: 128 cached latents converted to float32 and padded text tokens, 30-40 ms a
step on the 2-vCPU VM), and the step function runs the model. On a GPU the second part
is queued kernels, so while step k computes, the CPU is free to prepare step k + 1; done
one after the other, the GPU waits for the CPU at every step.

What a step draws stays what it was: step k's batch is still the k-th of the sampler, drawn
on the main thread, and its `prepare` still gets the generator seeded by (seed, k), the same
generator the step function then goes on drawing from. So results are bit-identical with
the worker on or off, and `batches_state` gives the sampler's position before any batch
that was drawn ahead, so a checkpoint resumes exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from reelforge.train.batches import BucketBatches

PrepareFn = Callable[[tuple[str, list[int]], np.random.Generator], Any]
RngFn = Callable[[int], np.random.Generator]  # step → that step's generator


@dataclass
class _Ahead:
    step: int
    batches_state: dict  # the sampler's position before this step's batch was drawn
    rng: np.random.Generator
    result: Future


class Prefetcher:
    """`take(step)` → (prepared batch, rng) of that step; with `ahead`, the next step's
    batch is then prepared on a worker thread."""

    def __init__(self, batches: BucketBatches, prepare: PrepareFn, rng: RngFn, ahead: bool):
        self.batches, self.prepare, self.rng = batches, prepare, rng
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="prefetch") if ahead else None
        self.ahead: _Ahead | None = None

    def take(self, step: int) -> tuple[Any, np.random.Generator]:
        if self.ahead is not None and self.ahead.step == step:
            prepared, rng = self.ahead.result.result(), self.ahead.rng
            self.ahead = None
        else:
            self.drop()
            rng = self.rng(step)
            prepared = self.prepare(next(self.batches), rng)
        if self.pool is not None:
            state = self.batches.state_dict()
            batch, rng_next = next(self.batches), self.rng(step + 1)
            future = self.pool.submit(self.prepare, batch, rng_next)
            self.ahead = _Ahead(step + 1, state, rng_next, future)
        return prepared, rng

    def batches_state(self) -> dict:
        """The sampler's position as if nothing had been drawn ahead (for checkpoints)."""
        return self.ahead.batches_state if self.ahead is not None else self.batches.state_dict()

    def drop(self) -> None:
        """Forget a batch drawn ahead (waiting for its worker), putting the sampler back."""
        if self.ahead is None:
            return
        self.ahead.result.exception()  # wait; an error there is the dropped batch's own
        self.batches.load_state_dict(self.ahead.batches_state)
        self.ahead = None

    def close(self) -> None:
        self.drop()
        if self.pool is not None:
            self.pool.shutdown(wait=True)
