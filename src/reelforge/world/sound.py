"""The world's sound: an impact for every hit the physics reports, over the ambience.

`render_audio(sim)` reads the same `Simulation` as the renderer, so every sound starts on
the sample of the impact it belongs to. An impact is modal synthesis (decaying sinusoids
at a material's inharmonic ratios) plus a short filtered-noise click, coloured by the
ground it lands on, as loud as the impact is fast (impacts peak near -6 dBFS), panned to
where it happens on screen and quieter off screen. Under it lies the bed of ambience.py;
a soft limiter keeps the mix within [-1, 1]. Everything is drawn from `scene.seed`, so a
simulation always sounds the same, to the bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from reelforge.types import InvalidInputError
from reelforge.world.ambience import render_ambience
from reelforge.world.dsp import add_into, octave_band, pan, scene_rng, shaped_noise
from reelforge.world.physics import Impact, Simulation
from reelforge.world.scene import VIEW_HEIGHT, Scene

IMPACT_PEAK = 0.85  # the loudness impacts approach as they get faster (before panning)
HALF_SPEED = 1.5  # m/s: an impact this fast is half as loud as IMPACT_PEAK
LIMIT_KNEE = 0.6  # the soft limiter is linear below this level
OFFSCREEN_FLOOR = 0.125  # the quietest an impact gets far off screen (-18 dB)
SIZE_PITCH = {"small": 1.4, "medium": 1.0, "large": 0.72}  # bigger objects ring lower
HEAD_RMS = 0.45  # the first 10 ms of an impact have this RMS per unit of loudness
PEAK_CREST = 1.3  # and peak at most this much per unit of loudness
ATTACK_S = 0.0003  # a hard attack, ramped only enough to avoid a digital click

# ---------------------------------------------------------------------------
# Timbres
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Material:
    """A modal model: mode frequencies f0 * ratios (Hz, for a medium object), their
    gains, the fundamental's decay time constant (s) (mode k decays as decay /
    ratio_k ** damping) and the noise click (centre Hz, time constant s, mix)."""

    f0: float
    ratios: tuple[float, ...]
    gains: tuple[float, ...]
    decay: float
    damping: float
    click_hz: float
    click_s: float
    click_mix: float


MATERIALS = {
    "rubber": Material(
        95, (1.0, 2.3, 3.6, 5.1), (1.0, 0.3, 0.15, 0.08), 0.05, 1.5, 350, 0.006, 0.35
    ),
    "wood": Material(
        330, (1.0, 1.58, 2.27, 2.76), (1.0, 0.8, 0.55, 0.35), 0.07, 0.6, 1800, 0.003, 0.3
    ),
    "metal": Material(
        520,
        (1.0, 1.51, 2.39, 2.97, 3.81, 4.67, 5.94),
        (1.0, 0.8, 0.7, 0.55, 0.45, 0.35, 0.25),
        0.45,
        0.5,
        5000,
        0.002,
        0.2,
    ),
    "glass": Material(
        1350, (1.0, 2.32, 4.25, 6.63), (1.0, 0.5, 0.28, 0.15), 0.22, 0.5, 7000, 0.0015, 0.2
    ),
}


@dataclass(frozen=True)
class GroundColour:
    """How a ground colours the impacts that land on it: brightness scales mode k by
    brightness ** k, damping_s cuts the ringing short (None: free ringing), and a noise
    burst (centre Hz, width in octaves, time constant s, mix) adds the ground's own sound."""

    brightness: float
    damping_s: float | None
    noise_hz: float
    noise_octaves: float
    noise_s: float
    noise_mix: float
    gain: float = 1.0
    body: float = 0.0  # a longer tail under the burst (a splash): its level and
    body_s: float = 0.1  # time constant
    grains: bool = False  # sand: the burst is a crunch of tiny grains
    bubbles: int = 0  # water: bubbles after the splash


GROUNDS = {
    "grass": GroundColour(0.8, 0.25, 900, 2.0, 0.012, 0.25),
    "floor": GroundColour(1.15, None, 3500, 1.5, 0.003, 0.35),
    "sand": GroundColour(0.6, 0.06, 2200, 1.5, 0.03, 0.5, 0.9, grains=True),
    "snow": GroundColour(0.35, 0.04, 500, 1.5, 0.025, 0.45, 0.75),
    "water": GroundColour(0.6, 0.03, 1800, 2.5, 0.008, 0.75, body=0.3, body_s=0.09, bubbles=3),
}

# ---------------------------------------------------------------------------
# Impacts
# ---------------------------------------------------------------------------


