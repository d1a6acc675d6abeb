"""Synthetic clips for the media tests: smooth images that H.264 keeps well.

Helpers are fixtures (not imports) so the tests work under any pytest import mode.
"""

import numpy as np
import pytest

from reelforge.types import Clip

COLOURS = [
    (220, 30, 30),
    (30, 200, 40),
    (30, 60, 220),
    (230, 220, 40),
    (200, 40, 200),
    (40, 210, 210),
    (250, 250, 250),
    (20, 20, 20),
]


def _gradient(t: int, h: int, w: int) -> np.ndarray:
    """(T, H, W, 3) uint8: a diagonal gradient that drifts a little each frame."""
    y, x = np.mgrid[0:h, 0:w]
    k = np.arange(t)[:, None, None]
    r = 40 + 160 * x / max(w - 1, 1) + 2 * k
    g = 40 + 160 * y / max(h - 1, 1) + 0 * k
    b = 200 - 3 * k + 0 * x
    return np.stack([r, g, b], axis=-1).astype(np.uint8)


def _solid(colours: list[tuple[int, int, int]], h: int, w: int) -> np.ndarray:
    """One solid frame per colour: (len(colours), H, W, 3)."""
    return np.stack([np.full((h, w, 3), c, np.uint8) for c in colours])


@pytest.fixture
def gradient_frames():
    return _gradient


@pytest.fixture
def colours() -> list[tuple[int, int, int]]:
    return list(COLOURS)


@pytest.fixture
def clip() -> Clip:
    """12 frames of 64x36 gradient at 24 fps, silent."""
    return Clip(_gradient(12, 36, 64), fps=24.0)


@pytest.fixture
def colour_clip() -> Clip:
    """8 frames of 64x36, each a different solid colour (COLOURS), at 8 fps."""
    return Clip(_solid(COLOURS, 36, 64), fps=8.0)
