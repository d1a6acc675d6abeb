"""Pixels in and out of the networks: uint8 frames ⇄ [-1, 1] video tensors, fitting
given frames to the native size, and upscaling the decoded clip to the requested size.

Resampling is torch's bicubic: with antialiasing when shrinking (given images larger
than the native size), plain when enlarging (the output upscale), clamped to [0, 255].
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from reelforge.model.pixels import frames_to_video, video_to_frames

Size = tuple[int, int]  # (width, height)
UPSCALE_CHUNK = 8  # frames resized at a time: bounds memory on large outputs


def to_video(frames: np.ndarray, device: torch.device | str = "cpu") -> torch.Tensor:
    """uint8 (T, H, W, 3) → float (1, 3, T, H, W) in [-1, 1]."""
    return torch.from_numpy(frames_to_video(frames[None])).to(device)


def to_frames(video: torch.Tensor) -> np.ndarray:
    """float (1, 3, T, H, W) roughly in [-1, 1] → uint8 (T, H, W, 3)."""
    return video_to_frames(video[0])


def fit(frames: np.ndarray, size: Size) -> np.ndarray:
    """Frames (T, H, W, 3) cropped to the aspect of `size` (centred) and resized to it;
    unchanged when they already have that size."""
    width, height = size
    _, h, w, _ = frames.shape
    if (w, h) == (width, height):
        return frames
    if w * height > h * width:  # too wide: crop the sides
        keep = max(1, round(h * width / height))
        frames = frames[:, :, (w - keep) // 2 : (w - keep) // 2 + keep]
    elif w * height < h * width:  # too tall: crop top and bottom
        keep = max(1, round(w * height / width))
        frames = frames[:, (h - keep) // 2 : (h - keep) // 2 + keep]
    return resize(frames, size)


def resize(frames: np.ndarray, size: Size) -> np.ndarray:
    """Bicubic resize of uint8 frames (T, H, W, 3) to `size`, a few frames at a time."""
    width, height = size
    t, h, w, _ = frames.shape
    if (w, h) == (width, height):
        return frames
    shrink = width < w or height < h
    out = np.empty((t, height, width, 3), dtype=np.uint8)
    for i in range(0, t, UPSCALE_CHUNK):
        x = torch.from_numpy(np.ascontiguousarray(frames[i : i + UPSCALE_CHUNK]))
        x = x.permute(0, 3, 1, 2).float()  # (t, 3, H, W)
        y = F.interpolate(x, (height, width), mode="bicubic", align_corners=False, antialias=shrink)
        out[i : i + UPSCALE_CHUNK] = y.clamp(0, 255).round().to(torch.uint8).permute(0, 2, 3, 1)
    return out


def hold(frames: np.ndarray, count: int) -> np.ndarray:
    """The first `count` frames, the last one repeated when there are fewer."""
    if len(frames) >= count:
        return frames[:count]
    return np.concatenate([frames, np.repeat(frames[-1:], count - len(frames), axis=0)])
