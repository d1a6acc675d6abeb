"""Judder: steady motion reads about 1, motion that jumps every fourth frame the period."""

from __future__ import annotations

import numpy as np
import pytest

from reelforge.evaluate.judder import judder_ratio


def _moving_bar(positions: np.ndarray, width: int = 96) -> np.ndarray:
    """A soft vertical bar at each (sub-pixel) position."""
    x = np.arange(width)[None, :] - positions[:, None]  # (T, W)
    row = 255 * np.exp(-((x / 6.0) ** 2))
    frames = np.broadcast_to(row[:, None, :, None], (len(positions), 48, width, 3))
    return frames.round().astype(np.uint8)


def test_steady_motion_reads_about_one():
    assert judder_ratio(_moving_bar(np.linspace(0, 80, 33))) == pytest.approx(1.0, abs=0.15)


def test_motion_that_jumps_every_fourth_frame_reads_the_period():
    held = np.repeat(np.linspace(0, 80, 9), 4)[:33]  # still for four frames, then a jump
    assert judder_ratio(_moving_bar(held)) > 3.5


def test_a_still_or_short_clip_has_no_ratio():
    assert judder_ratio(_moving_bar(np.zeros(33))) is None
    assert judder_ratio(_moving_bar(np.linspace(0, 80, 6))) is None
