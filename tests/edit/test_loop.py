"""Looping as a user sees it: the clip kept, a bridge appended, and the seam on repeat
no larger than the model's own frame steps."""

import numpy as np
import pytest

from reelforge.edit.extend import Sampling
from reelforge.edit.loop import loop
from reelforge.edit.seams import frame_changes
from reelforge.engines.native import NativeEngine
from reelforge.engines.native_weights import save_random_weights
from reelforge.types import InvalidInputError
from reelforge.world.clip import render_clip
from reelforge.world.sampler import sample_scene


@pytest.fixture(scope="module")
def clip():
    return render_clip(sample_scene(3), 128, 72, 12.0, 1.0)


def test_a_loop_keeps_the_clip_and_appends_the_bridge(tmp_path, clip):
    engine = NativeEngine(save_random_weights(tmp_path))
    out = loop(clip, engine, 0.5, sampling=Sampling(steps=1))
    assert out.num_frames == clip.num_frames + 6 and out.fps == clip.fps
    assert np.array_equal(out.frames[: clip.num_frames], clip.frames)
    assert out.audio.shape[1] == round(out.duration * clip.sample_rate)
    assert not out.audio[:, clip.audio.shape[1] :].any()
    assert out.metadata["operation"] == "loop" and len(out.metadata["parents"]) == 1
    assert out.metadata["edit"]["bridge_frames"] == 6
    assert out.metadata["edit"]["joins"] == [[clip.num_frames, clip.num_frames]]
    with pytest.raises(InvalidInputError, match="seconds must be positive"):
        loop(clip, engine, -1)


def test_the_seam_on_repeat_is_no_larger_than_the_models_own_steps():
    """The shipped model: last frame → first frame, vs the bridge's own frame steps."""
    clip = render_clip(sample_scene(7), 128, 72, 12.0, 1.0, audio=False)
    out = loop(clip, NativeEngine(), 1.0, sampling=Sampling(steps=2))
    changes = frame_changes(np.concatenate([out.frames, out.frames[:1]]))
    seam, bridge = changes[-1], changes[clip.num_frames : -1]
    assert seam <= 1.5 * bridge.max()
