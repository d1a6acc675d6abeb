"""Extension as a user sees it: the clip's own frames kept, the right length, size, fps
and sound, long chains that continue each step, and joins no larger than the model's
own frame steps."""

import numpy as np
import pytest

from edit.recording import Recording
from reelforge.edit.extend import (
    ARRIVAL_FRAMES,
    CONTEXT_FRAMES,
    Sampling,
    extend,
    steps_to_reach,
)
from reelforge.edit.seams import frame_changes, seam_ratios
from reelforge.engines.frames import resize
from reelforge.engines.native import NativeEngine
from reelforge.engines.native_weights import save_random_weights
from reelforge.types import Clip, InvalidInputError
from reelforge.world.clip import render_clip
from reelforge.world.sampler import sample_scene

FAST = Sampling(steps=1)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    return NativeEngine(save_random_weights(tmp_path_factory.mktemp("extend-weights")))


@pytest.fixture(scope="module")
def clip():
    return render_clip(sample_scene(3), 128, 72, 12.0, 1.0)


@pytest.mark.parametrize("backward", [False, True])
def test_extension_keeps_the_clip_and_adds_the_asked_seconds(engine, clip, backward):
    out = extend(clip, engine, 1.5, backward=backward, prompt="a red ball", sampling=FAST)
    added = 18  # 1.5 s at 12 fps
    assert out.num_frames == clip.num_frames + added
    assert (out.width, out.height, out.fps) == (clip.width, clip.height, clip.fps)
    kept = out.frames[added:] if backward else out.frames[: clip.num_frames]
    assert np.array_equal(kept, clip.frames)
    samples = round(out.duration * clip.sample_rate)
    assert out.audio.shape == (clip.audio.shape[0], samples)
    own = clip.audio.shape[1]
    if backward:
        assert np.array_equal(out.audio[:, samples - own :], clip.audio)
        assert not out.audio[:, : samples - own].any()  # silence under the new frames
    else:
        assert np.array_equal(out.audio[:, :own], clip.audio)
        assert not out.audio[:, own:].any()
    assert out.metadata["operation"] == "extend"
    assert out.metadata["parents"][0]["frames"] == clip.num_frames
    assert out.metadata["edit"]["backward"] is backward
    join = added if backward else clip.num_frames  # the first frame past the seam
    assert out.metadata["edit"]["joins"] == [[join, join]]
    assert len(seam_ratios(out)) == 1
    assert out.metadata["prompt"] == "a red ball" and out.metadata["engine"] == "native"


def test_an_upload_of_any_size_and_fps_is_extended_at_its_own(engine, clip):
    frames = resize(np.repeat(clip.frames, 2, axis=0), (200, 150))  # 4:3 at 24 fps
    upload = Clip(frames, 24.0, metadata={"source": "upload.mp4"})
    out = extend(upload, engine, 1.0, sampling=FAST)
    assert out.frames.shape == (upload.num_frames + 24, 150, 200, 3) and out.fps == 24.0
    assert np.array_equal(out.frames[: upload.num_frames], upload.frames)
    assert out.audio is None
    assert out.metadata["parents"][0]["source"] == "upload.mp4"


def test_a_long_chain_reaches_a_minute_each_step_continuing_the_last(tmp_path):
    clip = render_clip(sample_scene(3), 64, 64, 12.0, 1.0, audio=False)  # small: 60 s is long
    times = steps_to_reach(clip, 4.0, 60.0)
    assert times == 15
    recording = Recording(NativeEngine(save_random_weights(tmp_path, max_frames=53)))
    out = extend(clip, recording, 4.0, times=times, sampling=FAST)
    assert out.duration >= 60.0 and out.num_frames == clip.num_frames + 15 * 48
    assert len(recording.calls) == 15  # one pass per step: 5 given + 48 new frames
    made = [c.frames[len(s.keyframes[0].frames) :] for s, c in recording.calls]
    for (spec, _), before in zip(recording.calls[1:], made, strict=False):
        given = spec.keyframes[0]
        assert given.index == 0 and np.array_equal(given.frames, before[-CONTEXT_FRAMES:])
    assert np.array_equal(recording.calls[0][0].keyframes[0].frames, clip.frames[-5:])
    assert len({spec.seed for spec, _ in recording.calls}) == len(recording.calls)
    assert out.metadata["edit"]["passes"] == len(recording.calls)


def test_a_backward_chain_leads_each_step_into_the_one_after(engine, clip):
    recording = Recording(engine)
    out = extend(clip, recording, 2.0, backward=True, times=3, sampling=FAST)
    assert out.num_frames == clip.num_frames + 72
    assert np.array_equal(out.frames[72:], clip.frames)
    first_spec = recording.calls[0][0]
    assert np.array_equal(first_spec.keyframes[-1].frames, clip.frames[:ARRIVAL_FRAMES])
    for (spec, _), (before, made) in zip(recording.calls[1:], recording.calls, strict=False):
        given, new = spec.keyframes[-1], made.frames[: before.num_frames - ARRIVAL_FRAMES]
        assert given.index + len(given.frames) == spec.num_frames  # at the pass's end
        assert np.array_equal(given.frames, new[:ARRIVAL_FRAMES])


def test_bad_lengths_are_refused_naming_them(engine, clip):
    with pytest.raises(InvalidInputError, match="seconds must be positive"):
        extend(clip, engine, 0)
    with pytest.raises(InvalidInputError, match=r"already 1\.00 s"):
        steps_to_reach(clip, 4.0, 0.5)


def test_the_join_is_no_larger_than_the_models_own_frame_steps():
    """The shipped model: the change across the join vs the largest change between the
    frames it made itself (its latent frames meet with a step every 4 frames)."""
    clip = render_clip(sample_scene(7), 128, 72, 12.0, 1.0, audio=False)
    out = extend(clip, NativeEngine(), 2.0, sampling=Sampling(steps=2))
    changes = frame_changes(out.frames)
    join = clip.num_frames - 1
    assert changes[join] <= 1.5 * changes[join + 1 :].max()
