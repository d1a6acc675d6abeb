"""Pixel helpers shared by the metrics: working size, luminance, hue/saturation, blur."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

WORK_HEIGHT = 144  # frames taller than this are averaged down to about this height


def working_frames(frames: np.ndarray) -> np.ndarray:
    """float32 (T, H, W, 3) in [0, 1], block-averaged down to about WORK_HEIGHT rows."""
    f = frames
    k = max(1, f.shape[1] // WORK_HEIGHT)
    if k > 1:
        t, h, w, c = f.shape
        h2, w2 = h // k, w // k
        f = f[:, : h2 * k, : w2 * k].reshape(t, h2, k, w2, k, c).mean(axis=(2, 4))
    return np.asarray(f, dtype=np.float32) / (255.0 if frames.dtype == np.uint8 else 1.0)


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Rec. 601 luma of (..., 3) -> (...)."""
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def hue_sat_val(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hue in degrees [0, 360), saturation (max-min)/max, value max, of (..., 3)."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    mx = np.maximum(np.maximum(r, g), b)
    mn = np.minimum(np.minimum(r, g), b)
    chroma = mx - mn
    safe = np.where(chroma > 1e-6, chroma, 1.0)
    h = np.where(
        mx == r,
        ((g - b) / safe) % 6.0,
        np.where(mx == g, (b - r) / safe + 2.0, (r - g) / safe + 4.0),
    )
    hue = np.where(chroma > 1e-6, h * 60.0, 0.0)
    sat = chroma / np.maximum(mx, 1e-6)
    return hue.astype(np.float32), sat.astype(np.float32), mx


def hue_distance(h: np.ndarray, target: float) -> np.ndarray:
    d = np.abs(h - target) % 360.0
    return np.minimum(d, 360.0 - d)


def blur(img: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur over the last two (spatial) axes of (..., H, W)."""
    s = (0,) * (img.ndim - 2) + (sigma, sigma)
    return ndimage.gaussian_filter(img, s, mode="nearest")


def downsample2(img: np.ndarray) -> np.ndarray:
    """2x2 block mean over the last two axes (odd edges dropped)."""
    h, w = img.shape[-2] // 2 * 2, img.shape[-1] // 2 * 2
    x = img[..., :h, :w]
    return 0.25 * (
        x[..., 0::2, 0::2] + x[..., 1::2, 0::2] + x[..., 0::2, 1::2] + x[..., 1::2, 1::2]
    )


def row_medians(frames: np.ndarray) -> np.ndarray:
    """(T, H, W, 3) -> (T, H, 3): each row's median colour, a background model for the
    world's horizontally even sky and ground (objects and posts are the exceptions)."""
    return np.median(frames, axis=2)
