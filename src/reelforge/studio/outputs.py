"""A finished clip → the files a video job serves: MP4, thumbnail and spritesheet.

Every clip first gets the invisible watermark (this installation + the job, see
`invisible_mark`); every MP4 is signed with the job's Content Credentials (signing.py).
The plan decides whether the download also carries the visible watermark; when it does,
the clip without it is kept beside it (never served) so remixes and extensions start
from frames without the visible mark.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Row

from reelforge.media import spritesheet_jpeg, thumbnail_webp, write_mp4
from reelforge.provenance import visible_watermark
from reelforge.provenance.invisible import embed
from reelforge.provenance.payload import Payload, id32
from reelforge.studio.context import MarkSettings
from reelforge.studio.storage import MASTER, VARIANTS, Storage
from reelforge.types import Clip

CRF = 18
PRESET = "fast"  # x264: a little larger than "medium" at the same quality, much faster


def invisible_mark(mark: MarkSettings, video_id: str, clip: Clip) -> Clip:
    """The clip carrying (installation, job) in its invisible watermark. A job that
    starts from a marked clip (an extension keeps its source's frames) is marked again:
    the embedder fits its bits over what the picture, old mark included, already holds."""
    return embed(clip, Payload(mark.installation, id32(video_id)), mark.key)


def store_outputs(storage: Storage, row: Row, clip: Clip, sign: Callable[[Path], None]) -> None:
    """Write the job's files, every MP4 signed (`sign` signs a file in place)."""
    folder = storage.video_dir(row.id)
    folder.mkdir(parents=True, exist_ok=True)
    shown = clip
    if row.watermark:
        sign(write_mp4(clip, folder / MASTER, crf=CRF, preset=PRESET))
        shown = visible_watermark(clip)
    thumbnail_webp(shown, folder / VARIANTS["thumbnail"][0])
    spritesheet_jpeg(shown, folder / VARIANTS["spritesheet"][0])
    # The video last: its presence is what makes a job's files complete. It is signed
    # under a temporary name, then renamed into place.
    partial = folder / ".video.signing.mp4"
    sign(write_mp4(shown, partial, crf=CRF, preset=PRESET))
    partial.replace(folder / VARIANTS["video"][0])
