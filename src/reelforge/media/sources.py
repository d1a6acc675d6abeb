"""Where media comes from: a path or bytes, its sniffed format, and typed read errors."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import av
from PIL import Image

from reelforge.types import InvalidInputError, MediaError, NotFoundError, ReelforgeError

IMAGE_FORMATS = frozenset({"png", "jpeg", "gif", "webp"})
SUPPORTED = "MP4, MOV, WebM, GIF, PNG, JPEG or WebP"
HEAD_BYTES = 64

MediaInput = str | os.PathLike[str] | bytes | bytearray | memoryview


@dataclass(frozen=True)
class Source:
    """A media input resolved once: `name` is what messages and metadata call it."""

    name: str
    format: str | None  # sniffed from the first bytes; None when unknown (PyAV decides)
    path: Path | None = None
    data: bytes | None = None

    @property
    def is_image(self) -> bool:
        return self.format in IMAGE_FORMATS

    def open(self) -> BinaryIO:
        return self.path.open("rb") if self.path is not None else io.BytesIO(self.data)


def resolve(src: MediaInput) -> Source:
    """Check that `src` names a non-empty file (or is non-empty bytes) and sniff it."""
    if isinstance(src, bytes | bytearray | memoryview):
        data = bytes(src)
        if not data:
            raise MediaError("The given media bytes are empty", param="file")
        return Source("<bytes>", sniff(data[:HEAD_BYTES]), data=data)
    if not isinstance(src, str | os.PathLike):
        raise InvalidInputError(f"Expected a path or bytes; got {type(src).__name__}", param="file")
    path = Path(src)
    if not path.exists():
        raise NotFoundError(f"No such media file: {path}", param="file")
    if path.is_dir():
        raise InvalidInputError(f"{path} is a folder, not a media file", param="file")
    try:
        with path.open("rb") as f:
            head = f.read(HEAD_BYTES)
    except OSError as e:
        raise MediaError(f"Cannot read {path.name}: {e.strerror}", param="file") from e
    if not head:
        raise MediaError(f"{path.name} is empty (0 bytes)", param="file")
    return Source(path.name, sniff(head), path=path)


def sniff(head: bytes) -> str | None:
    """The format that the first bytes of a file announce, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        return "mov" if head[8:12] == b"qt  " else "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: Matroska, or WebM by its DocType
        return "webm" if b"webm" in head else "matroska"
    return None


@contextlib.contextmanager
def read_errors(source: Source) -> Iterator[None]:
    """Turn whatever PyAV, Pillow or the OS raise while reading into a MediaError."""
    try:
        yield
    except ReelforgeError:
        raise
    except (av.FFmpegError, OSError, EOFError, ValueError, Image.DecompressionBombError) as e:
        reason = getattr(e, "strerror", None) or str(e) or type(e).__name__
        raise MediaError(
            f"Cannot read {source.name}: not a readable video or image, or the file is "
            f"corrupt or truncated ({reason})",
            param="file",
            hint=f"upload {SUPPORTED}",
        ) from e
