"""Stitch clips into one, with a transition at every join.

    cut       A then B
    dissolve  A's last n frames cross-fade into B's first n (n = duration · fps); the
              clip is n frames shorter than A + B; the sound cross-fades equal-power
              (gains cos and sin of a quarter turn, so the loudness holds steady)
    fade      A's last n frames fade to black, B's first n fade up from it; picture and
              sound fade together; the length is A + B
    match     the cut is placed where a shape in A best matches one in B: over A's last
              and B's first n frames, the pair (i, j) whose structure (luma and edge maps,
              shrunk) correlates most; A is kept through frame i, B resumes after frame
              j, so the shape carries on one step across the cut

Every clip is first brought to the first clip's size, fps and sound (`conform`):

- size: **letterboxed**, never cropped: scaled to fit inside (aspect kept, bicubic) and
  centred on black, so nothing of a clip is lost; a clip of the same aspect just scales;
- fps: each output frame shows the source frame on screen at its time (nearest earlier
  frame), so the duration and the motion's speed are kept;
- sound: the first clip's sample rate (the first one with sound), stereo if any clip is;
  a silent clip contributes silence, so the track stays in sync; each clip's track is
  cut or padded to exactly its picture's duration. No clip with sound: no track.

The result records its parents and, in metadata["edit"], the transition and its `joins`
(frame spans that `seams.measure_seams` measures).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reelforge.edit.lineage import with_parents
from reelforge.edit.seams import luma_thumbs
from reelforge.engines.frames import resize
from reelforge.types import Clip, InvalidInputError

TRANSITIONS = ("cut", "dissolve", "fade", "match")
Size = tuple[int, int]  # (width, height)
Box = tuple[int, int, int, int]  # (x, y, width, height) of the picture inside a frame


# ---------------------------------------------------------------------------
# Bringing clips to one format
# ---------------------------------------------------------------------------


def letterbox_box(width: int, height: int, size: Size) -> Box:
    """Where a width x height picture sits when fitted inside `size`, aspect kept."""
    scale = min(size[0] / width, size[1] / height)
    w = max(1, min(size[0], round(width * scale)))
    h = max(1, min(size[1], round(height * scale)))
    return ((size[0] - w) // 2, (size[1] - h) // 2, w, h)


def letterbox(frames: np.ndarray, size: Size) -> np.ndarray:
    """uint8 (T, H, W, 3) → (T, size[1], size[0], 3): fitted inside, centred on black."""
    if (frames.shape[2], frames.shape[1]) == tuple(size):
        return frames
    x, y, w, h = letterbox_box(frames.shape[2], frames.shape[1], size)
    out = np.zeros((len(frames), size[1], size[0], 3), dtype=np.uint8)
    out[:, y : y + h, x : x + w] = resize(frames, (w, h))
    return out


def unletterbox(frames: np.ndarray, box: Box, size: Size) -> np.ndarray:
    """The inverse of `letterbox`: the picture inside `box`, resized back to `size`."""
    x, y, w, h = box
    return resize(np.ascontiguousarray(frames[:, y : y + h, x : x + w]), size)


def retime_indices(count: int, fps_in: float, fps_out: float) -> np.ndarray:
    """For each frame at fps_out over the same duration, the source frame on screen then."""
    frames_out = max(1, round(count * fps_out / fps_in))
    times = np.arange(frames_out) / fps_out
    return np.minimum((times * fps_in + 1e-6).astype(int), count - 1)


def audio_track(clip: Clip, rate: int, channels: int) -> np.ndarray:
    """float32 (channels, samples): the clip's sound at `rate` over exactly its duration;
    silence when it has none."""
    samples = round(clip.duration * rate)
    if not clip.has_audio:
        return np.zeros((channels, samples), dtype=np.float32)
    audio = clip.audio
    if clip.sample_rate != rate:  # linear resampling: enough for joins and trims
        src = np.arange(audio.shape[1]) / clip.sample_rate
        dst = np.arange(round(audio.shape[1] * rate / clip.sample_rate)) / rate
        audio = np.stack([np.interp(dst, src, ch) for ch in audio]).astype(np.float32)
    if audio.shape[0] < channels:  # mono to stereo
        audio = np.repeat(audio, channels, axis=0)
    return fit_samples(audio, samples)


def fit_samples(audio: np.ndarray, samples: int) -> np.ndarray:
    """(C, S) cut or padded with silence to (C, samples)."""
    if audio.shape[1] >= samples:
        return audio[:, :samples]
    return np.pad(audio, ((0, 0), (0, samples - audio.shape[1])))


@dataclass(frozen=True)
class Format:
    """What every clip is conformed to: the first clip's picture and the sound's rate and
    channels (channels 0: no clip has sound)."""

    size: Size
    fps: float
    rate: int
    channels: int

    @classmethod
    def of(cls, clips: Sequence[Clip]) -> Format:
        voiced = [c for c in clips if c.has_audio]
        rate = voiced[0].sample_rate if voiced else clips[0].sample_rate
        channels = max((c.audio.shape[0] for c in voiced), default=0)
        return cls((clips[0].width, clips[0].height), clips[0].fps, rate, channels)


def conform(clip: Clip, fmt: Format) -> Clip:
    """`clip` at fmt's size (letterboxed), fps (retimed) and sound (silence if none)."""
    frames = clip.frames
    if abs(clip.fps - fmt.fps) > 1e-6:
        frames = frames[retime_indices(len(frames), clip.fps, fmt.fps)]
    frames = letterbox(frames, fmt.size)
    audio = audio_track(clip, fmt.rate, fmt.channels) if fmt.channels else None
    return Clip(frames, fmt.fps, audio, fmt.rate, dict(clip.metadata))


