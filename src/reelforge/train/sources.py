"""Where the latent cache's clips come from: a `reelforge world dataset` folder, or the
world renderer itself (`data.render`).

Rendering straight into the cache skips the dataset folder: a 4 s 128x72 clip is 1.3 MB
of raw frames, so the 20,000 scenes a GPU run wants would be 26 GB on disk before a single
latent exists. Scenes render in `cache.workers` processes while the main process encodes.

A render source also gives where each clip's objects show (`object_masks`), which the
cache keeps per latent voxel for `loss.object`. It numbers its clips the way a dataset
made with the same seed, count and buckets (`write_dataset`) does: bucket by bucket,
scene seed + i framed by bucket i mod (number of buckets). So its item i is that
dataset's item i, frame for frame.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Protocol

import numpy as np

from reelforge.train.config import DiTTrainConfig
from reelforge.train.data import bucket_shapes, open_dataset, select_buckets
from reelforge.types import InvalidInputError
from reelforge.world.dataset import Bucket, render_with_objects
from reelforge.world.sampler import EVAL_SEED_START


class ClipSource(Protocol):
    """Clips grouped by bucket, read (or rendered) in the order asked for."""

    key: dict  # what the clips are, for the cache key
    groups: dict[str, list[int]]  # bucket name -> item numbers
    shapes: dict[str, Bucket]

    def clips(self, items: list[int]) -> Iterator[tuple[np.ndarray, dict, np.ndarray | None]]:
        """(frames (T, H, W, 3) uint8, record with caption and prompts, bool (T, H, W)
        masks of where objects show, or None where the source has none) per item."""
        ...

    def close(self) -> None: ...


class DatasetSource:
    def __init__(self, config: DiTTrainConfig):
        self.ds = open_dataset(config.data.path)
        self.groups = select_buckets(self.ds.by_bucket(), config.data.buckets)
        self.shapes = bucket_shapes(self.ds, self.groups)
        self.key = {"seed": self.ds.index["seed"], "count": self.ds.index["count"]}

    def clips(self, items: list[int]) -> Iterator[tuple[np.ndarray, dict, None]]:
        return ((*self.ds[i], None) for i in items)

    def close(self) -> None:
        pass


class RenderSource:
    def __init__(self, config: DiTTrainConfig):
        data = config.data
        self.seed, self.count = data.render_seed, data.render
        if self.seed + self.count > EVAL_SEED_START:
            raise InvalidInputError(
                f"data.render_seed {self.seed} + data.render {self.count} reaches the "
                "held-out scenes",
                param="data.render",
                hint=f"training seeds must stay below {EVAL_SEED_START}",
            )
        if not data.buckets:
            raise InvalidInputError(
                "data.render needs data.buckets: the sizes to render",
                param="data.buckets",
                hint='list specs like "128x72x4@12"',
            )
        self.buckets = [_parse_bucket(b) for b in data.buckets]
        n = len(self.buckets)
        self.seeds: list[int] = []  # item -> scene seed, dataset order (bucket by bucket)
        self.groups, self.shapes = {}, {}
        for k, bucket in enumerate(self.buckets):
            first = len(self.seeds)
            self.seeds += range(self.seed + k, self.seed + self.count, n)
            self.groups[bucket.name] = list(range(first, len(self.seeds)))
            self.shapes[bucket.name] = bucket
        self.key = {"seed": self.seed, "count": self.count, "source": "render"}
        self.workers = config.cache.workers
        self.pool = ProcessPoolExecutor(self.workers) if self.workers > 1 else None

    def clips(self, items: list[int]) -> Iterator[tuple[np.ndarray, dict, np.ndarray]]:
        n = len(self.buckets)  # a scene's bucket follows from its seed
        jobs = [(s, self.buckets[(s - self.seed) % n]) for s in (self.seeds[i] for i in items)]
        if self.pool is None:
            return (_render(job) for job in jobs)
        return _in_order(self.pool, jobs, ahead=8 * self.workers)

    def close(self) -> None:
        if self.pool:
            self.pool.shutdown(cancel_futures=True)


def _render(job: tuple[int, Bucket]) -> tuple[np.ndarray, dict, np.ndarray]:
    return render_with_objects(*job)


def _in_order(pool: ProcessPoolExecutor, jobs: list, ahead: int) -> Iterator:
    """_render over jobs in order, at most `ahead` submitted and not yet taken.
    Executor.map would submit every job at once, and rendered clips wait in memory for
    the encoder: at 1.3 MB a clip, a run of 20,000 scenes could hold 26 GB."""
    pending: deque[Future] = deque()
    for job in jobs:
        pending.append(pool.submit(_render, job))
        if len(pending) >= ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _parse_bucket(text: str) -> Bucket:
    try:
        return Bucket.parse(text)
    except InvalidInputError as e:
        raise InvalidInputError(
            f"data.render needs bucket specs in data.buckets; {text!r} is not one",
            param="data.buckets",
            hint='write WxHxSECONDS[@FPS], e.g. "128x72x4@12"',
        ) from e


def clip_source(config: DiTTrainConfig) -> ClipSource:
    return RenderSource(config) if config.data.render else DatasetSource(config)
