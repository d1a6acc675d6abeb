"""The world's ambience: a quiet bed of air, life, water and weather under the impacts.

Air always; birds by day (most at dawn), crickets at night; waves over water; rain, a
muffled snow wind or damp fog air by the weather. When the light changes over the clip,
birds and crickets crossfade with it (smoothstep over the clip, as the picture does). The
bed sits between about -42 (fog) and -28 (rain) dBFS RMS, far under the impacts, and its
sharp sounds (chirps, drops) stay above 2.5 kHz, above every impact's fundamental, so an
onset detector that listens low hears only the impacts.
"""

from __future__ import annotations

import numpy as np

from reelforge.world.dsp import add_into, band, pan, scene_rng, shaped_noise, smooth_random
from reelforge.world.physics import Simulation
from reelforge.world.scene import Scene

BIRD_RATE = {"dawn": 3.0, "noon": 1.2, "sunset": 0.6, "night": 0.0}  # phrases per second
CRICKETS = {"dawn": 0.0, "noon": 0.0, "sunset": 0.35, "night": 1.0}  # gain
BIRD_AMP = 0.06  # peak of a chirp
CRICKET_AMP = 0.035
# air layer per weather: (dB RMS, low-pass Hz, gust depth)
AIR = {
    "none": (-36.0, 700.0, 0.4),
    "rain": (-40.0, 700.0, 0.4),
    "snow": (-31.0, 240.0, 0.7),
    "fog": (-42.0, 320.0, 0.2),
}
LIFE = {"none": 1.0, "rain": 0.3, "snow": 0.4, "fog": 0.5}  # birds and crickets per weather
WAVES_DB = -31.0
RAIN_DB = -28.0


def _daylight_mix(scene: Scene, t: np.ndarray, duration: float, table: dict) -> np.ndarray:
    """A per-time-of-day value over times t, crossfading if the light changes."""
    light = scene.lighting
    start = table[light.start]
    if light.end is None or light.end == light.start:
        return np.full(len(t), start, np.float32)
    p = np.clip(t / duration, 0.0, 1.0)
    p = p * p * (3 - 2 * p)  # smoothstep
    return (start + (table[light.end] - start) * p).astype(np.float32)


def _air(scene: Scene, t: np.ndarray, sr: int) -> np.ndarray:
    db, cutoff, gust = AIR[scene.weather]
    rng = scene_rng(scene, 2, 0)
    low = band(30, cutoff)
    x = shaped_noise(rng, len(t), sr, lambda f: low(f) / np.sqrt(np.maximum(f, 30) / 30), 2)
    env = smooth_random(rng, t, 0.8, 1 - gust, 1 + gust)
    return x * env * np.float32(10 ** (db / 20))


def _birds(scene: Scene, t: np.ndarray, sr: int, duration: float, out: np.ndarray) -> None:
    rate = _daylight_mix(scene, t, duration, BIRD_RATE) * LIFE[scene.weather]
    top = max(BIRD_RATE.values())
    times = scene_rng(scene, 2, 1).exponential(1.0 / top, size=int(2 * top * duration) + 8).cumsum()
    for i, when in enumerate(times[times < duration]):
        rng = scene_rng(scene, 2, 1, i)  # one stream per phrase: the light only thins them
        if rng.random() * top >= rate[min(int(when * sr), len(rate) - 1)]:
            continue
        side, amp, at = rng.uniform(-0.8, 0.8), rng.uniform(0.3, 1.0), when
        for _ in range(int(rng.integers(1, 5))):
            dur = rng.uniform(0.04, 0.11)
            f = np.linspace(rng.uniform(3000, 5500), rng.uniform(2800, 6500), int(dur * sr))
            f = np.minimum(f, 0.45 * sr)
            tone = np.sin(np.cumsum(2 * np.pi * f / sr)) * np.hanning(len(f)) ** 2
            add_into(out, int(at * sr), (BIRD_AMP * amp * tone).astype(np.float32), pan(side))
            at += dur + rng.uniform(0.03, 0.08)


