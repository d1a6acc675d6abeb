"""Files on disk under one root: uploads as received, and each video's assets.

    ROOT/uploads/<file id>            the bytes a user sent, written before the request returns
    ROOT/videos/<video id>/video.mp4  what the user downloads (watermarked when the plan says)
                          master.mp4  the clean clip, kept only when video.mp4 is marked,
                                      so remix/extend/edit start from unmarked frames
                          thumbnail.webp, spritesheet.jpg

Every write goes to a temporary name first and is renamed into place, so a killed
process leaves either the whole file or none.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from reelforge.types import NotFoundError

VARIANTS = {  # API variant -> (file name, media type)
    "video": ("video.mp4", "video/mp4"),
    "thumbnail": ("thumbnail.webp", "image/webp"),
    "spritesheet": ("spritesheet.jpg", "image/jpeg"),
}
MASTER = "master.mp4"


class Storage:
    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)
        (self.root / "uploads").mkdir(parents=True, exist_ok=True)
        (self.root / "videos").mkdir(parents=True, exist_ok=True)

    # -- uploads --------------------------------------------------------------------------

    def save_upload(self, file_id: str, data: bytes) -> str:
        """Write an upload durably (fsync before rename); returns its path under the root."""
        relative = f"uploads/{file_id}"
        target = self.root / relative
        partial = target.with_name(f".{target.name}.part")
        with partial.open("wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(partial, target)
        _fsync_dir(target.parent)
        return relative

    def path(self, relative: str) -> Path:
        return self.root / relative

    def delete_upload(self, relative: str) -> None:
        (self.root / relative).unlink(missing_ok=True)

    # -- video assets ---------------------------------------------------------------------

    def video_dir(self, video_id: str) -> Path:
        return self.root / "videos" / video_id

    def asset(self, video_id: str, variant: str) -> Path:
        """The file of `variant`; NotFoundError when it is not there (expired, deleted)."""
        name, _ = VARIANTS[variant]
        path = self.video_dir(video_id) / name
        if not path.exists():
            raise NotFoundError(f"the {variant} of video {video_id} is not available")
        return path

    def master(self, video_id: str) -> Path:
        """The clean clip of a video: master.mp4 when the download is marked, else video.mp4."""
        folder = self.video_dir(video_id)
        path = folder / MASTER
        if not path.exists():
            path = folder / VARIANTS["video"][0]
        if not path.exists():
            raise NotFoundError(f"the assets of video {video_id} are no longer available")
        return path

    def delete_video(self, video_id: str) -> None:
        shutil.rmtree(self.video_dir(video_id), ignore_errors=True)


def _fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (a power cut could otherwise undo it)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
