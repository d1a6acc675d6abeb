"""Decode media files back into Clips: video containers with PyAV, images with Pillow.

The clip's time 0 is its first video frame: audio that starts earlier is cut, audio
that starts later is preceded by silence, so sound stays in sync with picture.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from fractions import Fraction

import av
import numpy as np

from reelforge.media.images import read_image
from reelforge.media.sources import MediaInput, Source, read_errors, resolve
from reelforge.types import Clip, InvalidInputError, MediaError

logger = logging.getLogger(__name__)


def read_clip(src: MediaInput, *, max_frames: int | None = None, fps: float | None = None) -> Clip:
    """Read a video or image file (a path, or its bytes) into a Clip.

    Reads MP4, MOV, WebM/Matroska and anything else FFmpeg demuxes, and PNG, JPEG,
    WebP and GIF. Frames come back RGB uint8 (T, H, W, 3); fps is the stream's average
    rate; audio (first audio stream, down-mixed to stereo if it has more channels) is
    float32 (channels, samples) at the stream's sample rate, aligned to frame 0.

    A still image becomes a 1-frame clip at `fps` (default 1.0); files with their own
    timing (videos, animated GIF/WebP/PNG) keep it and ignore `fps`. `max_frames` stops
    after that many frames (audio is cut to the same duration).

    metadata holds `source` (file name, or "<bytes>") and `format` ("mp4", "mov",
    "webm", "gif", ...). Raises NotFoundError for a missing file and MediaError for an
    empty, corrupt, truncated or non-media one.
    """
    if max_frames is not None and max_frames < 1:
        raise InvalidInputError(f"max_frames must be >= 1; got {max_frames}", param="max_frames")
    if fps is not None and not fps > 0:
        raise InvalidInputError(f"fps must be positive; got {fps}", param="fps")
    source = resolve(src)
    if source.is_image:
        return read_image(source, fps=fps, max_frames=max_frames)
    with read_errors(source), source.open() as stream, av.open(stream) as container:
        return _read_container(container, source, max_frames)


def container_format(container, source: Source) -> str:
    """A short format name: the sniffed one, else FFmpeg's first name ("avi", "mpegts")."""
    return source.format or container.format.name.split(",")[0]


def media_streams(container, source: Source):
    """The first decodable video stream and audio stream (or None) of a container."""
    video = next((s for s in container.streams.video if s.codec_context is not None), None)
    audio = next((s for s in container.streams.audio if s.codec_context is not None), None)
    if video is None:
        raise MediaError(f"{source.name} has no video stream that can be decoded", param="file")
    return video, audio


# ---------------------------------------------------------------------------
# Containers
# ---------------------------------------------------------------------------


@dataclass
class _Decoded:
    images: list[np.ndarray] = field(default_factory=list)  # T x (H, W, 3)
    video_start: float | None = None  # seconds, first frame's timestamp
    video_last: float | None = None  # seconds, last frame's timestamp
    video_step: float | None = None  # seconds the last frame lasts, when the file says
    chunks: list[np.ndarray] = field(default_factory=list)  # n x (C, S_i) float32
    audio_start: float | None = None  # seconds, first audio sample's timestamp
    audio_end: float | None = None  # seconds, end of the last audio packet (pts + duration)

    @property
    def audio_samples(self) -> int:
        return sum(c.shape[1] for c in self.chunks)


def _read_container(container, source: Source, max_frames: int | None) -> Clip:
    video, audio = media_streams(container, source)
    video.thread_type = "AUTO"
    decoded = _decode(container, video, audio, max_frames, source)
    if not decoded.images:
        raise MediaError(
            f"Cannot read {source.name}: no video frame could be decoded (corrupt or truncated?)",
            param="file",
        )
    fps = _fps(video)
    limit = len(decoded.images) / fps if max_frames is not None else None
    clip_audio = _aligned_audio(decoded, audio, limit) if audio is not None else None
    metadata = {"source": source.name, "format": container_format(container, source)}
    return Clip(
        frames=np.stack(decoded.images),
        fps=fps,
        audio=clip_audio,
        sample_rate=audio.rate if audio is not None else 48_000,
        metadata=metadata,
    )


def _decode(container, video, audio, max_frames: int | None, source: Source) -> _Decoded:
    out = _Decoded()
    resampler = _resampler(audio) if audio is not None else None
    streams = [s for s in (video, audio) if s is not None]
    packets, corrupt = 0, False
    for packet in container.demux(streams):
        corrupt |= packet.is_corrupt
        if packet.stream is video:
            packets += packet.size > 0
            if max_frames is None or len(out.images) < max_frames:
                _add_images(out, packet.decode(), max_frames)
        else:
            _note_audio_end(out, packet)
            _add_audio(out, packet.decode(), resampler)
        if _done(out, audio, max_frames, video):
            break
    else:
        _check_complete(out, video, packets, corrupt, source)
    if resampler is not None:
        out.chunks.extend(f.to_ndarray() for f in resampler.resample(None))
    return out


