"""The pixel convention every reelforge network shares: uint8 RGB frames ⇄ float video in
[-1, 1], channels first. Training and generation both go through here, so what the model
sees at generation is exactly what it learned on."""

from __future__ import annotations

import numpy as np
import torch


def frames_to_video(frames: np.ndarray) -> np.ndarray:
    """uint8 (..., T, H, W, 3) → float32 (..., 3, T, H, W) in [-1, 1]."""
    x = np.moveaxis(np.asarray(frames), -1, -4)
    return x.astype(np.float32) / 127.5 - 1.0


def frames_to_video_tensor(frames: torch.Tensor) -> torch.Tensor:
    """`frames_to_video` on a uint8 tensor, on its device (the same float32 values): a
    batch moves to the GPU as bytes, 4x less than floats, and converts there."""
    return frames.movedim(-1, -4).float() / 127.5 - 1.0


def video_to_frames(video: torch.Tensor) -> np.ndarray:
    """float (..., 3, T, H, W), roughly in [-1, 1] → uint8 (..., T, H, W, 3), clamped."""
    x = ((video.float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return np.moveaxis(x.cpu().numpy(), -4, -1)
