"""Blockiness: a smooth picture reads about 1, one made of 16-pixel tiles much more."""

from __future__ import annotations

import numpy as np
import pytest

from reelforge.evaluate.blockiness import block_ratio


def _smooth(h: int = 72, w: int = 128, frames: int = 4) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    picture = 128 + 60 * np.sin(x / 7.0) * np.cos(y / 9.0)
    return np.broadcast_to(picture[None, :, :, None], (frames, h, w, 3)).astype(np.uint8)


def _tiles(h: int = 72, w: int = 128, tile: int = 16) -> np.ndarray:
    levels = np.random.default_rng(0).uniform(40, 220, (h // tile + 1, w // tile + 1))
    picture = np.kron(levels, np.ones((tile, tile)))[:h, :w]
    picture = picture + np.random.default_rng(1).normal(0, 3, picture.shape)  # some texture
    return np.broadcast_to(picture[None, :, :, None], (4, h, w, 3)).clip(0, 255).astype(np.uint8)


def test_a_smooth_picture_reads_about_one():
    assert block_ratio(_smooth()) == pytest.approx(1.0, abs=0.15)


def test_a_picture_of_tiles_reads_high_and_only_at_its_tile_size():
    assert block_ratio(_tiles()) > 5
    assert block_ratio(_tiles(tile=12)) < block_ratio(_tiles())  # lines off the 16 grid


def test_a_flat_or_tiny_picture_has_no_ratio():
    assert block_ratio(np.full((4, 72, 128, 3), 90, np.uint8)) is None
    assert block_ratio(_smooth(h=24, w=24)) is None
