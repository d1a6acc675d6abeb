"""World metres <-> picture pixels for a simulation's camera.

Pixel coordinates are continuous: (u, v) with (0, 0) the top-left corner of the picture,
u to the right and v down, so the pixel in row i, column j has its centre at
(j + 0.5, i + 0.5). The camera frames VIEW_HEIGHT / zoom metres vertically, centred on its
(cx, cy); the width follows the picture's aspect ratio. Everything the renderer draws is
placed with this one mapping, to sub-pixel precision.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reelforge.world.physics import Simulation
from reelforge.world.scene import VIEW_HEIGHT


@dataclass(frozen=True)
class View:
    """The camera at one instant, for a picture of width x height pixels."""

    cx: float
    cy: float
    zoom: float
    width: int
    height: int

    @property
    def ppm(self) -> float:
        """Pixels per metre."""
        return self.height * self.zoom / VIEW_HEIGHT

    def to_pixel(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        u = self.width / 2 + (np.asarray(x) - self.cx) * self.ppm
        v = self.height / 2 - (np.asarray(y) - self.cy) * self.ppm
        return u, v

    def to_world(self, u, v) -> tuple[np.ndarray, np.ndarray]:
        x = self.cx + (np.asarray(u) - self.width / 2) / self.ppm
        y = self.cy - (np.asarray(v) - self.height / 2) / self.ppm
        return x, y

    @property
    def rect(self) -> tuple[float, float, float, float]:
        """World (left, bottom, right, top) in metres."""
        hw, hh = self.width / 2 / self.ppm, self.height / 2 / self.ppm
        return self.cx - hw, self.cy - hh, self.cx + hw, self.cy + hh


def view_at(sim: Simulation, t: float, width: int, height: int) -> View:
    """The camera of `sim` at time t (seconds), framed for width x height."""
    cam = sim.sample(t)[2]
    return View(float(cam[0]), float(cam[1]), float(cam[2]), width, height)


def world_to_pixel(
    sim: Simulation, t: float, width: int, height: int, x, y
) -> tuple[np.ndarray, np.ndarray]:
    """Where world point(s) (x, y) in metres appear at time t: continuous (u, v) pixels,
    u right and v down from the picture's top-left corner (pixel centres at +0.5)."""
    return view_at(sim, t, width, height).to_pixel(x, y)
