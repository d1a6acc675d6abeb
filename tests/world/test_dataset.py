import json

import numpy as np
import pytest

from reelforge.types import InvalidInputError, NotFoundError
from reelforge.world.dataset import Bucket, WorldDataset, write_dataset

BUCKETS = (Bucket.parse("32x18x1@6"), Bucket.parse("18x32x0.5@6"))


@pytest.fixture(scope="module")
def dataset_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("ds")
    write_dataset(out, 5, seed=100, buckets=BUCKETS, shard_size=2, audio=True)
    return out


def test_shards_are_bucketed_by_shape(dataset_dir):
    ds = WorldDataset(dataset_dir)
    assert len(ds) == 5
    groups = ds.by_bucket()
    assert {k: len(v) for k, v in groups.items()} == {BUCKETS[0].name: 3, BUCKETS[1].name: 2}
    for name, items in groups.items():
        shapes = {ds[i][0].shape for i in items}
        assert len(shapes) == 1
        (shape,) = shapes
        bucket = ds.bucket_of(items[0])
        assert name == bucket.name
        assert shape == (bucket.frames, bucket.height, bucket.width, 3)


def test_records_carry_scene_caption_and_prompts(dataset_dir):
    ds = WorldDataset(dataset_dir)
    seeds = sorted(ds[i][1]["seed"] for i in range(len(ds)))
    assert seeds == list(range(100, 105))
    for i in range(len(ds)):
        frames, record = ds[i]
        assert frames.dtype == np.uint8
        assert record["caption"] and len(record["prompts"]) == 4
        audio = ds.audio(i)
        bucket = ds.bucket_of(i)
        assert audio.shape == (2, round(bucket.seconds * ds.index["audio_rate"]))


def test_a_dataset_is_reproducible(dataset_dir, tmp_path):
    write_dataset(tmp_path, 5, seed=100, buckets=BUCKETS, shard_size=2, audio=False)
    a, b = WorldDataset(dataset_dir), WorldDataset(tmp_path)
    for i in range(5):
        assert np.array_equal(a[i][0], b[i][0])
        assert a[i][1] == b[i][1]
    assert b.audio(0) is None
    index = json.loads((tmp_path / "index.json").read_text())
    assert index["count"] == 5 and index["seed"] == 100


def test_bad_requests(tmp_path, dataset_dir):
    with pytest.raises(InvalidInputError):
        Bucket.parse("256x144")
    with pytest.raises(InvalidInputError):
        write_dataset(dataset_dir, 2, buckets=BUCKETS)  # folder already holds a dataset
    with pytest.raises(InvalidInputError):
        write_dataset(tmp_path / "eval", 2, seed=999_999, buckets=BUCKETS)  # held-out seeds
    with pytest.raises(NotFoundError):
        WorldDataset(tmp_path / "missing")
