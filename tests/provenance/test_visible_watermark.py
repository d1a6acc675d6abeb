"""The visible watermark: it shows, lets the picture through, moves, scales with the
frame, leaves the input alone, and is cheap."""

from __future__ import annotations

import time

import numpy as np
import pytest

from reelforge.provenance.visible import HEIGHT_SHARE, visible_watermark
from reelforge.types import Clip, InvalidInputError


def flat(value: int, frames: int = 2, height: int = 72, width: int = 128, fps=12) -> Clip:
    return Clip(np.full((frames, height, width, 3), value, np.uint8), fps=fps)


def box(before: np.ndarray, after: np.ndarray) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) of the pixels the mark changed in one frame."""
    ys, xs = np.nonzero(np.any(before != after, axis=-1))
    assert ys.size, "the mark changed no pixel"
    return int(ys.min()), int(xs.min()), int(ys.max()) + 1, int(xs.max()) + 1


def test_bright_text_shows_on_a_dark_clip():
    clip = flat(20)
    marked = visible_watermark(clip)
    assert marked.frames.shape == clip.frames.shape and marked.frames.dtype == np.uint8
    assert marked.frames.max() > 100  # white text, even at 45 % opacity
    assert marked.metadata["visible_watermark"] == "reelforge"


def test_the_picture_shows_through_the_mark():
    black = visible_watermark(flat(0, height=360, width=640)).frames[0].astype(int)
    grey = visible_watermark(flat(128, height=360, width=640)).frames[0].astype(int)
    text = black > 0  # where white text was laid on black
    assert text.any()
    assert (grey[text] > black[text]).all()  # opaque text would make them equal


def test_full_opacity_hides_the_picture_under_the_text():
    black = visible_watermark(flat(0, height=360, width=640), opacity=1.0).frames[0]
    grey = visible_watermark(flat(128, height=360, width=640), opacity=1.0).frames[0]
    assert ((black == 255) & (grey == 255)).any()


def test_the_mark_moves_over_the_clip():
    clip = flat(20, frames=48, height=360, width=640, fps=12)  # 4 s
    marked = visible_watermark(clip)
    first = box(clip.frames[0], marked.frames[0])
    last = box(clip.frames[-1], marked.frames[-1])
    assert first[:2] != last[:2]
    size = lambda b: (b[2] - b[0], b[3] - b[1])  # noqa: E731
    assert size(first) == size(last)  # the same mark, elsewhere


@pytest.mark.parametrize(("height", "width"), [(360, 640), (720, 1280), (1080, 1920)])
def test_the_mark_height_is_a_share_of_the_frame(height, width):
    clip = flat(20, frames=1, height=height, width=width)
    top, left, bottom, right = box(clip.frames[0], visible_watermark(clip).frames[0])
    share = (bottom - top) / height
    assert HEIGHT_SHARE * 0.8 <= share <= HEIGHT_SHARE * 1.5, share
    assert right - left < width  # the whole mark is inside the frame


def test_a_tiny_frame_gets_a_mark_that_fits():
    clip = flat(20, frames=3, height=16, width=16)
    marked = visible_watermark(clip)
    assert marked.frames.shape == (3, 16, 16, 3)
    assert not np.array_equal(marked.frames, clip.frames)


def test_the_input_clip_is_left_unchanged():
    clip = flat(20, frames=4)
    before = clip.frames.copy()
    visible_watermark(clip, "mine")
    assert np.array_equal(clip.frames, before)
    assert "visible_watermark" not in clip.metadata


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_text_is_refused(text):
    with pytest.raises(InvalidInputError) as e:
        visible_watermark(flat(20), text)
    assert e.value.param == "text"


@pytest.mark.parametrize("opacity", [0.0, -0.5, 1.01, float("nan")])
def test_bad_opacity_is_refused(opacity):
    with pytest.raises(InvalidInputError) as e:
        visible_watermark(flat(20), opacity=opacity)
    assert e.value.param == "opacity"


def test_marking_four_seconds_of_720p_is_fast():
    clip = flat(90, frames=48, height=720, width=1280)
    start = time.perf_counter()
    visible_watermark(clip)
    assert time.perf_counter() - start < 2.0
