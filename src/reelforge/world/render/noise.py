"""Deterministic procedural noise in world coordinates.

Every texture of the world (grass, clouds, hills, bricks) is a function of world metres
and the scene seed, never of the picture, so a camera move shows the same world and one
scene renders the same at every size. Integer hashing keeps it free of global state.
"""

from __future__ import annotations

import numpy as np

_MASK = 0xFFFFFFFF


def _salted(seed: int, salt: int) -> int:
    """A 32-bit key for (seed, salt), mixed in Python integers (no overflow)."""
    h = (seed * 0x9E3779B1 + salt * 0x85EBCA77 + 0x165667B1) & _MASK
    h = ((h ^ (h >> 15)) * 0x2C1B3C6D) & _MASK
    return h ^ (h >> 12)


def hash01(ix, iy, seed: int, salt: int = 0) -> np.ndarray:
    """A float32 in [0, 1) for each integer lattice point (ix, iy)."""
    h = np.asarray(ix, dtype=np.int64) * 374761393 + np.asarray(iy, dtype=np.int64) * 668265263
    h = (h + _salted(seed, salt)) & _MASK
    h = ((h ^ (h >> 13)) * 1274126177) & _MASK
    h ^= h >> 16
    return (h * (1.0 / 4294967296.0)).astype(np.float32)


def _smooth(f: np.ndarray) -> np.ndarray:
    return f * f * (3.0 - 2.0 * f)


def noise1(x: np.ndarray, seed: int, salt: int = 0) -> np.ndarray:
    """Smooth value noise in [0, 1) along one axis; one lattice cell per unit of x."""
    x = np.asarray(x, dtype=np.float64)
    i = np.floor(x)
    u = _smooth((x - i).astype(np.float32))
    i = i.astype(np.int64)
    a = hash01(i, 0, seed, salt)
    return a + (hash01(i + 1, 0, seed, salt) - a) * u


def noise2_grid(xs: np.ndarray, ys: np.ndarray, seed: int, salt: int = 0) -> np.ndarray:
    """Smooth 2-D value noise on the grid ys x xs (one cell per unit): (len(ys), len(xs)).

    Hashes only the lattice the grid touches, then interpolates separably."""
    xs = np.asarray(xs, dtype=np.float64)
    ys = np.asarray(ys, dtype=np.float64)
    if xs.size == 0 or ys.size == 0:
        return np.zeros((ys.size, xs.size), dtype=np.float32)
    fx, fy = np.floor(xs), np.floor(ys)
    ix0, iy0 = int(fx.min()), int(fy.min())
    ux = _smooth((xs - fx).astype(np.float32))
    uy = _smooth((ys - fy).astype(np.float32))[:, None]
    if (fx.max() - ix0 + 2) * (fy.max() - iy0 + 2) > 4 * (len(xs) + 2) * (len(ys) + 2):
        # cells smaller than the grid's spacing: hash the cells at the points themselves
        cx, cy = fx.astype(np.int64)[None, :], fy.astype(np.int64)[:, None]
        a, b = hash01(cx, cy, seed, salt), hash01(cx + 1, cy, seed, salt)
        c, d = hash01(cx, cy + 1, seed, salt), hash01(cx + 1, cy + 1, seed, salt)
        top, bottom = a + (b - a) * ux, c + (d - c) * ux
        return top + (bottom - top) * uy
    ix = (fx - ix0).astype(np.intp)
    iy = (fy - iy0).astype(np.intp)
    lx = np.arange(ix0, ix0 + ix.max() + 2)
    ly = np.arange(iy0, iy0 + iy.max() + 2)
    lattice = hash01(lx[None, :], ly[:, None], seed, salt)  # (ny, nx)
    rows0 = lattice[iy]
    rows1 = lattice[iy + 1]
    r = rows0 + (rows1 - rows0) * uy  # (H, nx)
    a = r[:, ix]
    return a + (r[:, ix + 1] - a) * ux


def lod(wavelength_px: float) -> float:
    """Weight of a texture octave whose wavelength spans this many pixels: full from
    four pixels up, none below two (finer detail would only alias)."""
    return float(np.clip((wavelength_px - 2.0) / 2.0, 0.0, 1.0))


def fbm1(x: np.ndarray, seed: int, salt: int, octaves: int = 3) -> np.ndarray:
    """Fractal sum of value noise in [0, 1), each octave half the size and weight."""
    total = np.zeros(np.shape(x), dtype=np.float32)
    norm, amp, freq = 0.0, 1.0, 1.0
    for o in range(octaves):
        total += amp * noise1(np.asarray(x) * freq, seed, salt + 17 * o)
        norm += amp
        amp *= 0.5
        freq *= 2.03
    return total / norm
