"""Sound sync: do the impact sounds start when the impacts are seen?

Audio onsets are found on the low-passed mono mix (impacts ring low; birds, crickets and
rain ticks chirp above LOWPASS_HZ): a peak envelope in 2 ms hops, an onset being a rise of
ONSET_DB over the preceding 40 ms whose peak is loud (RELATIVE_PEAK of the loudest onset,
FLOOR_RATIO over the median level); its time is refined to the first sample reaching a
quarter of the burst's early peak. Each visible impact (tracks.py: a ground bounce timed between frames by
intersecting the parabolas on either side, or two objects touching) is paired with the
nearest onset; the metric is the median |offset|.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HOP_S = 0.002
LOWPASS_HZ = 2400.0  # impacts ring below this; birds, crickets and rain ticks sit above
LOOKBACK_S = 0.04
ONSET_DB = 10.0  # rise over the preceding LOOKBACK_S
RELATIVE_PEAK = 0.2  # an onset's peak must reach this fraction of the loudest onset's
FLOOR_RATIO = 4.0  # ... and this many times the clip's median level
MIN_GAP_S = 0.04
GOOD_MS = 45.0  # at or below: in sync (about what viewers notice)
BAD_MS = 125.0  # at or above: out of sync


def _lowpass(x: np.ndarray, sample_rate: int) -> np.ndarray:
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(len(x), 1.0 / sample_rate)
    spec *= 1.0 / (1.0 + (f / LOWPASS_HZ) ** 8)
    return np.fft.irfft(spec, len(x))


def audio_onsets(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Times (s) of impact-like onsets in (channels, samples) audio: loud, sharp and low."""
    x = np.asarray(audio, dtype=np.float64)
    x = x.mean(axis=0) if x.ndim == 2 else x
    hop = max(1, round(HOP_S * sample_rate))
    n = len(x) // hop
    if n < 8:
        return np.zeros(0)
    x = _lowpass(x, sample_rate)
    env = np.abs(x[: n * hop]).reshape(n, hop).max(axis=1)  # (n,) peak per hop
    db = 20 * np.log10(env + 1e-9)
    back = max(1, round(LOOKBACK_S / HOP_S))
    c = np.concatenate([[0.0], np.cumsum(db)])
    idx = np.arange(n)
    lo = np.maximum(idx - back, 0)
    prev = np.where(idx > 0, (c[idx] - c[lo]) / np.maximum(idx - lo, 1), db)
    cand = np.flatnonzero(db - prev > ONSET_DB)
    if cand.size == 0:
        return np.zeros(0)
    ahead = max(1, round(0.03 / HOP_S))
    peaks = np.array([env[i : i + ahead].max() for i in cand])
    keep = (peaks >= RELATIVE_PEAK * peaks.max()) & (peaks >= FLOOR_RATIO * np.median(env))
    onsets: list[float] = []
    last = -(10**9)
    gap = round(MIN_GAP_S / HOP_S)
    for i in cand[keep]:
        if i - last >= gap:
            onsets.append(_refine(x, int(i) * hop, hop, sample_rate))
        last = i
    return np.asarray(onsets)


def _refine(x: np.ndarray, start: int, hop: int, sample_rate: int) -> float:
    """The first sample near `start` reaching a quarter of the burst's early peak."""
    a = max(0, start - 2 * hop)
    seg = np.abs(x[a : start + 5 * hop])
    if seg.size == 0:
        return start / sample_rate
    first = int(np.argmax(seg >= 0.25 * seg.max()))
    return (a + first) / sample_rate


@dataclass
class SyncFinding:
    visual_impacts: list[float]
    audio_onsets: list[float]
    offsets_ms: list[float]  # audio minus visual, per visible impact
    median_abs_ms: float | None
    score: float | None


def sync_finding(visual: list[float], onsets: np.ndarray) -> SyncFinding:
    """Pair each visible impact with its nearest audio onset."""
    vis = sorted(float(v) for v in visual)
    ons = [float(o) for o in onsets]
    if not vis:
        return SyncFinding(vis, ons, [], None, None)
    if not ons:
        return SyncFinding(vis, ons, [], None, 0.0)
    arr = np.asarray(ons)
    offsets = [float((arr[np.argmin(np.abs(arr - v))] - v) * 1000.0) for v in vis]
    med = float(np.median(np.abs(offsets)))
    score = float(np.clip((BAD_MS - med) / (BAD_MS - GOOD_MS), 0.0, 1.0))
    return SyncFinding(vis, ons, [round(o, 1) for o in offsets], round(med, 1), score)
