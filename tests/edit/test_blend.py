"""Blending as a user sees it: a transition keeps A and B and bridges them smoothly; a
mix starts as A and ends as B over A's length; both keep A's size, fps and sound."""

import numpy as np
import pytest

from reelforge.edit.blend import mix, transition
from reelforge.edit.extend import Sampling
from reelforge.edit.seams import frame_changes
from reelforge.engines.frames import resize
from reelforge.engines.native import NativeEngine
from reelforge.engines.native_weights import save_random_weights
from reelforge.types import Clip
from reelforge.world.clip import render_clip
from reelforge.world.sampler import sample_scene

FAST = Sampling(steps=1)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    return NativeEngine(save_random_weights(tmp_path_factory.mktemp("blend-weights")))


@pytest.fixture(scope="module")
def a():
    return render_clip(sample_scene(3), 128, 72, 12.0, 1.0)


@pytest.fixture(scope="module")
def b():
    """Another size and rate, without sound: brought to A's."""
    clip = render_clip(sample_scene(5), 128, 72, 12.0, 1.5, audio=False)
    return Clip(resize(np.repeat(clip.frames, 2, axis=0), (192, 108)), 24.0)


def test_a_transition_keeps_both_clips_around_the_bridge(engine, a, b):
    out = transition(a, b, engine, 0.5, sampling=FAST)
    assert out.num_frames == a.num_frames + 6 + 18 and (out.width, out.fps) == (128, 12.0)
    assert np.array_equal(out.frames[: a.num_frames], a.frames)
    assert np.array_equal(out.frames[-18:], resize(b.frames[::2], (128, 72)))
    assert out.audio.shape[1] == round(out.duration * a.sample_rate)
    assert np.array_equal(out.audio[:, : a.audio.shape[1]], a.audio)
    assert not out.audio[:, a.audio.shape[1] :].any()  # silence under the bridge and B
    assert out.metadata["edit"]["bridge"] == [a.num_frames, a.num_frames + 6]
    n = a.num_frames
    assert out.metadata["edit"]["joins"] == [[n, n], [n + 6, n + 6]]
    assert [p["frames"] for p in out.metadata["parents"]] == [a.num_frames, b.num_frames]
    alone = transition(a, b, engine, 0.5, join=False, sampling=FAST)
    assert alone.num_frames == 6 and alone.metadata["edit"]["joined"] is False


def test_a_mix_has_as_length_and_fades_the_sound_from_a_to_b(engine, a, b):
    out = mix(a, b, engine, "mild", sampling=FAST)
    assert out.frames.shape == a.frames.shape and out.fps == a.fps
    assert np.allclose(out.audio[:, :10], a.audio[:, :10], atol=1e-3)
    assert np.allclose(out.audio[:, -100:], 0.0, atol=1e-3)  # all B's, and B is silent
    assert out.metadata["edit"] == {"mode": "mix", "strength": 0.55}
    assert len(out.metadata["parents"]) == 2


def test_the_shipped_model_bridges_and_mixes_smoothly():
    a = render_clip(sample_scene(3), 128, 72, 12.0, 2.0, audio=False)
    b = render_clip(sample_scene(8), 128, 72, 12.0, 2.0, audio=False)
    engine = NativeEngine()
    out = transition(a, b, engine, 1.0, sampling=Sampling(steps=2))
    changes = frame_changes(out.frames)
    start, end = out.metadata["edit"]["bridge"]
    cut = frame_changes(np.stack([a.frames[-1], b.frames[0]]))[0]
    assert changes[start - 1 : end].max() < cut  # smoother than cutting from A to B
    blended = mix(a, b, engine, 0.6, sampling=Sampling(steps=2)).frames.astype(float)
    assert np.abs(blended[0] - a.frames[0]).mean() < np.abs(blended[0] - b.frames[0]).mean()
    assert np.abs(blended[-1] - b.frames[-1]).mean() < np.abs(blended[-1] - a.frames[-1]).mean()