# ---------------------------------------------------------------------------
# Match cut: the pair of frames with the most similar structure
# ---------------------------------------------------------------------------


def structure(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per frame, its shrunk luma map and edge (gradient magnitude) map, each flattened and
    standardised: float (T, D) twice, whose dot products are correlations."""
    luma = luma_thumbs(frames)  # (T, h, w)
    gy, gx = np.gradient(luma, axis=(1, 2))
    return _standardised(luma), _standardised(np.hypot(gx, gy))


def _standardised(maps: np.ndarray) -> np.ndarray:
    flat = maps.reshape(len(maps), -1)
    flat = flat - flat.mean(axis=1, keepdims=True)
    return flat / np.maximum(np.linalg.norm(flat, axis=1, keepdims=True), 1e-6)


def match_frames(a: np.ndarray, b: np.ndarray, window: int) -> tuple[int, int, float]:
    """(i, j, score): frame i of A's last `window` and frame j of B's first `window` (but
    not B's last frame, so something of B follows the cut) that match best. The score is
    the mean of the luma maps' correlation, taken unsigned (a dark shape on light matches
    a light one on dark), and the edge maps' correlation."""
    first_a = max(0, len(a) - window)
    last_b = max(1, min(window, len(b) - 1))
    luma_a, edges_a = structure(a[first_a:])
    luma_b, edges_b = structure(b[:last_b])
    scores = (np.abs(luma_a @ luma_b.T) + edges_a @ edges_b.T) / 2  # (window_a, window_b)
    i, j = np.unravel_index(int(np.argmax(scores)), scores.shape)
    return first_a + int(i), int(j), float(scores[i, j])


# ---------------------------------------------------------------------------
# Joining two clips
# ---------------------------------------------------------------------------


@dataclass
class _Joined:
    frames: np.ndarray
    audio: np.ndarray | None
    join: tuple[int, int]
    detail: dict


def _samples(frames: int, fps: float, rate: int) -> int:
    return round(frames / fps * rate)


def _cut(a: Clip, b: Clip, a_end: int, b_start: int) -> _Joined:
    frames = np.concatenate([a.frames[:a_end], b.frames[b_start:]])
    audio = None
    if a.audio is not None:
        rate = a.sample_rate
        head = a.audio[:, : _samples(a_end, a.fps, rate)]
        tail = b.audio[:, _samples(b_start, a.fps, rate) :]
        audio = fit_samples(
            np.concatenate([head, tail], axis=1), _samples(len(frames), a.fps, rate)
        )
    return _Joined(frames, audio, (a_end, a_end), {})


def _dissolve(a: Clip, b: Clip, n: int) -> _Joined:
    start = a.num_frames - n
    w = (np.arange(1, n + 1) / (n + 1))[:, None, None, None]  # B's share, (n, 1, 1, 1)
    mixed = (1 - w) * a.frames[start:] + w * b.frames[:n]
    frames = np.concatenate([a.frames[:start], mixed.round().astype(np.uint8), b.frames[n:]])
    audio = None
    if a.audio is not None:
        rate, total = a.sample_rate, _samples(len(frames), a.fps, rate=a.sample_rate)
        offset = _samples(start, a.fps, rate)
        overlap = a.audio.shape[1] - offset
        quarter = np.linspace(0, np.pi / 2, overlap, dtype=np.float32)
        audio = np.zeros((a.audio.shape[0], max(total, offset + b.audio.shape[1])), np.float32)
        audio[:, : a.audio.shape[1]] = a.audio
        audio[:, offset : a.audio.shape[1]] *= np.cos(quarter)
        audio[:, offset : offset + b.audio.shape[1]] += b.audio * _ramp_in(quarter, b)
        audio = fit_samples(audio, total)
    return _Joined(frames, audio, (start, start + n), {})


def _ramp_in(quarter: np.ndarray, b: Clip) -> np.ndarray:
    """B's gain over its track: sin of the quarter turn over the overlap, then 1."""
    gain = np.ones(b.audio.shape[1], dtype=np.float32)
    gain[: len(quarter)] = np.sin(quarter)[: b.audio.shape[1]]
    return gain


def _fade(a: Clip, b: Clip, n: int) -> _Joined:
    down = (1 - np.arange(1, n + 1) / n).astype(np.float32)  # ends black
    up = (np.arange(n) / n).astype(np.float32)  # starts black
    fa, fb = a.frames.astype(np.float32), b.frames.astype(np.float32)
    fa[-n:] *= down[:, None, None, None]
    fb[:n] *= up[:, None, None, None]
    frames = np.concatenate([fa, fb]).round().astype(np.uint8)
    audio = None
    if a.audio is not None:
        rate = a.sample_rate
        span = _samples(n, a.fps, rate)
        ta, tb = a.audio.copy(), b.audio.copy()
        ta[:, ta.shape[1] - span :] *= np.linspace(1, 0, span, dtype=np.float32)
        tb[:, :span] *= np.linspace(0, 1, span, dtype=np.float32)
        audio = fit_samples(np.concatenate([ta, tb], axis=1), _samples(len(frames), a.fps, rate))
    start = a.num_frames - n
    return _Joined(frames, audio, (start, a.num_frames + n - 1), {})


def _join(a: Clip, b: Clip, transition: str, n: int) -> _Joined:
    if transition == "cut":
        return _cut(a, b, a.num_frames, 0)
    if transition == "match":
        i, j, score = match_frames(a.frames, b.frames, n)
        joined = _cut(a, b, i + 1, j + 1)
        joined.detail = {"a_frame": i, "b_frame": j, "score": round(score, 4)}
        return joined
    limit = min(a.num_frames, b.num_frames) - 1  # a frame of each stays outside it
    if n > limit:
        raise InvalidInputError(
            f"a {transition} of {n} frames is longer than the clips allow "
            f"(at most {limit} frames, {limit / a.fps:g} s at {a.fps:g} fps)",
            param="duration",
        )
    return _dissolve(a, b, n) if transition == "dissolve" else _fade(a, b, n)


def stitch(clips: Sequence[Clip], transition: str = "cut", duration: float = 0.5) -> Clip:
    """One clip from `clips`, in order, with `transition` at every join (module doc).

    `duration` (seconds, at the first clip's fps) is the dissolve or fade length, and for a
    match cut how far into A's end and B's start the matching frame is searched for.
    """
    if len(clips) < 1:
        raise InvalidInputError("stitch needs at least one clip", param="clips")
    if transition not in TRANSITIONS:
        raise InvalidInputError(
            f"unknown transition {transition!r}; choose one of {', '.join(TRANSITIONS)}",
            param="transition",
        )
    if transition != "cut" and not duration > 0:
        raise InvalidInputError(f"duration must be positive; got {duration:g}", param="duration")
    fmt = Format.of(clips)
    n = max(1, round(duration * fmt.fps))
    acc = conform(clips[0], fmt)
    joins, details = [], []
    for clip in clips[1:]:
        joined = _join(acc, conform(clip, fmt), transition, n)
        acc = Clip(joined.frames, fmt.fps, joined.audio, fmt.rate)
        joins.append(list(joined.join))
        details.append(joined.detail)
    result = Clip(acc.frames, fmt.fps, acc.audio, fmt.rate)
    extra = {"matches": details} if transition == "match" else {}
    return with_parents(
        result,
        *clips,
        operation="stitch",
        transition=transition,
        duration=duration if transition != "cut" else 0.0,
        joins=joins,
        **extra,
    )
