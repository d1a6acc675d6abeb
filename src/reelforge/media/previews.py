"""Previews of a clip: a WebP thumbnail and a JPEG spritesheet for hover scrubbing."""

from __future__ import annotations

import io
import math
import os
from dataclasses import asdict, dataclass

from PIL import Image

from reelforge.media.atomic import write_bytes_atomic
from reelforge.types import Clip, InvalidInputError

PathLike = str | os.PathLike[str]


# ---------------------------------------------------------------------------
# Thumbnail
# ---------------------------------------------------------------------------


def thumbnail_webp(
    clip: Clip,
    path: PathLike | None = None,
    *,
    max_side: int = 512,
    at: float = 0.5,
    quality: int = 80,
) -> bytes:
    """WebP of the frame at fraction `at` (0..1) of the clip, longest side <= max_side.

    Aspect ratio is kept and small clips are not enlarged. Written to `path` (whole or
    not at all) when given; the bytes are returned either way.
    """
    if not 0.0 <= at <= 1.0:
        raise InvalidInputError(f"at must be in [0, 1]; got {at}", param="at")
    if max_side < 1:
        raise InvalidInputError(f"max_side must be >= 1; got {max_side}", param="max_side")
    index = min(clip.num_frames - 1, int(at * clip.num_frames))
    image = Image.fromarray(clip.frames[index])
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return _save(image, path, format="WEBP", quality=quality, method=4)


# ---------------------------------------------------------------------------
# Spritesheet
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SpriteLayout:
    """Where each frame sits in a spritesheet.

    Tile i (row-major) shows frame `frame_indices[i]`, the middle frame of the i-th of
    `len(frame_indices)` equal spans of the clip; so a hover at fraction f of the clip's
    length maps to tile `tile_at(f)`, whose pixels are `tile_box(i)` in the sheet.
    """

    columns: int
    rows: int
    tile_width: int
    tile_height: int
    frame_indices: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.frame_indices)

    @property
    def width(self) -> int:
        return self.columns * self.tile_width

    @property
    def height(self) -> int:
        return self.rows * self.tile_height

    def tile_at(self, fraction: float) -> int:
        """The tile for a position at `fraction` (0..1) of the clip's length."""
        return min(self.count - 1, max(0, int(fraction * self.count)))

    def tile_box(self, tile: int) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) of a tile in the sheet, in pixels."""
        row, col = divmod(tile, self.columns)
        left, top = col * self.tile_width, row * self.tile_height
        return left, top, left + self.tile_width, top + self.tile_height

    def to_dict(self) -> dict:
        return {**asdict(self), "frame_indices": list(self.frame_indices)}


def sprite_layout(
    num_frames: int,
    width: int,
    height: int,
    *,
    count: int = 16,
    columns: int | None = None,
    tile_width: int = 160,
) -> SpriteLayout:
    """The grid for `count` tiles (fewer if the clip has fewer frames) of a clip's frames.

    columns defaults to ceil(sqrt(tiles)); each tile is `tile_width` wide and as tall as
    the clip's aspect ratio asks.
    """
    if count < 1 or tile_width < 1 or (columns is not None and columns < 1):
        raise InvalidInputError("count, columns and tile_width must be >= 1", param="count")
    n = min(count, num_frames)
    columns = min(columns or math.ceil(math.sqrt(n)), n)
    tile_height = max(1, round(tile_width * height / width))
    indices = tuple(min(num_frames - 1, int((i + 0.5) * num_frames / n)) for i in range(n))
    return SpriteLayout(columns, math.ceil(n / columns), tile_width, tile_height, indices)


def spritesheet_jpeg(
    clip: Clip,
    path: PathLike | None = None,
    *,
    count: int = 16,
    columns: int | None = None,
    tile_width: int = 160,
    quality: int = 85,
) -> bytes:
    """JPEG grid of `count` evenly spaced frames; see `sprite_layout` for where each sits.

    Unused cells of the last row are black. Written to `path` (whole or not at all)
    when given; the bytes are returned either way.
    """
    if not 1 <= quality <= 95:
        raise InvalidInputError(f"quality must be in 1-95; got {quality}", param="quality")
    layout = sprite_layout(
        clip.num_frames,
        clip.width,
        clip.height,
        count=count,
        columns=columns,
        tile_width=tile_width,
    )
    sheet = Image.new("RGB", (layout.width, layout.height))
    size = (layout.tile_width, layout.tile_height)
    for tile, index in enumerate(layout.frame_indices):
        image = Image.fromarray(clip.frames[index]).resize(size, Image.Resampling.LANCZOS)
        sheet.paste(image, layout.tile_box(tile)[:2])
    return _save(sheet, path, format="JPEG", quality=quality)


def _save(image: Image.Image, path: PathLike | None, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, **options)
    data = buffer.getvalue()
    if path is not None:
        write_bytes_atomic(path, data)
    return data
