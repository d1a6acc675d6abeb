"""Named colours of the world's objects.

Object colours are saturated and far apart in hue so that a colour word in a prompt maps
to one unmistakable look, and the judge can tell them apart from pixels; the world's
backgrounds (sky, grass, sand, water) are kept muted on purpose so that no object colour
hides in them. White and black are the two unsaturated colours; the sampler keeps white
objects off snow and black objects out of the night.
"""

from __future__ import annotations

PALETTE: dict[str, tuple[int, int, int]] = {
    "red": (220, 30, 35),
    "orange": (245, 130, 20),
    "yellow": (245, 215, 30),
    "green": (40, 190, 60),
    "cyan": (30, 200, 215),
    "blue": (35, 70, 225),
    "purple": (140, 50, 200),
    "pink": (245, 95, 180),
    "white": (240, 240, 240),
    "black": (25, 25, 28),
}

COLOR_NAMES: tuple[str, ...] = tuple(PALETTE)
