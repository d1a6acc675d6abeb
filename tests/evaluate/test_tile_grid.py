"""Tile grid: a smooth picture reads about 1, one made of tiles much more, and an edge that
happens to lie on a grid line is not a grid."""

from __future__ import annotations

import numpy as np
import pytest

from reelforge.evaluate.tile_grid import CLEAN, MESSY, grid_ratio, tile_grid_score


def _smooth(h: int = 72, w: int = 128, frames: int = 4) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    picture = 128 + 60 * np.sin(x / 7.0) * np.cos(y / 9.0)
    return np.broadcast_to(picture, (frames, h, w)).astype(np.float32)


def _tiles(h: int = 72, w: int = 128, tile: int = 16) -> np.ndarray:
    levels = np.random.default_rng(0).uniform(40, 220, (h // tile + 1, w // tile + 1))
    picture = np.kron(levels, np.ones((tile, tile)))[:h, :w]
    picture = picture + np.random.default_rng(1).normal(0, 3, picture.shape)  # some texture
    return np.broadcast_to(picture, (4, h, w)).clip(0, 255).astype(np.float32)


def test_a_smooth_picture_reads_about_one_and_scores_one():
    ratio = grid_ratio(_smooth())
    assert ratio == pytest.approx(1.0, abs=0.15)
    assert tile_grid_score(ratio) == 1.0


@pytest.mark.parametrize("tile", [8, 16, 32])
def test_tiles_of_each_grid_size_read_high_and_score_zero(tile):
    size = (144, 256) if tile == 32 else (72, 128)  # 32 needs enough lines to outvote edges
    ratio = grid_ratio(_tiles(*size, tile=tile))
    assert ratio > 5
    assert tile_grid_score(ratio) == 0.0


def test_tiles_off_the_grid_do_not_read_as_one():
    assert grid_ratio(_tiles(tile=12)) < CLEAN  # edges every 12 px miss most 8/16 lines


def test_strong_edges_on_a_few_grid_lines_are_not_a_grid():
    frames = _smooth().copy()
    frames[:, 32:] += 80  # a horizon exactly on a 16-px line
    frames[:, :, 64:66] = 20  # a post whose left edge lies on a line
    assert grid_ratio(frames) == pytest.approx(1.0, abs=0.2)


def test_the_score_falls_between_clean_and_messy():
    assert tile_grid_score(CLEAN) == 1.0 and tile_grid_score(MESSY) == 0.0
    assert tile_grid_score((CLEAN + MESSY) / 2) == pytest.approx(0.5)


def test_a_flat_or_tiny_picture_is_not_judged():
    assert grid_ratio(np.full((4, 72, 128), 90, np.float32)) is None
    assert grid_ratio(_smooth(h=24, w=24)) is None
