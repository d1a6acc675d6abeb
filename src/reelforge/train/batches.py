"""Which clips make each training batch: one bucket per batch, seeded, resumable.

Epoch e shuffles every bucket's items with a generator seeded by (seed, e), cuts each bucket
into batches (the last one topped up from the start of the same shuffle, so every batch has
`batch_size` clips of one shape), and shuffles the batches of all buckets together: a bucket
comes up in proportion to its size. The position (epoch, batch) is the sampler's whole
state, so a resumed run draws exactly the batches an uninterrupted one would.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from reelforge.types import InvalidInputError


class BucketBatches(Iterator[tuple[str, list[int]]]):
    """Endless (bucket name, item indices) batches; `state_dict` / `load_state_dict` resume."""

    def __init__(self, groups: dict[str, list[int]], batch_size: int, seed: int = 0):
        groups = {k: list(v) for k, v in groups.items() if v}
        if not groups:
            raise InvalidInputError("no training clips", param="data")
        self.groups, self.batch_size, self.seed = groups, batch_size, seed
        self.epoch, self.pos = 0, 0
        self._plan = self._make_epoch(0)

    def _make_epoch(self, epoch: int) -> list[tuple[str, list[int]]]:
        rng = np.random.default_rng([self.seed, epoch])
        batches = []
        for name in sorted(self.groups):
            items = rng.permutation(np.asarray(self.groups[name]))
            n = math.ceil(len(items) / self.batch_size)
            filled = np.resize(items, n * self.batch_size)  # top up from the start (cyclic)
            bs = self.batch_size
            batches += [(name, filled[i * bs : (i + 1) * bs].tolist()) for i in range(n)]
        return [batches[i] for i in rng.permutation(len(batches))]

    @property
    def batches_per_epoch(self) -> int:
        return len(self._plan)

    def __next__(self) -> tuple[str, list[int]]:
        if self.pos >= len(self._plan):
            self.epoch, self.pos = self.epoch + 1, 0
            self._plan = self._make_epoch(self.epoch)
        batch = self._plan[self.pos]
        self.pos += 1
        return batch

    def state_dict(self) -> dict:
        return {"epoch": self.epoch, "pos": self.pos, "seed": self.seed}

    def load_state_dict(self, state: dict) -> None:
        self.seed, self.epoch, self.pos = state["seed"], state["epoch"], state["pos"]
        self._plan = self._make_epoch(self.epoch)
