"""Lineage: an edit names its parents and the operation, and is not mistaken for them."""

import json

import numpy as np

from reelforge.edit.lineage import with_parents
from reelforge.types import Clip


def clip(frames: int, **metadata) -> Clip:
    return Clip(np.zeros((frames, 8, 16, 3), np.uint8), 12.0, metadata=metadata)


def test_parents_are_named_by_id_or_source_with_their_length_and_size():
    a = clip(24, id="video_123", source="a.mp4", prompt="a red ball")
    b = clip(6, source="b.mp4", operation="fill")
    out = with_parents(clip(30, prompt="a red ball", source="a.mp4"), a, b, operation="stitch",
                       transition="cut")  # fmt: skip
    assert out.metadata["operation"] == "stitch"
    assert out.metadata["parents"] == [
        {"id": "video_123", "source": "a.mp4", "frames": 24, "fps": 12.0, "duration": 2.0,
         "size": [16, 8]},
        {"source": "b.mp4", "frames": 6, "fps": 12.0, "duration": 0.5, "size": [16, 8],
         "operation": "fill"},
    ]  # fmt: skip
    assert out.metadata["edit"] == {"transition": "cut"}
    # the result keeps what describes it, not the name of a file it is not
    assert out.metadata["prompt"] == "a red ball" and "source" not in out.metadata
    json.dumps(out.metadata)  # travels into manifests and the job table as it is


def test_the_parent_itself_is_left_as_it_was():
    a = clip(3, source="a.mp4")
    with_parents(a, a, operation="fill")
    assert a.metadata == {"source": "a.mp4"}
