"""Batches: one bucket each, buckets in proportion to size, seeded, resumable; frames."""

from __future__ import annotations

from collections import Counter
from itertools import islice

import numpy as np
import pytest

from reelforge.train.batches import BucketBatches
from reelforge.train.config import VAEDataConfig
from reelforge.train.data import select_buckets, split_holdout, usable_frames
from reelforge.train.vae import pick_frames
from reelforge.types import InvalidInputError

GROUPS = {"big": list(range(12)), "small": [100, 101, 102, 103], "tiny": [200]}


def test_every_batch_is_one_full_bucket_and_buckets_come_in_proportion():
    sampler = BucketBatches(GROUPS, batch_size=4, seed=0)
    assert sampler.batches_per_epoch == 3 + 1 + 1
    epoch = list(islice(sampler, 5))
    assert Counter(name for name, _ in epoch) == {"big": 3, "small": 1, "tiny": 1}
    for name, items in epoch:
        assert len(items) == 4 and set(items) <= set(GROUPS[name])
    big = sorted(i for name, items in epoch if name == "big" for i in items)
    assert big == GROUPS["big"]  # each clip once per epoch
    assert dict(epoch)["tiny"] == [200] * 4  # a bucket smaller than a batch is repeated


def test_the_seed_decides_the_order_and_epochs_differ():
    a = list(islice(BucketBatches(GROUPS, 4, seed=1), 10))
    assert a == list(islice(BucketBatches(GROUPS, 4, seed=1), 10))
    assert a != list(islice(BucketBatches(GROUPS, 4, seed=2), 10))
    assert a[:5] != a[5:]


def test_a_restored_sampler_continues_where_the_first_stopped():
    first = BucketBatches(GROUPS, 4, seed=3)
    list(islice(first, 7))
    state = first.state_dict()
    second = BucketBatches(GROUPS, 4, seed=3)
    second.load_state_dict(state)
    assert list(islice(second, 9)) == list(islice(first, 9))


@pytest.mark.parametrize(("frames", "usable"), [(48, 45), (49, 49), (9, 9), (10, 9), (1, 1)])
def test_clips_are_trimmed_to_1_plus_4k_frames(frames, usable):
    assert usable_frames(frames) == usable


def test_vae_batches_are_clips_crops_or_single_frames():
    clips = np.arange(3 * 12 * 2 * 2 * 3, dtype=np.uint8).reshape(3, 12, 2, 2, 3)
    rng = np.random.default_rng(0)
    whole = pick_frames(clips, rng, VAEDataConfig(crop_prob=0, image_prob=0))
    assert np.array_equal(whole, clips[:, :9])
    crop = pick_frames(clips, rng, VAEDataConfig(crop_prob=1, crop_frames=5, image_prob=0))
    assert crop.shape == (3, 5, 2, 2, 3)
    for b in range(3):  # a window of consecutive frames of the same clip
        start = next(t for t in range(12) if np.array_equal(clips[b, t], crop[b, 0]))
        assert np.array_equal(crop[b], clips[b, start : start + 5])
    still = pick_frames(clips, rng, VAEDataConfig(image_prob=1))
    assert still.shape == (3, 1, 2, 2, 3)


def test_buckets_by_name_or_spec_and_a_held_out_tail():
    groups = {"32x32_1.125s_8fps": [0, 1, 2], "64x32_1.125s_8fps": [3, 4, 5, 6]}
    assert list(select_buckets(groups, ["32x32x1.125@8"])) == ["32x32_1.125s_8fps"]
    with pytest.raises(InvalidInputError, match="not in the dataset"):
        select_buckets(groups, ["16x16x1@8"])
    train, (name, held) = split_holdout(groups, 2)
    assert (name, held, train[name]) == ("64x32_1.125s_8fps", [5, 6], [3, 4])
    with pytest.raises(InvalidInputError, match="holdout"):
        split_holdout(groups, 4)
