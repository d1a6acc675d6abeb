"""How much of a training step's batch preparation `run.prefetch` hides behind compute
(docs/BENCHMARKS.md, "Training on a lent GPU").

    .venv/bin/python docs/benchmarks/prefetch_overlap.py CACHE [COMPUTE_MS] [STEPS]

Each step prepares a real batch of the GPU config (configs/train/gpu/dit.toml: 128 cached
clips, their texts) from the latent cache CACHE, then waits COMPUTE_MS (default 40) the way
the main thread waits on a GPU step: asleep, the GIL released. Without a GPU this is the
honest part to time: what the CPU does and whether it overlaps that wait.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from reelforge.train.batches import BucketBatches
from reelforge.train.config import DiTTrainConfig, load_config
from reelforge.train.dit import dit_batch
from reelforge.train.latents import LatentCache
from reelforge.train.loop import step_rng
from reelforge.train.prefetch import Prefetcher


def main(cache_path: str, compute_ms: str = "40", steps: str = "40") -> None:
    config = load_config(DiTTrainConfig, "configs/train/gpu/dit.toml", {})
    cache = LatentCache(cache_path)
    groups = {k: v for k, v in cache.by_bucket().items() if v}
    wait, n = float(compute_ms) / 1000, int(steps)
    for ahead in (False, True, False, True):
        batches = BucketBatches(groups, config.data.batch_size, seed=0)
        feed = Prefetcher(
            batches,
            lambda b, rng: dit_batch(cache, b[1], rng, config),
            lambda s: step_rng(0, s),
            ahead,
        )
        feed.take(0)  # warm: shards opened, pages read
        t0 = time.perf_counter()
        for step in range(1, n + 1):
            feed.take(step)
            time.sleep(wait)
        per_step = (time.perf_counter() - t0) / n * 1000
        feed.close()
        print(
            f"prefetch {'on ' if ahead else 'off'}: {per_step:.1f} ms a step ({compute_ms} ms of it compute)"
        )
    t0 = time.perf_counter()
    rng = np.random.default_rng(0)
    for _ in range(10):
        dit_batch(cache, next(batches)[1], rng, config)
    print(f"one batch prepared alone: {(time.perf_counter() - t0) * 100:.1f} ms")


if __name__ == "__main__":
    main(*sys.argv[1:])
