"""A few frames spread over a whole file, without holding the whole file in memory.

Checks that look at a video's content (faces in an upload) need a handful of frames from
across it, not every frame: a 50 MB upload decoded whole can be gigabytes of pixels.
"""

from __future__ import annotations

import av
import numpy as np

from reelforge.media.decode import media_streams
from reelforge.media.images import read_image
from reelforge.media.probe import probe
from reelforge.media.sources import MediaInput, read_errors, resolve
from reelforge.types import InvalidInputError, MediaError


def sample_frames(src: MediaInput, count: int = 8) -> np.ndarray:
    """Up to `count` frames, evenly spaced from first to last, RGB uint8 (N, H, W, 3).

    An image gives its frames (one for a still). Decodes the whole stream once but keeps
    only the chosen frames. Raises what `read_clip` raises for a bad file.
    """
    if count < 1:
        raise InvalidInputError(f"count must be >= 1; got {count}", param="count")
    source = resolve(src)
    if source.is_image:
        frames = read_image(source, fps=None, max_frames=None).frames
        picks = np.unique(np.linspace(0, len(frames) - 1, min(count, len(frames))).round())
        return frames[picks.astype(int)]
    total = max(1, probe(src).get("frames") or 1)
    wanted = set(np.linspace(0, total - 1, min(count, total)).round().astype(int).tolist())
    kept: list[np.ndarray] = []
    with read_errors(source), source.open() as stream, av.open(stream) as container:
        video, _ = media_streams(container, source)
        for index, frame in enumerate(container.decode(video)):
            if index in wanted:  # a stream that changes size is scaled to its first size
                size = {"height": kept[0].shape[0], "width": kept[0].shape[1]} if kept else {}
                kept.append(frame.to_ndarray(format="rgb24", **size))
            if index >= max(wanted):
                break
    if not kept:
        raise MediaError(f"{source.name} has no decodable video frames")
    return np.stack(kept)
