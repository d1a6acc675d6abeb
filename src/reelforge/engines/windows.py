"""Long clips as chained windows: the model makes at most `window` frames in one pass, so
a longer spec is cut into windows, each after the first an extension of the one before.

    window 1   the spec's first `window` frames, with its keyframes, source and mask there
    window k   an extension: its first `overlap` frames are window k-1's last ones, given
               as a keyframe at 0; the spec's keyframes inside it move to its coordinates,
               its source and mask are cut to it; the same prompt, seed + k - 1
    the clip   window 1, then each next window without its overlap, cut to num_frames

The overlap is 1 + temporal_factor frames (5 for a 4x causal VAE): exactly the first two
latent frames, frame 0 alone and frames 1-4, so the tail is given as whole latents,
bit for bit (conditions.py), and two latent frames carry the motion, not only the last
picture (one frame would be an image-to-video start, blind to where things were going).

Windows are made at the native size (the tail is given back as it was made); the engine
upscales the whole clip once at the end. A loop leads the last window back into the
clip's first frame. Plain numpy: `make` is the engine's one pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from reelforge.engines.base import CancelFn, GenerationCancelled, ProgressFn, Size
from reelforge.types import Clip, GenerationSpec, Keyframe

MakeFn = Callable[[GenerationSpec, ProgressFn], np.ndarray]  # one pass → uint8 (T, h, w, 3)
Span = tuple[int, int]  # output frames [start, end) of one window


def overlap_frames(temporal: int) -> int:
    """Frames each window shares with the one before: latent frame 0 (one pixel frame)
    and latent frame 1 (`temporal` pixel frames) of a causal VAE."""
    return 1 + temporal


def spans(total: int, window: int, overlap: int) -> list[Span]:
    """The windows of a `total`-frame clip: each at most `window` frames, each starting
    `overlap` frames before the previous one ends; the last one may be shorter."""
    if total <= window:
        return [(0, total)]
    stride = window - overlap
    return [(s, min(s + window, total)) for s in range(0, total - overlap, stride)]


def chain(
    spec: GenerationSpec,
    native: Size,
    window: int,
    overlap: int,
    make: MakeFn,
    progress: ProgressFn,
    cancel: CancelFn,
) -> tuple[np.ndarray, int]:
    """The frames of `spec` at the native size, window after window, and the window count.
    `progress` sees one bar over all windows; `cancel` is checked before each window."""
    parts = spans(spec.num_frames, window, overlap)
    n = len(parts)
    kept: list[np.ndarray] = []
    tail = None
    for i, span in enumerate(parts):
        if cancel():
            raise GenerationCancelled(f"generation cancelled before window {i + 1}/{n}")
        loop_to = kept[0][0] if spec.loop and n > 1 and i == n - 1 else None
        part = window_spec(spec, native, span, i, window, tail, loop_to)
        frames = make(part, _share(progress, i, n))  # (span length, h, w, 3)
        kept.append(frames if tail is None else frames[overlap:])
        tail = frames[-overlap:]
    return np.concatenate(kept)[: spec.num_frames], n


def window_spec(
    spec: GenerationSpec,
    native: Size,
    span: Span,
    index: int,
    window: int,
    tail: np.ndarray | None = None,
    loop_to: np.ndarray | None = None,
) -> GenerationSpec:
    """What window `index` makes: the frames `span` of `spec` at the native size, `tail`
    (the previous window's last frames) given at its start and, for the last window of a
    loop, `loop_to` (the clip's first frame) as its last frame."""
    start, end = span
    one = dict(width=native[0], height=native[1])
    if index == 0 and tail is None and end == spec.num_frames:
        return replace(spec, **one)  # the whole clip in one pass
    keys = [] if tail is None else [Keyframe(0, tail)]
    if loop_to is not None:
        keys.append(Keyframe(end - start - 1, loop_to))
    free = start + (0 if tail is None else len(tail))  # the tail already holds the frames before
    keys += [k for k in (_cut(key, free, end, start) for key in spec.keyframes) if k is not None]
    source, mask = spec.source, spec.mask
    if source is not None:  # enough frames for the pass's frame rule; the last one held
        idx = np.minimum(np.arange(start, start + window), source.num_frames - 1)
        source = Clip(source.frames[idx], source.fps, metadata=dict(source.metadata))
    if mask is not None:
        mask = mask[start:end]
    return replace(
        spec,
        **one,
        num_frames=end - start,
        seed=spec.seed + index,
        keyframes=keys,
        source=source,
        mask=mask,
        loop=False,
    )


def _cut(key: Keyframe, lo: int, hi: int, start: int) -> Keyframe | None:
    """The part of `key` inside output frames [lo, hi), placed relative to `start`."""
    a, b = max(key.index, lo), min(key.index + len(key.frames), hi)
    if a >= b:
        return None
    return Keyframe(a - start, key.frames[a - key.index : b - key.index], key.strength)


def _share(progress: ProgressFn, i: int, n: int) -> ProgressFn:
    """Window i's own 0..1 as its share of the whole bar, its messages prefixed."""
    if n == 1:
        return progress
    return lambda f, m: progress((i + f) / n, f"window {i + 1}/{n}: {m}")
