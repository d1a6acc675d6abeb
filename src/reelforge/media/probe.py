"""What a media file holds (size, rate, length, codecs) without decoding its frames."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import av

from reelforge.media.decode import container_format, media_streams
from reelforge.media.images import image_info
from reelforge.media.sources import MediaInput, read_errors, resolve


def probe(src: MediaInput) -> dict[str, Any]:
    """Describe a video or image file (a path, or its bytes).

    Keys: format, width, height, fps, frames, duration (seconds), has_audio,
    video_codec, audio_codec, pix_fmt, sample_rate, channels (the last three are None
    for a silent file). Raises NotFoundError / MediaError as `read_clip` does.
    """
    source = resolve(src)
    if source.is_image:
        info = image_info(source)
        return {
            "format": source.format,
            **info,
            "has_audio": False,
            "audio_codec": None,
            "sample_rate": None,
            "channels": None,
        }
    with read_errors(source), source.open() as stream, av.open(stream) as container:
        video, audio = media_streams(container, source)
        fps = float(video.average_rate or video.guessed_rate or 0) or None
        frames = video.frames or _count_packets(container, video)
        return {
            "format": container_format(container, source),
            "width": video.codec_context.width,
            "height": video.codec_context.height,
            "fps": fps,
            "frames": frames,
            "duration": _duration(container, video, frames, fps),
            "has_audio": audio is not None,
            "video_codec": video.codec_context.name,
            "audio_codec": audio.codec_context.name if audio is not None else None,
            "pix_fmt": video.codec_context.pix_fmt,
            "sample_rate": audio.rate if audio is not None else None,
            "channels": audio.channels if audio is not None else None,
        }


def _count_packets(container, video) -> int:
    """Frame count for containers that do not store it (WebM): one packet per frame."""
    return sum(1 for p in container.demux(video) if p.size)


def _duration(container, video, frames: int, fps: float | None) -> float | None:
    if video.duration is not None and video.time_base is not None:
        return float(video.duration * Fraction(video.time_base))
    if container.duration is not None:
        return container.duration / av.time_base
    return frames / fps if fps else None
