"""Encode a Clip to MP4: H.264 video (yuv420p, BT.709) and AAC audio, moov atom first.

The file plays in every browser and streams from the first byte (`+faststart`).
Timestamps are exact: frame i shows at i / fps on a rational time base, and audio
sample 0 plays with frame 0 (the AAC encoder's priming samples are hidden by the edit
list the MP4 muxer writes, so decoders skip them).
"""

from __future__ import annotations

import logging
import os
import tempfile
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from reelforge.media.atomic import atomic_path, checked_target
from reelforge.types import Clip, InvalidInputError, MediaError

logger = logging.getLogger(__name__)

X264_PRESETS = (
    "ultrafast",
    "superfast",
    "veryfast",
    "faster",
    "fast",
    "medium",
    "slow",
    "slower",
    "veryslow",
    "placebo",
)
# Sample rates the AAC bitstream can signal; any other rate is resampled to 48 kHz.
AAC_RATES = frozenset(
    {96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350}
)
AAC_FRAME_SIZE = 1024  # samples per AAC frame (FFmpeg's encoder takes exactly this many)
AAC_BITRATE_PER_CHANNEL = 96_000
BT709 = 1  # AVCOL_PRI_BT709 = AVCOL_TRC_BT709 = AVCOL_SPC_BT709
MPEG_RANGE = 1  # AVCOL_RANGE_MPEG: limited range, 16-235


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def write_mp4(
    clip: Clip, path: str | os.PathLike[str], *, crf: int = 18, preset: str = "medium"
) -> Path:
    """Write `clip` to `path` as an MP4 (H.264 + AAC when the clip has audio); returns the path.

    - Video: libx264, yuv420p, BT.709 limited range (tagged), `crf` (0-51, lower is
      better) and x264 `preset`. Every frame is kept at exactly 1/fps; fps is stored as
      a fraction (29.97 stays 2997/100, 30000/1001 stays NTSC).
    - Odd sizes: H.264 4:2:0 needs an even width and height, so an odd-sized clip is
      padded by repeating its last row and/or column (65x37 is written as 66x38); this
      is logged at INFO. Readers get the padded size back.
    - Audio: AAC, mono or stereo as in the clip, at the clip's sample rate when AAC
      supports it (else resampled to 48 kHz). Samples are clipped to [-1, 1]. Sample 0
      plays with frame 0: the encoder's priming is hidden by the MP4 edit list.
    - A silent clip (audio None or empty) gets no audio stream.
    - The moov atom comes first (`movflags=+faststart`) so browsers start at once.
    - The file is written to a temp file in the same folder and renamed at the end:
      on any error, `path` is left as it was.

    Raises InvalidInputError for a bad clip, option or path (missing folder), and
    MediaError when encoding or writing fails.
    """
    check_clip(clip)
    _check_options(crf, preset)
    target = checked_target(path)
    with atomic_path(target) as tmp:
        try:
            _encode(clip, tmp, crf=crf, preset=preset)
        except av.FFmpegError as e:
            raise MediaError(f"Could not encode {target.name} as MP4: {e}", param="path") from e
    logger.debug("wrote %s (%d frames at %s fps)", target, clip.num_frames, clip.fps)
    return target


def encode_mp4_bytes(clip: Clip, *, crf: int = 18, preset: str = "medium") -> bytes:
    """The MP4 that `write_mp4` would write, as bytes (encoded through a temp file)."""
    with tempfile.TemporaryDirectory(prefix="reelforge-mp4-") as folder:
        return write_mp4(clip, Path(folder) / "clip.mp4", crf=crf, preset=preset).read_bytes()


def frame_rate(fps: float) -> Fraction:
    """fps as the fraction stored in the file: 24 -> 24/1, 29.97 -> 2997/100."""
    return Fraction(fps).limit_denominator(1001)


def pad_to_even(frames: np.ndarray) -> np.ndarray:
    """(T, H, W, 3) -> (T, H', W', 3) with H', W' even, repeating the last row/column."""
    _, h, w, _ = frames.shape
    if h % 2 == 0 and w % 2 == 0:
        return frames
    logger.info("padding %dx%d frames to %dx%d for H.264 4:2:0", w, h, w + w % 2, h + h % 2)
    return np.pad(frames, ((0, 0), (0, h % 2), (0, w % 2), (0, 0)), mode="edge")


