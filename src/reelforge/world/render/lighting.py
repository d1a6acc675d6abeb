"""How each time of day looks and lights the world, and the street lamps.

A `Look` holds every colour and light of one time of day. A lighting change over a clip
blends the start and end looks smoothly (smoothstep over the clip). Background colours
are kept muted (HSV saturation <= 0.45) so that the saturated object colours stand out;
lights are near-neutral so objects keep their hue at every time of day.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from reelforge.world.physics import Simulation

RGB = tuple[float, float, float]

LAMP_SPACING = 6.5  # metres between street lamps
LAMP_HEIGHT = 2.45  # metres: the lamp head
LAMP_REACH = 2.2  # metres: distance at which a lamp's light has halved


@dataclass(frozen=True)
class Look:
    """Colours (0-255) and lights (multipliers of an albedo) of one time of day.

    sun: (x as a fraction of the view width from the first frame's centre, height in m).
    light_dir: towards the sun or moon, (x right, y up, z towards the camera).
    """

    sky_top: RGB
    sky_horizon: RGB
    sun: tuple[float, float]
    sun_radius: float
    sun_color: RGB
    glow_color: RGB
    glow: float
    light_dir: tuple[float, float, float]
    light: RGB
    ambient: RGB
    cloud: RGB
    hills: RGB
    trees: RGB
    ground_light: RGB
    fog: RGB
    lamps: float  # 0 off .. 1 fully on
    stars: float  # 0 none .. 1 clear night


LOOKS: dict[str, Look] = {
    "dawn": Look(
        sky_top=(146, 160, 194),
        sky_horizon=(228, 210, 204),
        sun=(-0.3, 0.85),
        sun_radius=0.2,
        sun_color=(255, 232, 200),
        glow_color=(246, 214, 190),
        glow=0.55,
        light_dir=(-0.7, 0.45, 0.55),
        light=(0.62, 0.56, 0.5),
        ambient=(0.58, 0.57, 0.6),
        cloud=(232, 214, 210),
        hills=(134, 132, 148),
        trees=(84, 86, 100),
        ground_light=(0.9, 0.86, 0.86),
        fog=(214, 204, 202),
        lamps=0.0,
        stars=0.0,
    ),
    "noon": Look(
        sky_top=(122, 163, 208),
        sky_horizon=(198, 216, 230),
        sun=(0.28, 3.0),
        sun_radius=0.2,
        sun_color=(255, 252, 238),
        glow_color=(238, 240, 232),
        glow=0.45,
        light_dir=(0.35, 0.75, 0.6),
        light=(0.66, 0.65, 0.62),
        ambient=(0.64, 0.65, 0.68),
        cloud=(238, 240, 244),
        hills=(124, 148, 142),
        trees=(78, 104, 86),
        ground_light=(1.0, 1.0, 1.0),
        fog=(208, 213, 218),
        lamps=0.0,
        stars=0.0,
    ),
    "sunset": Look(
        sky_top=(98, 94, 148),
        sky_horizon=(238, 176, 134),
        sun=(0.3, 0.75),
        sun_radius=0.22,
        sun_color=(255, 214, 164),
        glow_color=(248, 196, 156),
        glow=0.6,
        light_dir=(0.75, 0.35, 0.55),
        light=(0.66, 0.54, 0.44),
        ambient=(0.58, 0.53, 0.56),
        cloud=(236, 190, 176),
        hills=(130, 108, 122),
        trees=(72, 62, 78),
        ground_light=(0.86, 0.76, 0.72),
        fog=(212, 188, 180),
        lamps=0.0,
        stars=0.0,
    ),
    "night": Look(
        sky_top=(21, 25, 37),
        sky_horizon=(46, 54, 74),
        sun=(-0.22, 2.85),
        sun_radius=0.16,
        sun_color=(228, 230, 222),
        glow_color=(92, 100, 124),
        glow=0.35,
        light_dir=(-0.3, 0.7, 0.65),
        light=(0.24, 0.26, 0.31),
        ambient=(0.38, 0.4, 0.47),
        cloud=(60, 66, 82),
        hills=(42, 50, 66),
        trees=(28, 34, 45),
        ground_light=(0.36, 0.39, 0.48),
        fog=(62, 66, 76),
        lamps=1.0,
        stars=1.0,
    ),
}

LAMP_COLOR: RGB = (255, 226, 170)  # the glowing head and its halo
LAMP_LIGHT: RGB = (0.62, 0.55, 0.42)  # what a lamp adds to an albedo at full strength


def blend_looks(a: Look, b: Look, w: float) -> Look:
    """The look w of the way from a to b (every number interpolated linearly)."""
    if w <= 0.0:
        return a
    if w >= 1.0:
        return b
    values = {}
    for f in fields(Look):
        va, vb = getattr(a, f.name), getattr(b, f.name)
        if isinstance(va, tuple):
            values[f.name] = tuple(x + (y - x) * w for x, y in zip(va, vb, strict=True))
        else:
            values[f.name] = va + (vb - va) * w
    return Look(**values)


def lighting_weight(sim: Simulation, t: float) -> float:
    """How far the lighting change has gone at time t: 0 at the start, 1 at the end."""
    if sim.scene.lighting.end is None:
        return 0.0
    s = float(np.clip(t / sim.duration, 0.0, 1.0))
    return s * s * (3.0 - 2.0 * s)


def look_at(sim: Simulation, t: float) -> Look:
    """The look of `sim`'s world at time t."""
    lighting = sim.scene.lighting
    start = LOOKS[lighting.start]
    if lighting.end is None:
        return start
    return blend_looks(start, LOOKS[lighting.end], lighting_weight(sim, t))


def lamp_positions(seed: int, x0: float, x1: float) -> np.ndarray:
    """World x of the street lamps between x0 and x1 (a fixed row, phase from the seed)."""
    phase = (seed * 0.618034) % 1.0 * LAMP_SPACING
    k0 = int(np.floor((x0 - phase) / LAMP_SPACING))
    k1 = int(np.ceil((x1 - phase) / LAMP_SPACING))
    return phase + LAMP_SPACING * np.arange(k0, k1 + 1, dtype=np.float64)


def lamp_strength(seed: int, x: float, y: float) -> tuple[float, float]:
    """Lamp light at a point (0..~1.3 at full lamps) and the horizontal direction to it."""
    xs = lamp_positions(seed, x - 3 * LAMP_SPACING, x + 3 * LAMP_SPACING)
    d2 = (xs - x) ** 2 + (LAMP_HEIGHT - y) ** 2
    k = 1.0 / (1.0 + d2 / LAMP_REACH**2)
    nearest = int(np.argmax(k))
    return float(k.sum()), float(np.sign(xs[nearest] - x))
