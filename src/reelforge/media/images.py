"""Images as clips: PNG, JPEG, WebP and GIF (still or animated) read with Pillow."""

from __future__ import annotations

import logging

import numpy as np
from PIL import ExifTags, Image, ImageOps, ImageSequence

from reelforge.media.sources import Source, read_errors
from reelforge.types import Clip

logger = logging.getLogger(__name__)

# Browsers show GIF frames that claim under 20 ms (or nothing) for 100 ms; so do we.
MIN_FRAME_MS = 20
DEFAULT_FRAME_MS = 100
ROTATED = frozenset({5, 6, 7, 8})  # EXIF orientations that swap width and height


def read_image(source: Source, *, fps: float | None, max_frames: int | None) -> Clip:
    """A still image -> a 1-frame clip at `fps` (default 1); an animation keeps its timing."""
    with read_errors(source), source.open() as stream, Image.open(stream) as im:
        if getattr(im, "n_frames", 1) > 1:
            frames, durations = _animation(im, max_frames)  # T x (H, W, 3), ms per frame
            rate = 1000.0 / float(np.mean(durations))
        else:  # a photo: honour its EXIF orientation
            frames, rate = [np.asarray(ImageOps.exif_transpose(im).convert("RGB"))], fps or 1.0
    metadata = {"source": source.name, "format": source.format}
    return Clip(np.stack(frames), rate, metadata=metadata)


def image_info(source: Source) -> dict:
    """What `probe` reports for an image, without decoding its pixels."""
    with read_errors(source), source.open() as stream, Image.open(stream) as im:
        n, mode = getattr(im, "n_frames", 1), im.mode
        width, height = im.size
        if n == 1 and im.getexif().get(ExifTags.Base.Orientation) in ROTATED:
            width, height = height, width
        ms = [_duration_ms(f) for f in ImageSequence.Iterator(im)] if n > 1 else [1000.0]
    return {
        "width": width,
        "height": height,
        "fps": 1000.0 / float(np.mean(ms)),
        "frames": n,
        "duration": float(np.sum(ms)) / 1000.0,
        "video_codec": source.format,
        "pix_fmt": mode,
    }


def _animation(im: Image.Image, max_frames: int | None) -> tuple[list[np.ndarray], list[float]]:
    frames, durations = [], []
    for frame in ImageSequence.Iterator(im):
        frames.append(np.asarray(frame.convert("RGB")))
        durations.append(_duration_ms(frame))
        if max_frames is not None and len(frames) >= max_frames:
            break
    return frames, durations


def _duration_ms(frame: Image.Image) -> float:
    ms = frame.info.get("duration") or DEFAULT_FRAME_MS
    return float(ms) if ms >= MIN_FRAME_MS else DEFAULT_FRAME_MS
