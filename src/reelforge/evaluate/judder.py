"""Judder: motion that advances in periodic jerks instead of steadily.

A video VAE that compresses time 4x decodes each latent frame into four frames at once;
a decoder that has not learned to join the groups slows the motion inside a group and
jumps at the next one, a jerk every fourth frame (3 Hz at 12 fps) that no per-frame
metric sees, and that flicker (which looks for brightness going back and forth) does not
either. The judder ratio is the mean frame-to-frame change at the period's strongest
phase over the mean change at every step: about 1 for steady motion (the renderer's
clips: 0.9-1.1), the period for motion that happens all at once, one step in each.
"""

from __future__ import annotations

import numpy as np

from reelforge.evaluate.flicker import patch_luminance

PERIOD = 4  # frames: the time factor of reelforge's VAE and of LTX's / Wan's
STILL = 1e-3  # mean patch change (luminance 0-1) under which a clip counts as still


def judder_ratio(frames: np.ndarray, period: int = PERIOD) -> float | None:
    """Max over phases of the mean change at that phase / the mean change; None for a
    clip shorter than two periods or one that does not move."""
    p = patch_luminance(frames)
    change = np.abs(np.diff(p, axis=0)).mean(axis=(1, 2))  # (T - 1,)
    if len(change) < 2 * period or change.mean() < STILL:
        return None
    usable = len(change) // period * period
    phases = change[:usable].reshape(-1, period).mean(axis=0)
    return float(phases.max() / change[:usable].mean())
