"""Seams: the change across a join against the clip's own frame-to-frame change."""

import numpy as np
import pytest

from reelforge.edit.seams import frame_changes, measure_seams, seam_ratios, span_joins
from reelforge.edit.stitch import stitch
from reelforge.types import Clip, InvalidInputError


def moving_square(frames: int, start: int = 0, background: int = 60) -> Clip:
    """A white 8x8 square stepping 2 px right per frame across a flat background."""
    video = np.full((frames, 36, 64, 3), background, np.uint8)
    for t in range(frames):
        x = start + 2 * t
        video[t, 14:22, x : x + 8] = 255
    return Clip(video, 12.0)


def test_a_continuous_motion_cut_in_two_and_stitched_back_has_ratio_one():
    whole = moving_square(20)
    a, b = whole.with_(frames=whole.frames[:10]), whole.with_(frames=whole.frames[10:])
    joined = stitch([a, b], "cut")
    assert np.array_equal(joined.frames, whole.frames)
    assert seam_ratios(joined) == [pytest.approx(1.0, abs=0.05)]


def test_a_jump_to_another_shot_reads_as_a_large_ratio_and_a_dissolve_softens_it():
    a, b = moving_square(12), moving_square(12, start=30, background=200)
    cut = seam_ratios(stitch([a, b], "cut"))[0]
    dissolve = seam_ratios(stitch([a, b], "dissolve", duration=0.5))[0]
    assert cut > 10
    assert 1 < dissolve < cut / 3


def test_a_seam_is_measured_over_every_pair_of_its_span():
    clip = moving_square(12)
    changes = frame_changes(clip.frames)
    (seam,) = measure_seams(clip, [(4, 6)])
    assert seam.across == pytest.approx(changes[3:6].max())
    assert seam.within == pytest.approx(np.median(np.r_[changes[:3], changes[6:]]))


def test_a_still_clip_does_not_divide_by_nothing():
    still = Clip(np.full((6, 16, 16, 3), 90, np.uint8), 12.0)
    assert measure_seams(still, [(3, 3)])[0].ratio == 0.0


def test_a_join_outside_the_clip_is_refused():
    with pytest.raises(InvalidInputError, match="outside a clip of 12 frames"):
        measure_seams(moving_square(12), [(0, 0)])


@pytest.mark.parametrize(
    ("made", "joins"),
    [
        ([0, 0, 1, 1, 0, 0], [[2, 4]]),  # inside: every pair from the frame before to after
        ([1, 1, 0, 0, 0, 1], [[2, 2], [5, 5]]),  # at the ends: only the inner edge
        ([1, 1, 1], []),  # all new: nothing to join
        ([0, 0, 0], []),
    ],
)
def test_runs_of_new_frames_give_the_joins_to_measure(made, joins):
    assert span_joins(np.array(made, bool)) == joins
