"""Long clips as chained windows, on tiny random weights: a window of 13 frames (4 latent
frames), 5 frames of overlap, so windows start every 8 frames; up to 2.5 s (30 frames)."""

import numpy as np
import pytest

import reelforge.engines.native as native
from reelforge.engines import GenerationCancelled, get_engine
from reelforge.engines.native_weights import save_random_weights
from reelforge.engines.windows import spans, window_spec
from reelforge.types import Clip, GenerationSpec, Keyframe, UnsupportedError

WINDOW, OVERLAP = 13, 5


@pytest.fixture(scope="module")
def long_weights(tmp_path_factory):
    """The conftest's networks (same seed) with a 13-frame pass and max_seconds 2.5."""
    return save_random_weights(tmp_path_factory.mktemp("long"), max_frames=13, max_seconds=2.5)


@pytest.fixture(scope="module")
def engine(long_weights):
    return get_engine("native", weights=long_weights)


@pytest.fixture(scope="module")
def video():
    """uint8 (30, 72, 128, 3): a coloured gradient drifting right."""
    y, x = np.mgrid[0:72, 0:128]
    t = np.arange(30)[:, None, None]
    rgb = [40 + 1.5 * (x + 4 * t), 40 + 2.0 * y + 0 * t, 200 - 6 * t + 0 * x]
    return np.stack(rgb, axis=-1).clip(0, 255).astype(np.uint8)


def spec(**kw) -> GenerationSpec:
    return GenerationSpec(**{"prompt": "a red ball bounces", "width": 128, "height": 72,
                             "num_frames": 20, "fps": 12.0, "seed": 1, **kw})  # fmt: skip


# ---------------------------------------------------------------------------
# Cutting a clip into windows
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (13, [(0, 13)]),
        (14, [(0, 13), (8, 14)]),
        (21, [(0, 13), (8, 21)]),
        (29, [(0, 13), (8, 21), (16, 29)]),
    ],
)
def test_windows_cover_the_clip_each_overlapping_the_last(total, expected):
    assert spans(total, WINDOW, OVERLAP) == expected


def test_a_later_window_gets_the_tail_and_its_own_keyframes(video):
    keys = [Keyframe(0, video[0]), Keyframe(10, video[10:24]), Keyframe(28, video[28])]
    long = spec(num_frames=29, keyframes=keys, width=256, height=144)
    tail = np.zeros((OVERLAP, 72, 128, 3), np.uint8)
    part = window_spec(long, (128, 72), (8, 21), 1, WINDOW, tail)
    assert (part.width, part.height, part.num_frames, part.seed) == (128, 72, 13, 2)
    assert [(k.index, len(k.frames)) for k in part.keyframes] == [(0, 5), (5, 8)]
    assert np.array_equal(part.keyframes[1].frames, video[13:21])  # frames 10-12 are the tail's
    last = window_spec(long, (128, 72), (16, 29), 2, WINDOW, tail)
    assert [(k.index, len(k.frames)) for k in last.keyframes] == [(0, 5), (5, 3), (12, 1)]


def test_a_source_and_mask_are_cut_per_window(video):
    mask = np.arange(29) >= 20
    long = spec(num_frames=29, source=Clip(video[:25], 12.0), mask=mask)
    part = window_spec(long, (128, 72), (16, 29), 2, WINDOW, video[:OVERLAP])
    assert np.array_equal(part.mask, mask[16:29])
    assert np.array_equal(part.source.frames[:9], video[16:25])  # then its last frame, held
    assert np.array_equal(part.source.frames[9:], np.repeat(video[24:25], 4, axis=0))


# ---------------------------------------------------------------------------
# Generating across windows
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("frames", "count"), [(20, 2), (29, 3)])
def test_long_clips_have_the_requested_frames_and_size(engine, frames, count):
    clip = engine.generate(spec(num_frames=frames, width=256, height=144))
    assert clip.frames.shape == (frames, 144, 256, 3)
    assert clip.metadata["windows"] == count and clip.metadata["upscaled"]


def test_the_first_window_is_the_short_clip_and_later_ones_extend_their_tail(engine):
    out = engine.generate(spec()).frames  # windows 0-12 and 8-19
    assert np.array_equal(out[:WINDOW], engine.generate(spec(num_frames=WINDOW)).frames)
    tail = out[8:WINDOW]
    ext = engine.generate(spec(num_frames=12, seed=2, keyframes=[Keyframe(0, tail)])).frames
    assert np.array_equal(ext[:OVERLAP], tail)  # the seam, given back as given
    assert np.array_equal(out[WINDOW:], ext[OVERLAP:])  # ... and continued from it


def test_a_long_image_to_video_keeps_its_first_frame(engine, video):
    clip = engine.generate(spec(num_frames=29, keyframes=[Keyframe(0, video[0])]))
    assert clip.metadata["windows"] == 3 and clip.metadata["mode"] == "i2v"
    assert np.array_equal(clip.frames[0], video[0])


@pytest.mark.parametrize("mode", ["interpolate", "remix", "inpaint", "loop"])
def test_other_modes_run_across_windows(engine, video, mode):
    changes = {
        "interpolate": {"keyframes": [Keyframe(0, video[0]), Keyframe(28, video[28])]},
        "remix": {"source": Clip(video, 12.0), "source_strength": 0.5},
        "inpaint": {"source": Clip(video, 12.0), "mask": np.arange(29) >= 18},
        "loop": {"loop": True},
    }[mode]
    clip = engine.generate(spec(num_frames=29, **changes))
    assert clip.frames.shape == (29, 72, 128, 3)
    assert (clip.metadata["mode"], clip.metadata["windows"]) == (mode, 3)


def test_an_inpaint_keeps_the_source_before_the_mask_in_the_first_window(engine, video):
    mask = np.arange(29) >= 18  # only the third window regenerates
    clip = engine.generate(spec(num_frames=29, source=Clip(video, 12.0), mask=mask))
    assert np.array_equal(clip.frames[:WINDOW], video[:WINDOW])


# ---------------------------------------------------------------------------
# Progress, cancellation, limits
# ---------------------------------------------------------------------------


def test_progress_is_one_bar_across_windows(engine):
    seen = []
    engine.generate(spec(num_frames=29), on_progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert "window 2/3: sampling 1/4" in [m for _, m in seen]
    assert sum(m.endswith("decoding") for _, m in seen) == 3


def test_cancelling_in_window_two_stops_there(engine):
    seen = []
    with pytest.raises(GenerationCancelled):
        engine.generate(
            spec(num_frames=29),
            on_progress=lambda f, m: seen.append(m),
            should_cancel=lambda: any(m.startswith("window 2/3: sampling 2/") for m in seen),
        )
    assert seen[-1] == "window 2/3: sampling 2/4" and not any("3/3" in m for m in seen)


def test_past_max_seconds_is_refused_before_any_work(long_weights, monkeypatch):
    calls = []
    monkeypatch.setattr(native, "sample", lambda *a, **k: calls.append("sample"))
    engine = get_engine("native", weights=long_weights)
    assert engine.capabilities.max_frames == 30
    with pytest.raises(UnsupportedError) as e:
        engine.generate(spec(num_frames=31))
    assert e.value.param == "seconds" and "at most 30 frames (2.5 s at 12 fps)" in str(e.value)
    assert calls == [] and engine._weights is None


def test_weights_without_max_seconds_make_one_window_only(weights):
    engine = get_engine("native", weights=weights)  # max_frames 25, no max_seconds
    assert engine.capabilities.max_frames == 25
    with pytest.raises(UnsupportedError) as e:
        engine.check(spec(num_frames=26))
    assert e.value.param == "seconds"
