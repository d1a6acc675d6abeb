"""Stray colour: asked colours outside the matched objects."""

from __future__ import annotations

import numpy as np

from reelforge.evaluate.detect import Blob
from reelforge.evaluate.stray_colour import stray_colour_score, stray_share


def _blob(frame: int, mask: np.ndarray, x0: int, y0: int, frame_height: int = 10) -> Blob:
    h, w = mask.shape
    area = mask.sum() / frame_height**2  # as find_blobs measures it
    return Blob(frame, "red", 0.0, 0.0, 0.0, 0.0, area, (x0, y0, x0 + w, y0 + h), False, mask)


def test_pixels_of_matched_blobs_are_not_stray_and_the_rest_are():
    coloured = np.zeros((2, 10, 10), bool)
    coloured[:, 2:4, 2:4] = True  # the object, in both frames
    coloured[1, 8:10, 0:5] = True  # ten stray pixels in frame 1
    ball = np.ones((2, 2), bool)
    matched = [_blob(0, ball, 2, 2), _blob(1, ball, 2, 2)]
    assert stray_share(coloured, matched) == (0.0 + 10 / 100) / 2
    assert stray_share(coloured, []) == (4 / 100 + 14 / 100) / 2


def test_only_the_blobs_own_pixels_are_excused_not_its_whole_box():
    coloured = np.zeros((1, 4, 4), bool)
    coloured[0, :2, :2] = True
    ring = np.array([[True, False], [False, False]])  # the blob is one pixel of its box
    assert stray_share(coloured, [_blob(0, ring, 0, 0, frame_height=4)]) == 3 / 16


def test_the_score_is_one_for_clean_pictures_and_zero_for_mush():
    assert stray_colour_score(0.0) == stray_colour_score(0.02) == 1.0
    assert 0.0 < stray_colour_score(0.08) < 1.0
    assert stray_colour_score(0.15) == stray_colour_score(0.6) == 0.0


def test_a_blob_too_big_to_be_an_object_excuses_nothing():
    coloured = np.ones((1, 10, 10), bool)  # colour poured over the whole picture
    flood = _blob(0, np.ones((10, 10), bool), 0, 0)
    assert stray_share(coloured, [flood]) == 1.0