def _crickets(scene: Scene, t: np.ndarray, sr: int, duration: float, out: np.ndarray) -> None:
    gain = _daylight_mix(scene, t, duration, CRICKETS) * LIFE[scene.weather]
    rng = scene_rng(scene, 2, 2)
    pulse = int(0.012 * sr)
    window = np.hanning(pulse)
    for _ in range(3):
        carrier = min(rng.uniform(4000, 5200), 0.45 * sr)
        period, pulses, side = (
            rng.uniform(0.45, 0.8),
            int(rng.integers(3, 5)),
            rng.uniform(-0.9, 0.9),
        )
        tone = (np.sin(2 * np.pi * carrier * np.arange(pulse) / sr) * window).astype(np.float32)
        when = rng.uniform(0, period)
        while when < duration:
            g = float(gain[min(int(when * sr), len(gain) - 1)])
            for p in range(pulses):
                if g > 0:
                    add_into(
                        out,
                        int((when + p / 32) * sr),
                        tone * np.float32(CRICKET_AMP * g),
                        pan(side),
                    )
            when += period * rng.uniform(0.9, 1.1)


def _waves(scene: Scene, t: np.ndarray, sr: int) -> np.ndarray:
    rng = scene_rng(scene, 2, 3)
    x = shaped_noise(rng, len(t), sr, band(60, 900), 2)
    phase = rng.uniform(0, 1)
    swell = 0.5 - 0.5 * np.cos(2 * np.pi * (t / 5.5 + phase))
    return x * (0.3 + 0.7 * swell**1.5).astype(np.float32) * np.float32(10 ** (WAVES_DB / 20))


def _rain(scene: Scene, t: np.ndarray, sr: int) -> np.ndarray:
    rng = scene_rng(scene, 2, 4)
    x = shaped_noise(rng, len(t), sr, band(600, 9000, 2), 2) * np.float32(0.85)
    # drops ticking on leaves, here and there: (D, tick) little pings added at once
    count, tick = int(80 * t[-1]) + 1, int(0.004 * sr)
    n = np.arange(tick)
    freq = np.minimum(rng.uniform(3000, 7000, count), 0.45 * sr)[:, None]
    drops = (
        np.sin(2 * np.pi * freq * n / sr)
        * np.exp(-n / (0.0008 * sr))
        * rng.uniform(1, 3, (count, 1))
    )
    where = (rng.uniform(0, len(t) - 1, count).astype(np.int64)[:, None] + n).ravel()
    theta = (rng.uniform(-1, 1, count)[:, None] + 1) * np.pi / 4
    for c, gains in enumerate((np.cos(theta), np.sin(theta))):
        x[c] += np.bincount(where, (drops * gains).ravel(), len(t) + tick)[: len(t)].astype(
            np.float32
        )
    return x * np.float32(10 ** (RAIN_DB / 20))


def _drips(scene: Scene, t: np.ndarray, sr: int, out: np.ndarray) -> None:
    """Fog: now and then a drop of condensed water falls."""
    rng = scene_rng(scene, 2, 5)
    tick = int(0.06 * sr)
    for _ in range(int(rng.poisson(0.8 * t[-1])) if len(t) else 0):
        start, f, side = (
            int(rng.uniform(0, len(t))),
            rng.uniform(2600, 3800),
            rng.uniform(-0.7, 0.7),
        )
        n = np.arange(tick)
        drop = np.sin(2 * np.pi * min(f, 0.45 * sr) * n / sr * (1 + n / tick * 0.3)) * np.exp(
            -n / (0.012 * sr)
        )
        add_into(out, start, (0.012 * drop).astype(np.float32), pan(side))


def render_ambience(sim: Simulation, sample_rate: int = 48_000) -> np.ndarray:
    """The bed, float32 (2, round(duration * sample_rate)): air always, then life, ground
    and weather by the setting."""
    scene, sr = sim.scene, sample_rate
    t = np.arange(round(sim.duration * sr), dtype=np.float32) / np.float32(sr)
    if len(t) == 0:
        return np.zeros((2, 0), np.float32)
    out = _air(scene, t, sr)
    _birds(scene, t, sr, sim.duration, out)
    _crickets(scene, t, sr, sim.duration, out)
    if scene.ground == "water":
        out += _waves(scene, t, sr)
    if scene.weather == "rain":
        out += _rain(scene, t, sr)
    if scene.weather == "fog":
        _drips(scene, t, sr, out)
    return out
