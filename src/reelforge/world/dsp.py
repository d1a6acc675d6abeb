"""Small signal tools for the world's sound: seeded generators, shaped noise, panning.

Everything random is drawn from generators keyed by the scene's seed and a purpose, so a
simulation always sounds the same, to the bit.
"""

from __future__ import annotations

import math

import numpy as np

from reelforge.world.scene import Scene


def _seed(scene: Scene) -> int:
    return int(scene.seed) % (1 << 63)


def scene_rng(scene: Scene, *key: int) -> np.random.Generator:
    return np.random.default_rng([_seed(scene), *key])


def fast_len(n: int) -> int:
    """The smallest 2^a 3^b 5^c >= n: a length the FFT handles fast."""
    best = 1 << max(n - 1, 1).bit_length()
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            m = p35
            while m < n:
                m *= 2
            best = min(best, m)
            p35 *= 3
        p5 *= 5
    return best


def shaped_noise(rng: np.random.Generator, n: int, sr: int, shape, channels: int = 1) -> np.ndarray:
    """Noise (channels, n) float32 with magnitude spectrum shape(f) and random phases,
    at unit RMS."""
    size = fast_len(max(n, 16))
    freqs = np.fft.rfftfreq(size, 1.0 / sr).astype(np.float32)
    mag = shape(freqs).astype(np.float32)
    band = np.flatnonzero(mag > 1e-3 * mag.max())
    lo, hi = int(band[0]), int(band[-1]) + 1
    phase = rng.random((channels, hi - lo), dtype=np.float32) * np.float32(2 * np.pi)
    spec = np.zeros((channels, len(freqs)), np.complex64)
    spec[:, lo:hi] = mag[lo:hi] * (np.cos(phase) + 1j * np.sin(phase))
    x = np.fft.irfft(spec, n=size, axis=-1)[:, :n]
    rms = float(np.sqrt(np.mean(x * x))) or 1.0
    return (x / np.float32(rms)).astype(np.float32)


def band(lo: float, hi: float, order: int = 4):
    """A band-pass magnitude response from lo to hi Hz (lo = 0: a low-pass)."""

    def power(r: np.ndarray) -> np.ndarray:
        out = r * r
        for _ in range(order - 1):
            out = out * r * r
        return out

    def shape(f: np.ndarray) -> np.ndarray:
        low = 1.0 / np.sqrt(1.0 + power(f / np.float32(hi)))
        if lo <= 0:
            return low
        return low / np.sqrt(1.0 + power(np.float32(lo) / np.maximum(f, 1.0)))

    return shape


def octave_band(centre: float, octaves: float):
    """A Gaussian band in log frequency around centre Hz, octaves wide."""

    def shape(f: np.ndarray) -> np.ndarray:
        d = np.log2(np.maximum(f, 1.0) / centre) / (octaves / 2)
        return np.exp(-0.5 * d * d)

    return shape


def smooth_random(rng: np.random.Generator, t: np.ndarray, step: float, lo: float, hi: float):
    """A slowly varying random curve over times t (knots every `step` seconds)."""
    knots = rng.uniform(lo, hi, size=int(t[-1] / step) + 3) if len(t) else np.zeros(3)
    return np.interp(t, np.arange(len(knots)) * step, knots).astype(np.float32)


def pan(p: float) -> tuple[float, float]:
    """Equal-power gains (left, right) for p in [-1 (left), 1 (right)]."""
    theta = (min(max(p, -1.0), 1.0) + 1.0) * math.pi / 4
    return math.cos(theta), math.sin(theta)


def add_into(out: np.ndarray, start: int, mono: np.ndarray, gains: tuple[float, float]) -> None:
    """Mix a mono sound into out (2, S) from sample `start`, cut at the end."""
    end = min(out.shape[1], start + len(mono))
    if end <= start:
        return
    piece = mono[: end - start]
    out[0, start:end] += np.float32(gains[0]) * piece
    out[1, start:end] += np.float32(gains[1]) * piece
