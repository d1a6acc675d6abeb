"""Uploaded files: stored before the request returns, owned by the user who sent them.

Used for `POST /v1/files`, image references (`input_reference`), videos to edit or
extend, and characters. Every upload is checked against the size limit and sniffed
(PNG, JPEG, WebP, GIF; MP4, MOV, WebM) before it is kept.
"""

from __future__ import annotations

import base64
import binascii
import time

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection, Row

from reelforge.media import probe, read_clip
from reelforge.media.sources import IMAGE_FORMATS, sniff
from reelforge.studio.accounts import User
from reelforge.studio.context import Context
from reelforge.studio.db import files
from reelforge.studio.errors import TooLargeError
from reelforge.studio.ids import new_id
from reelforge.studio.requests import Upload
from reelforge.types import InvalidInputError, MediaError, NotFoundError

VIDEO_FORMATS = frozenset({"mp4", "mov", "webm", "matroska"})


def megabytes(size: int) -> str:
    """Sizes in the unit of the `max_upload_mb` setting (MiB, written MB as users expect)."""
    return f"{size / 2**20:.1f} MB"


def check_size(ctx: Context, upload: Upload, param: str) -> None:
    limit = ctx.config.server.max_upload_bytes
    if len(upload.data) > limit:
        raise TooLargeError(
            f"{param} is {megabytes(len(upload.data))}; the limit is {megabytes(limit)}",
            param=param,
        )
    if not upload.data:
        raise InvalidInputError(f"{param} is empty (0 bytes)", param=param)


def store(conn: Connection, ctx: Context, user: User, upload: Upload, purpose: str) -> str:
    """Keep `upload` (bytes on disk, fsynced, then its row); returns the file id."""
    file_id = new_id("file-")
    relative = ctx.storage.save_upload(file_id, upload.data)
    conn.execute(
        files.insert().values(
            id=file_id,
            user_id=user.id,
            purpose=purpose,
            filename=upload.filename or file_id,
            content_type=upload.content_type,
            bytes=len(upload.data),
            path=relative,
            created_at=time.time(),
        )
    )
    return file_id


def get_file(ctx: Context, user: User, file_id: str, param: str = "file_id") -> Row:
    with ctx.db.connect() as conn:
        row = conn.execute(
            select(files).where(files.c.id == file_id, files.c.user_id == user.id)
        ).first()
    if row is None:
        raise NotFoundError(f"no file with id {file_id!r}", param=param)
    return row


def read_file(ctx: Context, row: Row) -> Upload:
    data = ctx.storage.path(row.path).read_bytes()
    return Upload(row.filename, row.content_type, data)


def delete_file(ctx: Context, user: User, file_id: str) -> None:
    row = get_file(ctx, user, file_id)
    with ctx.db.begin() as conn:
        conn.execute(delete(files).where(files.c.id == row.id))
    ctx.storage.delete_upload(row.path)


def image_info(upload: Upload, param: str) -> dict:
    """probe() of an image upload, whose pixels are decoded too (an image is small, and a
    truncated one must be refused now, not fail later in the queue); a 400 for anything
    that is not an image, a 422 for one that cannot be decoded."""
    kind = sniff(upload.data[:64])
    if kind not in IMAGE_FORMATS:
        what = f"a {kind} file" if kind else "not an image"
        raise InvalidInputError(
            f"{param} must be a PNG, JPEG, WebP or GIF image; the upload is {what}", param=param
        )
    info = _probe(upload, param)
    try:
        read_clip(upload.data, max_frames=1)
    except MediaError as e:
        raise MediaError(f"{param} could not be read: {e.message}", param=param) from None
    return info


def check_media(upload: Upload, param: str) -> None:
    """An upload for video work must be an image or a video (sniffed from its bytes)."""
    kind = sniff(upload.data[:64])
    if kind not in IMAGE_FORMATS | VIDEO_FORMATS:
        raise InvalidInputError(
            f"{param} must be an image (PNG, JPEG, WebP, GIF) or a video (MP4, MOV, WebM); "
            "this server keeps media files only",
            param=param,
        )


def video_info(upload: Upload, param: str) -> dict:
    """probe() of a video upload; a 400 for anything that is not a readable video."""
    kind = sniff(upload.data[:64])
    if kind not in VIDEO_FORMATS:
        what = f"a {kind} file" if kind else "not a video"
        raise InvalidInputError(
            f"{param} must be an MP4, MOV or WebM video; the upload is {what}", param=param
        )
    info = _probe(upload, param)
    if not info.get("frames") or not info.get("fps"):
        raise MediaError(f"{param} has no video frames", param=param)
    return info


def data_url(value: str, param: str) -> Upload:
    """The bytes of a `data:image/png;base64,...` URL. Remote URLs are refused: the
    server fetches nothing from the network."""
    if not value.startswith("data:"):
        raise InvalidInputError(
            f"{param} must be a data URL (data:image/png;base64,...); this server does not "
            "fetch remote URLs: send the file itself or upload it to /v1/files",
            param=param,
        )
    header, sep, payload = value[5:].partition(",")
    if not sep or not header.endswith(";base64"):
        raise InvalidInputError(f"{param} must be a base64 data URL", param=param)
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInputError(f"{param} is not valid base64", param=param) from None
    return Upload("image", header.removesuffix(";base64") or None, data)


def _probe(upload: Upload, param: str) -> dict:
    try:
        return probe(upload.data)
    except MediaError as e:
        raise MediaError(
            f"{param} could not be read: {e.message}", param=param, hint=e.hint
        ) from None


def get_file_row(ctx: Context, file_id: str) -> Row:
    """A file by id whoever owns it (for workers, which act for the job's owner)."""
    with ctx.db.connect() as conn:
        row = conn.execute(select(files).where(files.c.id == file_id)).first()
    if row is None:
        raise NotFoundError(f"the uploaded file {file_id} is gone", param="file_id")
    return row
