"""Faces in uploads and outputs: the consent rules with a stand-in detector, and the
real Haar cascade (offline) on a real photograph (tests/data/astronaut.jpg) and on a
world render."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reelforge.media import read_clip
from reelforge.safety import HaarFaceDetector, check_output, check_upload
from reelforge.safety.faces import OUTPUT_MIN_FACE_PX, sample_frames
from reelforge.types import Clip, InvalidInputError


class Detector:
    """Reports `faces` boxes on every frame it is called with, or only on the calls
    numbered in `on` (from 0), and counts its calls."""

    def __init__(self, faces: int, side: int = 32, on: set[int] | None = None):
        self.faces, self.side, self.on, self.calls = faces, side, on, 0

    def __call__(self, image: np.ndarray) -> list[tuple[int, int, int, int]]:
        assert image.ndim == 3 and image.shape[-1] == 3
        self.calls += 1
        if self.on is not None and self.calls - 1 not in self.on:
            return []
        return [(0, 0, self.side, self.side)] * self.faces


ASTRONAUT = Path(__file__).parents[1] / "data" / "astronaut.jpg"
IMAGE = np.zeros((48, 64, 3), np.uint8)
VIDEO = np.zeros((30, 48, 64, 3), np.uint8)


def test_an_upload_with_faces_and_no_consent_is_refused():
    decision = check_upload(IMAGE, consent=False, detector=Detector(2))
    assert decision.blocked and decision.category == "likeness" and decision.layer == "faces"
    assert decision.rule == "faces:no_consent" and decision.score == 2.0
    assert decision.error().param == "input_reference"


def test_consent_lets_faces_through_without_looking():
    detector = Detector(1)
    decision = check_upload([IMAGE, VIDEO], consent=True, detector=detector)
    assert decision.allowed and decision.rule == "faces:consent_attested"
    assert detector.calls == 0


def test_an_upload_without_faces_needs_no_consent():
    detector = Detector(0)
    decision = check_upload([IMAGE, VIDEO], consent=False, detector=detector)
    assert decision.allowed and decision.rule == "faces:none"
    assert detector.calls == 1 + 8  # the image, and 8 frames sampled from the video


def test_outputs_with_faces_and_no_consented_character_go_to_review():
    clip = Clip(frames=VIDEO, fps=12.0)
    flagged = check_output(clip, consented_character_used=False, detector=Detector(1))
    assert flagged.flagged and flagged.allowed and not flagged.blocked
    assert flagged.action == "review" and flagged.rule == "faces:output"
    assert check_output(clip, consented_character_used=True, detector=Detector(1)).action == (
        "allow"
    )
    assert check_output(clip, consented_character_used=False, detector=Detector(0)).action == (
        "allow"
    )


def test_an_output_face_too_small_to_be_anyone_is_not_held_but_an_upload_one_is():
    clip = Clip(frames=VIDEO, fps=12.0)
    small = Detector(1, side=OUTPUT_MIN_FACE_PX - 1)
    assert check_output(clip, consented_character_used=False, detector=small).action == "allow"
    edge = Detector(1, side=OUTPUT_MIN_FACE_PX)
    assert check_output(clip, consented_character_used=False, detector=edge).action == "review"
    assert check_upload(IMAGE, consent=False, detector=small).blocked


def test_an_output_face_in_two_neighbouring_frames_is_a_blotch_not_a_person():
    clip = Clip(frames=np.zeros((12, 72, 128, 3), np.uint8), fps=12.0)  # all 12 sampled
    blotch = check_output(clip, consented_character_used=False, detector=Detector(1, on={6, 7}))
    assert blotch.action == "allow"
    person = check_output(clip, consented_character_used=False, detector=Detector(1, on={2, 5, 9}))
    assert person.action == "review"  # a quarter of the sampled frames
    assert check_upload(VIDEO, consent=False, detector=Detector(1, on={6, 7})).blocked


def test_sample_frames_spreads_over_the_video_and_refuses_other_shapes():
    frames = np.arange(30, dtype=np.uint8)[:, None, None, None] * np.ones((1, 4, 4, 3), np.uint8)
    picked = sample_frames(frames, 4)[:, 0, 0, 0].tolist()
    assert picked[0] == 0 and picked[-1] == 29 and len(picked) == 4
    with pytest.raises(InvalidInputError, match="expected an image"):
        sample_frames(np.zeros((4, 4), np.uint8))


def test_the_haar_detector_loads_offline_and_finds_no_face_in_a_world_render():
    from reelforge.world.clip import render_clip
    from reelforge.world.sampler import sample_scene

    detector = HaarFaceDetector()
    clip = render_clip(sample_scene(3), 128, 72, 12.0, 1.0, audio=False)
    assert check_upload(clip.frames, consent=False, detector=detector).allowed
    assert detector(np.full((240, 320, 3), 128, np.uint8)) == []


def test_the_haar_detector_finds_the_face_in_a_photograph():
    photo = read_clip(ASTRONAUT).frames  # (1, 256, 256, 3)
    detector = HaarFaceDetector()
    ((x, y, w, h),) = detector(photo[0])
    assert 60 <= x + w / 2 <= 200 and 10 <= y + h / 2 <= 150  # her face, upper middle
    assert check_upload(photo, consent=False, detector=detector).blocked
    assert check_upload(photo, consent=True, detector=detector).allowed


def test_one_detector_finds_the_face_while_another_thread_scans_other_frames():
    """The server shares one detector between request threads (uploads) and workers
    (outputs); OpenCV's cascade keeps scan state on the object, and a shared one missed
    this face in over half the calls while another thread scanned noise."""
    import threading

    photo = read_clip(ASTRONAUT).frames[0]
    noise = np.random.default_rng(0).integers(0, 256, (72, 128, 3), dtype=np.uint8)
    detector, stop = HaarFaceDetector(), threading.Event()

    def scan_noise() -> None:
        while not stop.is_set():
            detector(noise)

    other = threading.Thread(target=scan_noise)
    other.start()
    try:
        found = [len(detector(photo)) for _ in range(60)]
    finally:
        stop.set()
        other.join()
    assert found == [1] * 60
