"""Stitching as a user sees it: lengths, kept frames, transitions, sound and parents."""

import numpy as np
import pytest

from reelforge.edit.stitch import letterbox_box, stitch
from reelforge.types import Clip, InvalidInputError

RATE = 16_000


def square_clip(frames, positions, background, colour=(255, 255, 255), size=(64, 36), fps=12.0):
    """An 8x8 square at (x, y) = positions(t) on a flat background."""
    video = np.full((frames, size[1], size[0], 3), background, np.uint8)
    for t in range(frames):
        x, y = positions(t)
        video[t, y : y + 8, x : x + 8] = colour
    return Clip(video, fps, metadata={"source": f"{background}.mp4"})


def tone(seconds: float, channels: int = 1) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    return np.repeat(np.sin(2 * np.pi * 440 * t)[None], channels, 0).astype(np.float32)


@pytest.fixture
def a():
    return square_clip(12, lambda t: (4 * t, 10), 60).with_(audio=tone(1.0), sample_rate=RATE)


@pytest.fixture
def b():
    return square_clip(10, lambda t: (40, 2 + 2 * t), 180, colour=(20, 20, 200))


@pytest.mark.parametrize(
    ("transition", "frames"), [("cut", 22), ("dissolve", 19), ("fade", 22), ("match", 18)]
)
def test_lengths_and_the_sound_track_match_the_picture(a, b, transition, frames):
    out = stitch([a, b], transition, duration=0.25)
    assert out.num_frames == frames
    assert (out.width, out.height, out.fps) == (64, 36, 12.0)
    assert out.audio.shape == (1, round(frames / 12 * RATE))


def test_a_cut_keeps_every_frame_and_b_is_silent_where_it_had_no_sound(a, b):
    out = stitch([a, b], "cut")
    assert np.array_equal(out.frames, np.concatenate([a.frames, b.frames]))
    assert np.array_equal(out.audio[:, :RATE], a.audio)
    assert not out.audio[:, RATE:].any()


def test_a_dissolve_blends_only_its_span_and_crossfades_the_sound_equal_power(a, b):
    out = stitch([a, b], "dissolve", duration=0.25)  # 3 frames
    assert np.array_equal(out.frames[:9], a.frames[:9])
    assert np.array_equal(out.frames[12:], b.frames[3:])
    middle = out.frames[10].astype(int)  # halfway: the mean of A's and B's frames
    assert np.abs(middle - (a.frames[10].astype(int) + b.frames[1]) / 2).max() <= 1
    assert out.metadata["edit"]["joins"] == [[9, 12]]
    overlap = out.audio[0, 9 * RATE // 12 : RATE]  # A fades out as cos of a quarter turn
    gain = np.cos(np.linspace(0, np.pi / 2, len(overlap)))
    assert np.allclose(overlap, a.audio[0, 9 * RATE // 12 :] * gain, atol=1e-5)


def test_a_fade_goes_through_black(a, b):
    out = stitch([a, b], "fade", duration=0.25)
    assert out.frames[11].max() == 0 and out.frames[12].max() == 0
    assert np.array_equal(out.frames[:9], a.frames[:9])
    assert np.array_equal(out.frames[15:], b.frames[3:])


def test_a_match_cut_cuts_where_the_square_of_a_sits_where_b_has_it(a, b):
    # A's square is at (40, 10) in frame 10; B's is there in frame 4: nowhere else alike
    out = stitch([a, b], "match", duration=0.5)
    (match,) = out.metadata["edit"]["matches"]
    assert (match["a_frame"], match["b_frame"]) == (10, 4)
    assert np.array_equal(out.frames[:11], a.frames[:11])
    assert np.array_equal(out.frames[11:], b.frames[5:])


def test_other_sizes_are_letterboxed_and_other_rates_retimed(a):
    square = square_clip(24, lambda t: (20, 20), 120, size=(48, 48), fps=24.0)
    out = stitch([a, square], "cut")
    assert out.num_frames == 12 + 12  # 1 s at 24 fps is 12 frames at 12 fps
    x, y, w, h = letterbox_box(48, 48, (64, 36))
    assert (x, y, w, h) == (14, 0, 36, 36)
    tail = out.frames[12:]
    assert not tail[:, :, :x].any() and not tail[:, :, x + w :].any()  # black bars
    assert tail[:, :, x : x + w].mean() > 100


def test_the_result_records_its_parents_and_the_transition(a, b):
    out = stitch([a, b, a], "dissolve", duration=0.25)
    parents = out.metadata["parents"]
    assert [p["source"] for p in parents] == ["60.mp4", "180.mp4", "60.mp4"]
    assert [p["frames"] for p in parents] == [12, 10, 12]
    assert out.metadata["operation"] == "stitch"
    assert out.metadata["edit"]["transition"] == "dissolve"
    assert "source" not in out.metadata
    assert out.metadata["edit"]["joins"] == [[9, 12], [16, 19]]


@pytest.mark.parametrize(
    ("transition", "duration", "says"),
    [
        ("wipe", 0.5, "choose one of cut, dissolve, fade, match"),
        ("dissolve", 0.0, "duration must be positive"),
        ("dissolve", 2.0, "at most 9 frames"),
    ],
)
def test_bad_requests_say_what_to_change(a, b, transition, duration, says):
    with pytest.raises(InvalidInputError, match=says):
        stitch([a, b], transition, duration=duration)
