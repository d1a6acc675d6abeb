"""Re-cut: trims are frame-exact with the sound in sync; regenerated spans and
extensions change only what they should."""

import numpy as np
import pytest

from edit.recording import Recording
from reelforge.edit.extend import Sampling
from reelforge.edit.recut import extend_once, recut, trim
from reelforge.engines.base import GenerationCancelled
from reelforge.engines.native import NativeEngine
from reelforge.engines.native_weights import save_random_weights
from reelforge.types import Clip, InvalidInputError, UnsupportedError

RATE = 8_000
FAST = Sampling(steps=1)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """Random weights: 16:9 at 128x72, 12 fps, 25 frames a pass."""
    return NativeEngine(save_random_weights(tmp_path_factory.mktemp("recut-weights")))


def numbered(frames=36, fps=12.0, size=(128, 72)) -> Clip:
    """Frame t is grey level 5t; the sound's sample s is the time s / RATE, so any cut of
    picture and sound can be checked against each other."""
    w, h = size
    video = (np.arange(frames, dtype=np.uint8) * 5)[:, None, None, None]
    video = np.broadcast_to(video, (frames, h, w, 3)).copy()
    audio = (np.arange(round(frames / fps * RATE)) / RATE).astype(np.float32)[None]
    return Clip(video, fps, audio, RATE, {"source": "clip.mp4", "prompt": "a grey wall"})


def test_a_trim_is_frame_exact_and_the_sound_is_cut_at_the_same_instants():
    clip = numbered()
    out = trim(clip, 1.0, 2.5)
    assert np.array_equal(out.frames, clip.frames[12:30])
    assert out.audio.shape == (1, round(1.5 * RATE))
    assert out.audio[0, 0] == pytest.approx(1.0) and out.audio[0, -1] == pytest.approx(
        2.5, abs=1e-3
    )


def test_times_round_to_the_nearest_frame_at_any_rate():
    clip = numbered(frames=30, fps=29.97)
    out = trim(clip, 0.1, 0.5)  # frames 3 (0.1001 s) to 15 (0.5005 s)
    assert np.array_equal(out.frames, clip.frames[3:15])


def test_recut_regenerates_only_its_span_and_records_the_parent(engine):
    clip = numbered()
    out = recut(clip, 1.0, 3.0, engine=engine, regenerate_span=(1.5, 2.0), sampling=FAST)
    assert out.num_frames == 24
    span = slice(6, 12)  # 1.5-2.0 s of the source is frames 18-24, 6-12 of the re-cut
    assert np.array_equal(out.frames[:6], clip.frames[12:18])
    assert np.array_equal(out.frames[12:], clip.frames[24:36])
    assert not np.array_equal(out.frames[span], clip.frames[18:24])
    assert np.array_equal(out.audio, clip.audio[:, RATE : 3 * RATE])
    assert out.metadata["operation"] == "recut"
    assert out.metadata["parents"][0]["source"] == "clip.mp4"
    assert out.metadata["edit"]["span"] == [1.0, 3.0]
    assert out.metadata["edit"]["regenerated_frames"] == [6, 12]
    assert out.metadata["edit"]["joins"] == [[6, 12]]


def test_extending_both_ends_adds_the_asked_seconds_with_silence(engine):
    clip = numbered()
    out = recut(clip, 0.5, 2.0, engine=engine, extend_start=0.5, extend_end=1.0, sampling=FAST)
    assert out.num_frames == 6 + 18 + 12
    assert np.array_equal(out.frames[6:24], clip.frames[6:24])
    assert out.audio.shape == (1, round(36 / 12 * RATE))
    assert not out.audio[:, : RATE // 2].any() and not out.audio[:, -RATE:].any()
    assert np.array_equal(out.audio[:, RATE // 2 : 2 * RATE], clip.audio[:, RATE // 2 : 2 * RATE])
    assert out.metadata["edit"]["extended"] == [6, 12]
    assert out.metadata["edit"]["joins"] == [[6, 6], [24, 24]]  # where made meets kept


def test_an_upload_of_another_size_and_rate_is_extended_at_its_own(engine):
    clip = numbered(frames=24, fps=24.0, size=(90, 90))  # the engine makes 1:1 at 64x64
    out = extend_once(clip, engine, 0.5, sampling=FAST)
    assert out.frames.shape == (36, 90, 90, 3) and out.fps == 24.0
    assert np.array_equal(out.frames[:24], clip.frames)


def test_every_pass_samples_as_asked_and_progress_runs_to_the_end(engine):
    recording, seen = Recording(engine), []
    sampling = Sampling(steps=1, guidance=3.0, negative_prompt="blur")
    recut(numbered(), 0.5, 2.5, engine=recording, regenerate_span=(1.0, 1.5), extend_end=0.5,
          extend_start=0.5, sampling=sampling, on_progress=lambda f, m: seen.append(f))  # fmt: skip
    specs = [spec for spec, _ in recording.calls]
    assert len(specs) == 3  # the span made again, then each end
    assert all((s.guidance, s.negative_prompt, s.steps) == (3.0, "blur", 1) for s in specs)
    assert len({s.seed for s in specs}) == 3  # no two passes share their noise
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert any(1 / 3 < f < 2 / 3 for f in seen)  # one bar: the second pass in its middle third


def test_a_cancel_stops_the_recut_before_its_next_pass(engine):
    recording = Recording(engine)
    with pytest.raises(GenerationCancelled):
        recut(numbered(), 0.5, 2.5, engine=recording, regenerate_span=(1.0, 1.5), extend_end=0.5,
              sampling=FAST, should_cancel=lambda: len(recording.calls) > 0)  # fmt: skip
    assert len(recording.calls) == 1


def test_an_extension_too_long_for_the_engine_is_refused_before_any_pass(engine):
    recording = Recording(engine)
    with pytest.raises(UnsupportedError, match="longer than this engine makes"):
        recut(numbered(), 0.5, 2.5, engine=recording, regenerate_span=(1.0, 1.5),
              extend_end=5.0, sampling=FAST)  # fmt: skip
    assert recording.calls == []  # the span was not made again first


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"start": 2.0, "end": 1.0}, "end must come after start"),
        ({"start": 0.0, "end": 9.0}, "outside the clip"),
        ({"regenerate_span": (0.5, 1.0)}, "needs an engine"),
        ({"start": 1.0, "end": 2.0, "regenerate_span": (0.5, 1.5), "engine": "e"}, "inside"),
    ],
)
def test_bad_requests_say_what_to_change(engine, kwargs, says):
    if kwargs.get("engine") == "e":
        kwargs["engine"] = engine
    with pytest.raises(InvalidInputError, match=says):
        recut(numbered(), **kwargs)