def check_clip(clip: Clip) -> None:
    """Raise InvalidInputError unless `clip` is a Clip whose arrays can be encoded."""
    if not isinstance(clip, Clip):
        raise InvalidInputError(f"Expected a Clip; got {type(clip).__name__}", param="clip")
    f = clip.frames
    if not isinstance(f, np.ndarray) or f.ndim != 4 or f.shape[-1] != 3 or f.dtype != np.uint8:
        raise InvalidInputError("Clip frames must be uint8 (T, H, W, 3)", param="frames")
    if clip.has_audio and not np.isfinite(clip.audio).all():
        raise InvalidInputError("Clip audio contains NaN or infinite samples", param="audio")


# ---------------------------------------------------------------------------
# Encoding
# ---------------------------------------------------------------------------


def _check_options(crf: int, preset: str) -> None:
    if not (isinstance(crf, int | np.integer) and 0 <= crf <= 51):
        raise InvalidInputError(f"crf must be an integer in 0-51; got {crf!r}", param="crf")
    if preset not in X264_PRESETS:
        raise InvalidInputError(
            f"Unknown x264 preset {preset!r}", param="preset", hint=f"use one of {X264_PRESETS}"
        )


def _encode(clip: Clip, path: Path, *, crf: int, preset: str) -> None:
    frames = pad_to_even(clip.frames)  # (T, H', W', 3)
    rate = frame_rate(clip.fps)
    options = {"movflags": "+faststart"}
    with av.open(str(path), "w", format="mp4", options=options) as out:
        video = _add_video_stream(out, frames, rate, crf=crf, preset=preset)
        audio, audio_frames = _add_audio_stream(out, clip) if clip.has_audio else (None, [])
        sent = 0
        for i, image in enumerate(frames):
            out.mux(video.encode(_video_frame(image, i, rate)))
            until = Fraction(i + 1) / rate  # interleave: audio up to the end of this frame
            while sent < len(audio_frames) and audio_frames[sent].time < until:
                out.mux(audio.encode(audio_frames[sent]))
                sent += 1
        out.mux(video.encode(None))
        if audio is not None:
            for frame in audio_frames[sent:]:
                out.mux(audio.encode(frame))
            out.mux(audio.encode(None))


def _add_video_stream(out, frames: np.ndarray, rate: Fraction, *, crf: int, preset: str):
    stream = out.add_stream("libx264", rate=rate)
    stream.options = {"crf": str(int(crf)), "preset": preset}
    stream.width, stream.height = frames.shape[2], frames.shape[1]
    stream.pix_fmt = "yuv420p"
    cc = stream.codec_context
    cc.time_base = 1 / rate
    cc.color_primaries = cc.color_trc = cc.colorspace = BT709
    cc.color_range = MPEG_RANGE
    return stream


def _video_frame(image: np.ndarray, index: int, rate: Fraction) -> av.VideoFrame:
    rgb = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
    frame = rgb.reformat(format="yuv420p", dst_colorspace="ITU709", dst_color_range="MPEG")
    frame.pts, frame.time_base = index, 1 / rate
    return frame


def _add_audio_stream(out, clip: Clip):
    """Add the AAC stream; return it with the clip's audio cut into AAC-sized frames."""
    audio = np.clip(clip.audio, -1.0, 1.0).astype(np.float32)  # (C, S)
    layout = "mono" if audio.shape[0] == 1 else "stereo"
    rate = clip.sample_rate if clip.sample_rate in AAC_RATES else 48_000
    if rate != clip.sample_rate:
        logger.info("resampling audio from %d Hz to %d Hz for AAC", clip.sample_rate, rate)
    stream = out.add_stream("aac", rate=rate)
    stream.layout = layout
    stream.bit_rate = AAC_BITRATE_PER_CHANNEL * audio.shape[0]
    source = av.AudioFrame.from_ndarray(np.ascontiguousarray(audio), format="fltp", layout=layout)
    source.sample_rate, source.pts = clip.sample_rate, 0
    source.time_base = Fraction(1, clip.sample_rate)
    resampler = av.AudioResampler("fltp", layout, rate, frame_size=AAC_FRAME_SIZE)
    return stream, resampler.resample(source) + resampler.resample(None)