@dataclass
class _Kit:
    """What one render reuses across impacts: each object's modes and noise to cut
    clicks and bursts from."""

    scene: Scene
    sr: int
    modes: dict[int, np.ndarray] = field(default_factory=dict)
    noises: dict[tuple[float, float], np.ndarray] = field(default_factory=dict)

    def bank(self, index: int) -> np.ndarray:
        if index not in self.modes:
            self.modes[index] = _modes(self.scene, index, self.sr)
        return self.modes[index]

    def noise(self, centre: float, octaves: float) -> np.ndarray:
        key = (centre, octaves)
        if key not in self.noises:
            rng = scene_rng(self.scene, 4, len(self.noises))
            band = octave_band(min(centre, 0.4 * self.sr), octaves)
            self.noises[key] = shaped_noise(rng, self.sr, self.sr, band)[0]  # one second
        return self.noises[key]


def _modes(scene: Scene, index: int, sr: int) -> np.ndarray:
    """One object's modes at unit gain, (M, L) float32: they ring the same at every hit.

    Mode k is Im(z_k ** n); the powers are built in blocks, head * step ** block."""
    obj = scene.objects[index]
    m = MATERIALS[obj.material]
    detune = 1.0 + 0.04 * (scene_rng(scene, 3, index).random() - 0.5)
    freqs = np.array(m.ratios) * m.f0 * SIZE_PITCH[obj.size] * detune
    taus = m.decay / np.array(m.ratios) ** m.damping
    audible = freqs < 0.45 * sr
    freqs, taus = freqs[audible], taus[audible]
    length = int(min(6.9 * taus.max(), 2.5) * sr)  # to -60 dB, at most 2.5 s
    z = np.exp(-1.0 / (taus * sr) + 2j * np.pi * freqs / sr)  # (M,)
    block = 512
    head = (z[:, None] ** np.arange(block)).astype(np.complex64)  # (M, block)
    steps = ((z**block)[:, None] ** np.arange(-(-length // block))).astype(np.complex64)
    bank = (steps[:, :, None] * head[:, None, :]).reshape(len(z), -1)[:, :length].imag
    tail = length // 10  # fade the last tenth: no click where the ringing is cut
    bank[:, -tail:] *= np.linspace(1.0, 0.0, tail, dtype=np.float32)
    return np.ascontiguousarray(bank, dtype=np.float32)


def _ring(bank: np.ndarray, material: Material, brightness: float, rng) -> np.ndarray:
    """One hit on an object: its modes weighted by brightness and strike position."""
    k = np.arange(bank.shape[0])
    gains = np.array(material.gains[: bank.shape[0]]) * brightness**k
    gains *= rng.uniform(0.6, 1.4, size=len(k))
    ring = np.einsum("k,kl->l", gains.astype(np.float32), bank)  # no BLAS threads for this
    return ring / np.float32(np.abs(ring).max() or 1.0)


def _burst(kit: _Kit, rng, centre: float, octaves: float, tau: float) -> np.ndarray:
    """A decaying band of noise, peak 1: the click of a hit, a splash, a crunch."""
    noise = kit.noise(centre, octaves)
    n = min(max(int(6 * tau * kit.sr), 16), len(noise) // 2)
    start = int(rng.integers(0, len(noise) - n))
    x = noise[start : start + n] * np.exp(-np.arange(n) / (tau * kit.sr)).astype(np.float32)
    return x / np.float32(np.abs(x).max() or 1.0)


def _ground_sound(kit: _Kit, g: GroundColour, rng) -> np.ndarray:
    """What the ground adds: a click, a crunch of grains or a splash with bubbles."""
    sr = kit.sr
    x = _burst(kit, rng, g.noise_hz, g.noise_octaves, g.noise_s)
    if g.body:
        tail = _burst(kit, rng, g.noise_hz, g.noise_octaves, g.body_s) * np.float32(g.body)
        x = _mix_mono([x, tail])
    if g.grains:  # sparse random grains gate the noise into a crunch
        x *= (rng.random(len(x)) < 0.08).astype(np.float32) * 3 + 0.15
    if g.bubbles:
        x = np.concatenate([x, np.zeros(max(int(0.17 * sr) - len(x), 0), np.float32)])
    for _ in range(g.bubbles):  # a bubble: a short sine rising in pitch, under the splash
        start = int(rng.uniform(0.005, 0.06) * sr)
        dur = int(rng.uniform(0.02, 0.04) * sr)
        f = np.linspace(rng.uniform(400, 700), rng.uniform(900, 1500), dur)
        tone = np.sin(np.cumsum(2 * np.pi * f / sr)) * np.hanning(dur)
        x[start : start + dur] += (0.06 * tone).astype(np.float32)
    return x / np.float32(np.abs(x).max() or 1.0)


def _loudness(speed: float) -> float:
    """Loudness for an impact speed (m/s): proportional, softly compressed."""
    return IMPACT_PEAK * speed / (speed + HALF_SPEED)


def _impact_sound(kit: _Kit, k: int, hit: Impact) -> np.ndarray:
    """The mono sound of impact k at its loudness."""
    scene, sr = kit.scene, kit.sr
    rng = scene_rng(scene, 1, k)
    ground = GROUNDS[scene.ground] if hit.kind == "ground" else None
    brightness = min(1.0, 0.45 + 0.1 * hit.speed) * (ground.brightness if ground else 1.0)
    parts = []
    for i in (hit.a, hit.b) if hit.b >= 0 else (hit.a,):
        material = MATERIALS[scene.objects[i].material]
        ring = _ring(kit.bank(i), material, brightness, rng)
        if ground is not None and ground.damping_s is not None:  # soft ground stops it
            ring = ring[: int(7 * ground.damping_s * sr)]
            ring *= np.exp(-np.arange(len(ring)) / (ground.damping_s * sr)).astype(np.float32)
        click = _burst(kit, rng, material.click_hz, 2.0, material.click_s)
        mix = np.float32(material.click_mix / (1 - material.click_mix))
        ring[: len(click)] += click[: len(ring)] * mix
        parts.append(ring / np.float32(np.abs(ring).max() or 1.0))
    if ground is not None:
        mix = np.float32(ground.noise_mix / (1 - ground.noise_mix))
        parts.append(_ground_sound(kit, ground, rng) * mix)
    sound = _mix_mono(parts)
    attack = max(int(ATTACK_S * sr), 1)
    sound[:attack] *= np.linspace(0.0, 1.0, attack + 1, dtype=np.float32)[1:]
    # as loud as the hit is fast: level set on the first 10 ms (what the ear and an onset
    # detector weigh), the peak kept within PEAK_CREST of it
    level = _loudness(hit.speed) * (ground.gain if ground else 1.0)
    head = sound[: int(0.01 * sr)]
    rms = float(np.sqrt(np.mean(head * head))) or 1.0
    peak = float(np.abs(sound).max()) or 1.0
    return sound * np.float32(min(level * HEAD_RMS / rms, level * PEAK_CREST / peak))


def _mix_mono(parts: list[np.ndarray]) -> np.ndarray:
    if len(parts) == 1:
        return parts[0]
    out = np.zeros(max(len(p) for p in parts), np.float32)
    for p in parts:
        out[: len(p)] += p
    return out


def _placement(sim: Simulation, hit: Impact) -> tuple[float, float]:
    """(left, right) gains from where the impact is on screen; quieter off screen."""
    _, _, cam, _ = sim.sample(hit.time)
    cx, cy, zoom = (float(v) for v in cam)
    u = (hit.x - cx) / (sim.view_width / zoom)  # -0.5 .. 0.5 across the screen
    v = (hit.y - cy) / (VIEW_HEIGHT / zoom)
    excess = max(abs(u) - 0.5, abs(v) - 0.5, 0.0)
    gain = max(0.5 ** (excess / 0.25), OFFSCREEN_FLOOR)  # -6 dB per quarter view
    left, right = pan(2 * u)
    return gain * left, gain * right


def _impacts(sim: Simulation, sr: int, samples: int) -> np.ndarray:
    out = np.zeros((2, samples), np.float32)
    kit = _Kit(sim.scene, sr)
    for k, hit in enumerate(sim.impacts):
        start = round(hit.time * sr)
        if start < samples:
            add_into(out, start, _impact_sound(kit, k, hit), _placement(sim, hit))
    return out


# ---------------------------------------------------------------------------
# Ambience bed
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# Mix
# ---------------------------------------------------------------------------


def soft_limit(x: np.ndarray, knee: float = LIMIT_KNEE) -> np.ndarray:
    """Linear below `knee`, then a tanh curve that never reaches 1."""
    mag = np.abs(x)
    over = mag > knee
    squeezed = knee + (1 - knee) * np.tanh((mag[over] - knee) / (1 - knee))
    y = x.copy()
    y[over] = np.sign(x[over]) * squeezed
    return np.clip(y, -1.0, 1.0)


def render_audio(sim: Simulation, sample_rate: int = 48_000) -> np.ndarray:
    """The clip's sound, float32 (2, round(duration * sample_rate)) in [-1, 1]."""
    if not isinstance(sample_rate, int | np.integer) or sample_rate < 4000:
        raise InvalidInputError(
            f"sample_rate must be an integer >= 4000 Hz, got {sample_rate!r}", param="sample_rate"
        )
    sr = int(sample_rate)
    samples = round(sim.duration * sr)
    if samples <= 0:
        return np.zeros((2, 0), np.float32)
    mix = render_ambience(sim, sr) + _impacts(sim, sr, samples)  # (2, S)
    return soft_limit(mix).astype(np.float32)
