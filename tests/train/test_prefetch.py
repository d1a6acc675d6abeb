"""The prefetcher: the same batches and generators as without it, a sampler position
that ignores what was drawn ahead, errors raised where the batch is used."""

from __future__ import annotations

import threading

import pytest

from reelforge.train.batches import BucketBatches
from reelforge.train.loop import step_rng
from reelforge.train.prefetch import Prefetcher

GROUPS = {"a": list(range(10)), "b": [20, 21, 22]}


def _prepare(batch, rng):
    """What a real prepare does: reads the batch and draws from the step's generator."""
    return batch, int(rng.integers(1 << 30)), threading.current_thread().name


def _run(ahead: bool, steps: int = 7):
    feed = Prefetcher(BucketBatches(GROUPS, 2, seed=3), _prepare, lambda s: step_rng(5, s), ahead)
    out = []
    for step in range(steps):
        prepared, rng = feed.take(step)
        out.append((prepared[:2], int(rng.integers(1 << 30)), prepared[2]))
    feed.close()
    return out


def test_with_the_worker_every_step_gets_the_same_batch_and_generator():
    plain, ahead = _run(False), _run(True)
    assert [p[:2] for p in plain] == [p[:2] for p in ahead]
    assert all(not name.startswith("prefetch") for *_, name in plain)
    assert all(name.startswith("prefetch") for *_, name in ahead[1:])  # step 0 has no step -1


def test_the_sampler_position_leaves_out_the_batch_drawn_ahead():
    batches = BucketBatches(GROUPS, 2, seed=3)
    feed = Prefetcher(batches, _prepare, lambda s: step_rng(5, s), ahead=True)
    for step in range(4):
        feed.take(step)
    state = feed.batches_state()
    assert batches.state_dict() != state  # step 4's batch is already drawn
    resumed = BucketBatches(GROUPS, 2, seed=0)
    resumed.load_state_dict(state)
    expected = next(resumed)
    assert feed.take(4)[0][0] == expected
    feed.close()
    assert batches.state_dict() == resumed.state_dict()  # close put step 5's batch back


def test_taking_another_step_than_the_one_drawn_ahead_puts_that_batch_back():
    feed = Prefetcher(BucketBatches(GROUPS, 2, seed=3), _prepare, lambda s: step_rng(5, s), True)
    feed.take(0)  # draws step 1's batch ahead
    prepared, _ = feed.take(9)  # another step: step 1's batch goes back and is drawn afresh
    order = BucketBatches(GROUPS, 2, seed=3)
    first, second = next(order), next(order)
    assert prepared[0] == second != first
    assert prepared[1] == int(step_rng(5, 9).integers(1 << 30))  # step 9's generator
    feed.close()


def test_an_error_in_the_worker_is_raised_by_the_step_that_needs_the_batch():
    def prepare(batch, rng):
        if batch[1][0] == fail_on:
            raise ValueError("unreadable clip")
        return batch

    order = [next(b) for b in [BucketBatches(GROUPS, 2, seed=3)] for _ in range(3)]
    fail_on = order[2][1][0]
    feed = Prefetcher(BucketBatches(GROUPS, 2, seed=3), prepare, lambda s: step_rng(5, s), True)
    feed.take(0)
    feed.take(1)  # step 2's batch fails on the worker; step 1 is unaffected
    with pytest.raises(ValueError, match="unreadable clip"):
        feed.take(2)
    feed.close()


def test_prefetch_is_on_for_cuda_by_default_and_a_bad_value_is_refused():
    import torch

    from reelforge.train.loop import _prefetch_on
    from reelforge.types import InvalidInputError

    assert _prefetch_on("auto", torch.device("cuda")) and not _prefetch_on(
        "auto", torch.device("cpu")
    )
    assert _prefetch_on("on", torch.device("cpu")) and not _prefetch_on("off", torch.device("cuda"))
    with pytest.raises(InvalidInputError, match=r"run\.prefetch must be") as e:
        _prefetch_on("yes", torch.device("cpu"))
    assert e.value.param == "run.prefetch"
