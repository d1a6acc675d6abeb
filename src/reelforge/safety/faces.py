"""Faces in uploads and outputs: consent for real people.

`HaarFaceDetector` finds frontal faces with OpenCV's Haar cascade (shipped inside the
opencv-python wheel: offline, CPU, a few milliseconds a frame). `check_upload` refuses
an image or video with faces unless the request attests the consent of the people in
it; `check_output` flags a generated clip for review when faces appear although no
consented character was used. Any callable with the `FaceDetector` shape can stand in.

Generated frames upscaled from a small native size are full of soft blotches that
OpenCV's default frontal-face cascade takes for faces: on 64 frames sampled from eight
1280x720 clips of the native model it fired on 16, and it asked for consent to re-upload
a clip reelforge had made. So the detector looks at a copy at most 360 pixels on its
short side with the stricter alt2 cascade, a face needs an eye the eye cascade finds,
and a video needs a face in two sampled frames (a person on video stays in view; a
blotch flickers). On 424 frames sampled from 32 generated clips (128x72 to 1280x720)
that fired on 1 frame and no clip, and it finds the astronaut photograph of tests/data
at every size tried (128x72 to 1280x720).
(When a face went in, the studio holds the output for review without looking.)
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from reelforge.safety.policy import Decision
from reelforge.types import Clip, InvalidInputError

Box = tuple[int, int, int, int]  # x, y, width, height


class FaceDetector(Protocol):
    """uint8 (H, W, 3) RGB image → face boxes."""

    def __call__(self, image: np.ndarray) -> list[Box]: ...


class HaarFaceDetector:
    """OpenCV's frontal-face Haar cascade on a grey, histogram-equalised frame.

    Frames whose short side is under `min_side` pixels are upscaled first (the cascade's
    window is 24 px), and with `max_side` those above it are downscaled (area average);
    faces smaller than `min_face` of the short side are ignored. With `eyes`, a face
    counts only when the eye cascade finds an eye in its upper part (looked at 120 px
    wide): that removed 6 of the 7 false faces on frames of generated clips and kept
    every real one tried (the module's notes).

    One detector serves every thread of the server (uploads are checked on request
    threads while workers check outputs), but an OpenCV CascadeClassifier keeps its
    scan state on the object: two threads in `detectMultiScale` at once made it miss
    the test face in 115 of 200 calls. So each thread loads its own pair of cascades.
    """

    def __init__(
        self,
        cascade: str = "haarcascade_frontalface_alt2.xml",
        scale_factor: float = 1.1,
        min_neighbors: int = 5,
        min_face: float = 0.08,
        min_side: int = 240,
        max_side: int | None = 360,
        eyes: bool = True,
    ):
        import cv2

        self.cv2 = cv2
        self.cascade = cascade
        self.scale_factor, self.min_neighbors = scale_factor, min_neighbors
        self.min_face, self.min_side, self.max_side = min_face, min_side, max_side
        self.check_eyes = eyes
        self._per_thread = threading.local()
        self._cascades()  # a cascade that will not load fails here, not on first use

    def _cascades(self) -> tuple:
        """This thread's (face, eye) classifiers, loaded on its first call."""
        loaded = getattr(self._per_thread, "cascades", None)
        if loaded is None:
            root = self.cv2.data.haarcascades
            loaded = tuple(
                self.cv2.CascadeClassifier(root + name)
                for name in (self.cascade, "haarcascade_eye.xml")
            )
            if any(c.empty() for c in loaded):
                raise InvalidInputError(f"could not load the Haar cascade {self.cascade!r}")
            self._per_thread.cascades = loaded
        return loaded

    def __call__(self, image: np.ndarray) -> list[Box]:
        cv2 = self.cv2
        original = cv2.cvtColor(np.ascontiguousarray(image, dtype=np.uint8), cv2.COLOR_RGB2GRAY)
        scale = max(1.0, self.min_side / min(original.shape))
        if self.max_side is not None and min(original.shape) > self.max_side:
            scale = self.max_side / min(original.shape)
        grey = original
        if scale != 1.0:
            interpolation = cv2.INTER_LINEAR if scale > 1.0 else cv2.INTER_AREA
            grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=interpolation)
        grey = cv2.equalizeHist(grey)
        side = max(24, int(self.min_face * min(grey.shape)))
        found = self._cascades()[0].detectMultiScale(
            grey, self.scale_factor, self.min_neighbors, minSize=(side, side)
        )
        boxes = [tuple(round(float(v) / scale) for v in box) for box in found]
        return [b for b in boxes if not self.check_eyes or self._has_an_eye(original, b)]

    def _has_an_eye(self, grey: np.ndarray, box: Box) -> bool:
        cv2 = self.cv2
        x, y, w, h = box
        upper = grey[y : y + h * 6 // 10, x : x + w]
        if upper.size == 0:
            return False
        zoom = max(1.0, 120 / max(1, w))
        upper = cv2.equalizeHist(cv2.resize(upper, None, fx=zoom, fy=zoom))
        return len(self._cascades()[1].detectMultiScale(upper, 1.1, 3)) > 0


UPLOAD_SAMPLES = 8  # frames of an uploaded video looked at
OUTPUT_SAMPLES = 16  # frames of a generated clip looked at
MIN_FRAMES = 2  # sampled frames of a video that must show a face (an image has one)
# The smallest face an output is held for, in the clip's own pixels: the cascade's window
# is 24 px, so a smaller "face" was found on interpolated pixels, and it is too small to
# carry anyone's likeness. A 128x72 clip of the world model had one at 19 px (tiles round
# a lamp post, in 3 of 12 frames) and sat in review; uploads keep every size (consent).
OUTPUT_MIN_FACE_PX = 24
# ...and a face must show in a quarter of an output's sampled frames. A short clip's
# sampled frames are neighbours, so two of them are one sighting: an API test's 1-second
# 128x72 clip grown from a flat blue first frame sat in review (a "face" in frames 1 and
# 2 of 12), and of 121 more such clips one showed a face in two neighbouring frames and
# none in three (260 clips from other colours or text: none in two). A person on video
# stays in view far longer than a quarter of it.
OUTPUT_MIN_SHARE = 0.25


def sample_frames(frames: np.ndarray, count: int = 8) -> np.ndarray:
    """An image (H, W, 3) or video (T, H, W, 3) → up to `count` evenly spaced frames."""
    frames = np.asarray(frames)
    if frames.ndim == 3:
        frames = frames[None]
    if frames.ndim != 4 or frames.shape[-1] != 3:
        raise InvalidInputError(
            f"expected an image (H, W, 3) or frames (T, H, W, 3); got {frames.shape}",
            param="input_reference",
        )
    picks = np.unique(np.linspace(0, len(frames) - 1, min(count, len(frames))).round().astype(int))
    return frames[picks]


def find_faces(frames: np.ndarray, detector: FaceDetector, count: int = 8) -> list[tuple[int, Box]]:
    """(sampled frame number, box) for every face in up to `count` sampled frames."""
    return [
        (i, box) for i, frame in enumerate(sample_frames(frames, count)) for box in detector(frame)
    ]


def _faces_decision(
    images: Sequence[np.ndarray],
    detector: FaceDetector,
    action: str,
    rule: str,
    count: int,
    min_frames: int,
    min_share: float = 0.0,
) -> Decision:
    """`action` when any image (or video) shows a face in `min_frames` of its sampled
    frames and in `min_share` of them (all of them, when it has fewer)."""
    found, total = False, 0
    for image in images:
        picked = sample_frames(image, count)
        faces = find_faces(picked, detector, count)  # every one of them: no second pick
        total += len(faces)
        sampled = len(picked)
        needed = max(1, min_frames, math.ceil(min_share * sampled))
        found |= len({frame for frame, _ in faces}) >= min(needed, sampled)
    if not found:
        return Decision("allow", layer="faces", rule="faces:none", score=float(total))
    return Decision(action, "likeness", rule, "faces", float(total))  # type: ignore[arg-type]


def check_upload(
    frames: np.ndarray | Sequence[np.ndarray], consent: bool, detector: FaceDetector | None = None
) -> Decision:
    """Refuse an upload (an image, a video's frames, or a list of them) that shows faces,
    unless the request attests that the people shown consented."""
    images = [frames] if isinstance(frames, np.ndarray) else list(frames)
    if consent:
        return Decision("allow", layer="faces", rule="faces:consent_attested")
    return _faces_decision(
        images,
        detector or HaarFaceDetector(),
        "block",
        "faces:no_consent",
        UPLOAD_SAMPLES,
        MIN_FRAMES,
    )


def check_output(
    clip: Clip,
    consented_character_used: bool,
    detector: FaceDetector | None = None,
) -> Decision:
    """Flag a generated clip for review when it shows faces and no consented character
    (a person who agreed to appear) was used to make it. A face must show in MIN_FRAMES
    sampled frames and OUTPUT_MIN_SHARE of them, and be OUTPUT_MIN_FACE_PX or more
    across (see the module's notes)."""
    if consented_character_used:
        return Decision("allow", layer="faces", rule="faces:consented_character")
    detect = detector or HaarFaceDetector()

    def large_enough(image: np.ndarray) -> list[Box]:
        return [box for box in detect(image) if min(box[2], box[3]) >= OUTPUT_MIN_FACE_PX]

    return _faces_decision(
        [clip.frames],
        large_enough,
        "review",
        "faces:output",
        OUTPUT_SAMPLES,
        MIN_FRAMES,
        OUTPUT_MIN_SHARE,
    )
