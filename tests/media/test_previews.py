import io

import numpy as np
import pytest
from PIL import Image

from reelforge.media import sprite_layout, spritesheet_jpeg, thumbnail_webp
from reelforge.types import Clip, InvalidInputError


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def near(pixel, colour, tolerance=12) -> bool:
    return bool(np.abs(np.asarray(pixel, int) - np.asarray(colour, int)).max() <= tolerance)


@pytest.mark.parametrize(("max_side", "size"), [(32, (32, 18)), (512, (64, 36))])
def test_thumbnail_keeps_aspect_and_never_enlarges(colour_clip, max_side, size):
    image = decode(thumbnail_webp(colour_clip, max_side=max_side))
    assert image.format == "WEBP"
    assert image.size == size


def test_thumbnail_shows_the_frame_at_the_given_fraction(colour_clip, colours):
    for at, index in [(0.0, 0), (0.5, 4), (1.0, 7)]:
        image = decode(thumbnail_webp(colour_clip, at=at)).convert("RGB")
        assert near(image.getpixel((32, 18)), colours[index])


def test_thumbnail_of_a_portrait_clip(gradient_frames):
    clip = Clip(gradient_frames(2, 100, 40), fps=24.0)
    assert decode(thumbnail_webp(clip, max_side=50)).size == (20, 50)


def test_thumbnail_is_written_when_given_a_path(tmp_path, colour_clip):
    data = thumbnail_webp(colour_clip, tmp_path / "thumb.webp")
    assert (tmp_path / "thumb.webp").read_bytes() == data


def test_thumbnail_rejects_a_position_outside_the_clip(colour_clip):
    with pytest.raises(InvalidInputError):
        thumbnail_webp(colour_clip, at=1.5)


def test_spritesheet_grid_and_tiles_show_the_right_frames(tmp_path, colour_clip, colours):
    data = spritesheet_jpeg(colour_clip, tmp_path / "sprite.jpg", count=4, tile_width=40)
    layout = sprite_layout(8, 64, 36, count=4, tile_width=40)
    assert (layout.columns, layout.rows, layout.tile_width, layout.tile_height) == (2, 2, 40, 22)
    assert layout.frame_indices == (1, 3, 5, 7)  # the middle of each quarter
    image = decode(data)
    assert image.format == "JPEG" and image.size == (80, 44)
    assert (tmp_path / "sprite.jpg").read_bytes() == data
    for tile, index in enumerate(layout.frame_indices):
        left, top, right, bottom = layout.tile_box(tile)
        assert near(image.getpixel(((left + right) // 2, (top + bottom) // 2)), colours[index])


def test_spritesheet_of_a_short_clip_has_one_tile_per_frame(colour_clip, colours):
    short = colour_clip.with_(frames=colour_clip.frames[:3])
    layout = sprite_layout(3, 64, 36, count=16)
    assert (layout.columns, layout.rows, layout.frame_indices) == (2, 2, (0, 1, 2))
    image = decode(spritesheet_jpeg(short, count=16))
    assert image.size == (320, 180)
    assert near(image.getpixel((240, 135)), (0, 0, 0))  # the unused cell stays black
    assert near(image.getpixel((80, 135)), colours[2])


def test_default_layout_is_a_square_ish_grid():
    layout = sprite_layout(240, 1280, 720)
    assert (layout.columns, layout.rows, layout.count) == (4, 4, 16)
    assert (layout.width, layout.height) == (640, 360)
    assert sprite_layout(240, 1280, 720, count=10, columns=5).rows == 2


def test_layout_maps_a_hover_position_to_its_tile():
    layout = sprite_layout(100, 64, 36, count=10, columns=5)
    assert [layout.tile_at(f) for f in (0.0, 0.09, 0.1, 0.55, 0.999, 1.0)] == [0, 0, 1, 5, 9, 9]
    assert layout.tile_box(7) == (320, 90, 480, 180)
    assert layout.to_dict()["frame_indices"] == [5, 15, 25, 35, 45, 55, 65, 75, 85, 95]
