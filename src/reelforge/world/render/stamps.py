"""Stamps: drawings over a small pixel box, blended into a frame, and their cache.

A stamp holds premultiplied colour and transparency, so drawing it is one multiply-add
over its box; the cache keys stamps by everything that shaped them, so a still object
(or one seen again at the same sub-pixel offset) is drawn from memory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CACHE_SIZE = 96
CACHE_BYTES = 48 * 2**20
SNAP = 16  # positions are drawn to 1/SNAP of a pixel


@dataclass(frozen=True)
class Stamp:
    """A drawing over a box of pixels: frame = frame * keep + paint there."""

    keep: np.ndarray  # (h, w, 1) float32, 1 - alpha
    paint: np.ndarray | None  # (h, w, 3) float32, premultiplied colour (+0.5 for rounding)

    def apply(self, frame: np.ndarray, u0: int, v0: int) -> None:
        """Blend into frame (H, W, 3) uint8 with the box's top-left pixel at (u0, v0)."""
        h, w = self.keep.shape[:2]
        a0, b0 = max(v0, 0), max(u0, 0)
        a1, b1 = min(v0 + h, frame.shape[0]), min(u0 + w, frame.shape[1])
        if a1 <= a0 or b1 <= b0:
            return
        sv, su = slice(a0 - v0, a1 - v0), slice(b0 - u0, b1 - u0)
        region = frame[a0:a1, b0:b1]
        out = region * self.keep[sv, su]
        if self.paint is not None:
            out += self.paint[sv, su]
        else:
            out += 0.5
        region[...] = out.astype(np.uint8)


class StampCache:
    """Stamps by their exact inputs, forgetting the oldest beyond CACHE_SIZE of them or
    CACHE_BYTES of pixels."""

    def __init__(self) -> None:
        self._items: dict[tuple, Stamp | None] = {}
        self._bytes = 0

    @staticmethod
    def _size(stamp: Stamp | None) -> int:
        if stamp is None:
            return 0
        return stamp.keep.nbytes + (0 if stamp.paint is None else stamp.paint.nbytes)

    def get(self, key: tuple, make) -> Stamp | None:
        if key in self._items:
            return self._items[key]
        stamp = make()
        self._bytes += self._size(stamp)
        self._items[key] = stamp
        while len(self._items) > CACHE_SIZE or (self._bytes > CACHE_BYTES and len(self._items) > 1):
            self._bytes -= self._size(self._items.pop(next(iter(self._items))))
        return stamp


def snap(p: float) -> float:
    """A pixel position rounded to SNAP: drawings of a still object seen by a moving
    camera repeat, so their stamps are reused (the error stays below 1/32 pixel)."""
    return round(p * SNAP) / SNAP
