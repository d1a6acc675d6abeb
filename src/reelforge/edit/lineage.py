"""Lineage: every edited clip says which clips it was made from, and how.

    clip = with_parents(result, a, b, operation="stitch")
    clip.metadata["operation"]  -> "stitch"
    clip.metadata["parents"]    -> [{"id" or "source", "frames", "fps", "duration",
                                     "size", "operation"?}, ...]

A parent is named by its `id` (a studio video id) when it has one, else by its `source`
(the file it was read from), so provenance can find it again; its frame count, fps,
duration and size tell which version of that file it was. These entries are plain JSON,
so they travel into the C2PA manifest and the job table unchanged.
"""

from __future__ import annotations

from typing import Any

from reelforge.types import Clip

IDENTITY_KEYS = ("id", "source", "format")  # name one file or video, never its edits


def parent_entry(clip: Clip) -> dict[str, Any]:
    """The identity of one parent clip (JSON-serialisable)."""
    entry: dict[str, Any] = {}
    for key in ("id", "source"):
        if clip.metadata.get(key) is not None:
            entry[key] = clip.metadata[key]
    entry.update(
        frames=clip.num_frames,
        fps=float(clip.fps),
        duration=round(clip.duration, 6),
        size=[clip.width, clip.height],
    )
    if "operation" in clip.metadata:  # the parent was itself an edit
        entry["operation"] = clip.metadata["operation"]
    return entry


def with_parents(clip: Clip, *parents: Clip, operation: str, **details: Any) -> Clip:
    """`clip` with metadata naming its `parents` and the `operation` that made it.

    `details` (JSON values: transition, span, frames filled, ...) are kept under
    metadata["edit"]. The parents' own metadata is not copied, only their identities;
    earlier entries of clip.metadata (prompt, seed, engine) are kept, except the ones that
    name a file or video (a new clip is neither of its parents).
    """
    metadata = {k: v for k, v in clip.metadata.items() if k not in IDENTITY_KEYS}
    metadata["operation"] = operation
    metadata["parents"] = [parent_entry(p) for p in parents]
    if details:
        metadata["edit"] = details
    return clip.with_(metadata=metadata)