def _check_complete(out: _Decoded, video, packets: int, corrupt: bool, source: Source) -> None:
    """Raise if the file ended early: a short packet, or pictures that end over half a
    frame before the stream's stated duration. Where the index counts frames (MP4), a
    shortfall counts only with missing packets too: an edit list may hide some."""
    end, step = _stated_end(video), 1 / _fps(video)
    shown = (out.video_last or 0.0) + (out.video_step or step)  # when the pictures end
    missing = packets < video.frames if video.frames else True
    if corrupt or (missing and end is not None and shown < end - step / 2):
        raise MediaError(
            f"Cannot read {source.name}: the file is truncated or corrupt "
            f"(pictures end at {shown:.3f} s of {end or 0.0:.3f} s)",
            param="file",
        )


def _stated_end(stream) -> float | None:
    """Where the container says the stream ends, in seconds (Matroska: a DURATION tag)."""
    if stream.duration is not None and stream.time_base is not None:
        return float(((stream.start_time or 0) + stream.duration) * Fraction(stream.time_base))
    parts = stream.metadata.get("DURATION", "").split(":")
    try:
        return int(parts[0]) * 3600 + int(parts[1]) * 60 + float(parts[2])
    except (ValueError, IndexError):
        return None


def _add_images(out: _Decoded, frames, max_frames: int | None) -> None:
    for frame in frames:
        if max_frames is not None and len(out.images) >= max_frames:
            return
        if out.video_start is None:
            out.video_start = frame.time or 0.0
        out.video_last = frame.time or 0.0
        out.video_step = float(frame.duration * frame.time_base) if frame.duration else None
        size = {}
        if out.images:  # a stream that changes size mid-way is scaled to its first size
            size = {"height": out.images[0].shape[0], "width": out.images[0].shape[1]}
        out.images.append(frame.to_ndarray(format="rgb24", **size))


def _add_audio(out: _Decoded, frames, resampler) -> None:
    for frame in frames:
        if out.audio_start is None:
            out.audio_start = frame.time or 0.0
        out.chunks.extend(f.to_ndarray() for f in resampler.resample(frame))


def _note_audio_end(out: _Decoded, packet) -> None:
    """Encoders pad their last frame (AAC to 1024 samples); the packet durations that
    the muxer stored say where the real audio ends (MP4's edit list, in ms, is coarser)."""
    if packet.pts is None or not packet.duration or packet.time_base is None:
        return
    end = float((packet.pts + packet.duration) * Fraction(packet.time_base))
    out.audio_end = end if out.audio_end is None else max(out.audio_end, end)


def _done(out: _Decoded, audio, max_frames: int | None, video) -> bool:
    """Stop early once max_frames are in and the audio has reached their end."""
    if max_frames is None or len(out.images) < max_frames:
        return False
    if audio is None or out.audio_start is None:
        return audio is None
    end = (out.video_start or 0.0) + max_frames / float(video.average_rate or 1)
    return out.audio_start + out.audio_samples / audio.rate >= end


def _resampler(audio) -> av.AudioResampler:
    layout = "mono" if audio.channels == 1 else "stereo"
    return av.AudioResampler(format="fltp", layout=layout, rate=audio.rate)


def _fps(video) -> float:
    rate = video.average_rate or video.guessed_rate or video.base_rate
    if rate:
        return float(rate)
    logger.warning("video stream states no frame rate; assuming 24 fps")
    return 24.0


def _aligned_audio(decoded: _Decoded, stream, limit: float | None) -> np.ndarray | None:
    """(C, S) audio whose sample 0 plays with frame 0, cut to the stream's stated end
    and to `limit` seconds when given."""
    if not decoded.chunks:
        return None
    audio = np.concatenate(decoded.chunks, axis=1).astype(np.float32)  # (C, S)
    rate = stream.rate
    if decoded.audio_end is not None and decoded.audio_start is not None:
        audio = audio[:, : max(0, round((decoded.audio_end - decoded.audio_start) * rate))]
    offset = round(((decoded.audio_start or 0.0) - (decoded.video_start or 0.0)) * rate)
    if offset > 0:
        audio = np.pad(audio, ((0, 0), (offset, 0)))
    elif offset < 0:
        audio = audio[:, -offset:]
    return audio if limit is None else audio[:, : round(limit * rate)]
