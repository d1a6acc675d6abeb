"""Write files whole or not at all: a temp file beside the target, renamed at the end.

A crash or an error half way leaves the target untouched (absent, or its old
content), never a half-written file that a player or the job table would trust.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from reelforge.types import InvalidInputError, MediaError


def checked_target(path: str | os.PathLike[str]) -> Path:
    """The path as a Path, after checking that a file can be written there."""
    target = Path(path)
    if target.is_dir():
        raise InvalidInputError(f"{target} is a folder, not a file path", param="path")
    if not target.parent.is_dir():
        raise InvalidInputError(
            f"Cannot write {target.name}: folder {target.parent} does not exist",
            param="path",
            hint="create the folder first",
        )
    return target


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temp path beside `path`; on success it replaces `path`, on error it goes."""
    target = checked_target(path)
    try:
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
    except OSError as e:
        raise MediaError(f"Cannot write to {target.parent}: {e.strerror}", param="path") from e
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.chmod(0o644)  # mkstemp makes 0600; media files are meant to be served
    try:
        yield tmp
        os.replace(tmp, target)
    except OSError as e:
        raise MediaError(f"Cannot write {target}: {e.strerror}", param="path") from e
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write `data` to `path` whole or not at all; returns the path."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)
