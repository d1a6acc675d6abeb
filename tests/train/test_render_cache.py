"""`data.render`: world scenes rendered straight into the latent cache, no dataset folder."""

from __future__ import annotations

import json

import numpy as np
import pytest

from reelforge.train.dit import train_dit
from reelforge.train.latents import LatentCache, cache_latents
from reelforge.types import InvalidInputError

SPECS = ["32x32x1.125@8", "64x32x1.125@8"]  # conftest's BUCKETS, the dataset fixture's


def _render_config(dit_config, out, **fields):
    return dit_config(
        out,
        **{"data.path": str(out / "no-dataset"), "data.render": 8, "data.buckets": SPECS} | fields,
    )


@pytest.mark.parametrize("workers", [1, 2])
def test_a_rendered_cache_holds_what_the_same_dataset_would(dit_config, tmp_path, workers):
    from_dataset = LatentCache(cache_latents(dit_config(tmp_path / "a")))
    config = _render_config(dit_config, tmp_path / "b", **{"cache.workers": workers})
    rendered = LatentCache(cache_latents(config))
    assert not (tmp_path / "b" / "no-dataset").exists()
    assert len(rendered) == len(from_dataset) == 8
    assert rendered.by_bucket() == from_dataset.by_bucket()
    for i in range(8):
        assert rendered.record(i) == from_dataset.record(i)
        np.testing.assert_array_equal(rendered.latents(i), from_dataset.latents(i))
        for (t1, p1), (t2, p2) in zip(rendered.texts(i), from_dataset.texts(i), strict=True):
            np.testing.assert_array_equal(t1, t2)
            np.testing.assert_array_equal(p1, p2)
    key = json.loads((config.cache_path / "index.json").read_text())["key"]
    assert key["dataset"] == {"seed": 0, "count": 8, "source": "render"}
    assert cache_latents(config) == config.cache_path  # reused, not rendered again


def test_render_seed_moves_the_scenes_and_a_dit_trains_on_them(dit_config, tmp_path):
    config = _render_config(dit_config, tmp_path, **{"data.render_seed": 100})
    result = train_dit(config)
    cache = LatentCache(config.cache_path)
    assert sorted(cache.record(i)["seed"] for i in range(len(cache))) == list(range(100, 108))
    assert result["dit"].is_file()


@pytest.mark.parametrize(
    ("fields", "param", "message"),
    [
        ({"data.buckets": []}, "data.buckets", "needs data.buckets"),
        ({"data.buckets": ["32x32_1.125s_8fps"]}, "data.buckets", "bucket specs"),
        ({"data.render_seed": 999_995}, "data.render", "held-out scenes"),
    ],
)
def test_bad_render_settings_are_refused_before_any_work(
    dit_config, tmp_path, fields, param, message
):
    config = _render_config(dit_config, tmp_path, **fields)
    with pytest.raises(InvalidInputError, match=message) as e:
        cache_latents(config)
    assert e.value.param == param
    assert not config.cache_path.exists()
