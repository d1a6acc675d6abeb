"""`data.render`: world scenes rendered straight into the latent cache, no dataset folder."""

from __future__ import annotations

import json

import numpy as np
import pytest

import reelforge.train.dit as dit_module
from reelforge.model.vae import VAEConfig
from reelforge.train.dit import train_dit
from reelforge.train.latents import LatentCache, cache_latents, object_cover
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


def test_object_cover_is_the_share_of_each_latent_voxels_pixels():
    masks = np.zeros((1, 9, 16, 16), bool)  # 1 + 4 * 2 frames: 3 latent frames of 2x2
    masks[0, 0, :8, :8] = True  # frame 0 alone is latent frame 0
    masks[0, 1:3, 8:, 8:12] = True  # 2 of latent frame 1's 4 frames, half the block
    masks[0, 5:9, :4, 8:] = True  # all 4 of latent frame 2's frames, half the block
    cover = object_cover(masks, VAEConfig())
    assert cover.shape == (1, 3, 2, 2)
    expected = np.zeros((3, 2, 2))
    expected[0, 0, 0], expected[1, 1, 1], expected[2, 0, 1] = 1.0, 0.25, 0.5
    np.testing.assert_allclose(cover[0], expected)


def test_a_rendered_cache_knows_where_the_objects_are(dit_config, tmp_path):
    rendered = LatentCache(cache_latents(_render_config(dit_config, tmp_path / "r")))
    assert rendered.has_objects
    covers = [rendered.objects(i) for i in range(len(rendered))]
    for i, cover in enumerate(covers):  # two buckets, two latent shapes
        assert cover.shape == rendered.latents(i).shape[1:]
        assert cover.min() >= 0 and cover.max() <= 1
    share = np.mean([c.mean() for c in covers])
    assert 0 < share < 0.5
    assert not LatentCache(cache_latents(dit_config(tmp_path / "d"))).has_objects


def test_loss_object_weighs_the_voxels_objects_cover(dit_config, tmp_path, monkeypatch):
    seen = []
    real = dit_module.flow_loss

    def spy(model, latents, *args, weight=None, **kwargs):
        seen.append((latents.shape, weight))
        return real(model, latents, *args, weight=weight, **kwargs)

    monkeypatch.setattr(dit_module, "flow_loss", spy)
    config = _render_config(
        dit_config, tmp_path, **{"loss.object": 10.0, "run.eval_every": 0, "run.steps": 4}
    )
    train_dit(config)
    for shape, weight in seen[:4]:  # the training steps (crops included)
        assert weight.shape == (shape[0], 1, *shape[2:])
        assert weight.min() >= 1 and weight.max() <= 11
    assert max(float(w.max()) for _, w in seen[:4]) > 1  # objects weigh more
    with pytest.raises(InvalidInputError, match="object cover") as e:
        train_dit(dit_config(tmp_path / "d", **{"loss.object": 10.0}))
    assert e.value.param == "loss.object"
