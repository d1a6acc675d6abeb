"""Frames of a simulation: background, wave lines, shadows, objects, occluder, weather.

`Renderer` prepares what a clip shares (the painted background, the weather particles)
once; `frame(t)` then draws one picture. `render_frames` is the simple entry point.
"""

from __future__ import annotations

import numpy as np

from reelforge.world.physics import STATE_RATE, Simulation
from reelforge.world.render.camera import View
from reelforge.world.render.lighting import Look, lamp_strength, lighting_weight, look_at
from reelforge.world.render.objects import Light, draw_object, draw_shadow, light_for
from reelforge.world.render.occluder import draw_occluder
from reelforge.world.render.panorama import Panorama, plan_stretches
from reelforge.world.render.stamps import StampCache
from reelforge.world.render.water import draw_waves
from reelforge.world.render.weather import Weather


class Renderer:
    """Draws the frames of one simulation at width x height (any aspect ratio)."""

    def __init__(self, sim: Simulation, width: int, height: int, *, objects: bool = True):
        """objects=False draws everything but the objects and their shadows (the same
        background, occluder and weather): the difference to a full render is where
        the objects show (`object_masks`)."""
        if width < 1 or height < 1:
            raise ValueError(f"picture size must be positive, got {width}x{height}")
        self.sim, self.width, self.height = sim, int(width), int(height)
        self.objects = objects
        scene = sim.scene
        self._stretches = plan_stretches(sim, self.width, self.height)
        self._panorama: tuple[int, Panorama] | None = None
        self.weather = None
        if scene.weather in ("rain", "snow"):
            self.weather = Weather(scene.weather, scene.seed, self.width, self.height)
        self.stamps = StampCache()
        self._lights: dict[tuple, Light] = {}

    def frame(self, t: float, out: np.ndarray | None = None) -> np.ndarray:
        """The picture at time t (seconds): uint8 (H, W, 3), written into `out` if given."""
        if out is None:
            out = np.empty((self.height, self.width, 3), dtype=np.uint8)
        sim, scene = self.sim, self.sim.scene
        pos, angle, cam, occ_x = sim.sample(t)
        view = View(float(cam[0]), float(cam[1]), float(cam[2]), self.width, self.height)
        look = look_at(sim, t)
        self._panorama_at(t).draw(out, view, lighting_weight(sim, t))
        if scene.ground == "water":
            draw_waves(out, view, look, scene.seed, t)
        fog = scene.weather == "fog"
        objects = scene.objects if self.objects else ()
        lamps = []
        for i, obj in enumerate(objects):
            x, y = float(pos[i, 0]), float(pos[i, 1])
            lamp = lamp_strength(scene.seed, x, y) if look.lamps > 0.01 else (0.0, 0.0)
            lamps.append(lamp)
            draw_shadow(out, view, x, y - obj.radius, obj.radius, look, *lamp, self.stamps)
        for i, obj in enumerate(objects):
            light = self._light(look, *lamps[i], fog)
            xy = float(pos[i, 0]), float(pos[i, 1])
            draw_object(out, view, obj, *xy, float(angle[i]), light, self.stamps)
        if scene.occluder is not None:
            ox = float(occ_x)
            lamp = lamp_strength(scene.seed, ox, 1.2)[0] if look.lamps > 0.01 else 0.0
            occ = scene.occluder
            draw_occluder(out, view, occ.kind, ox, occ.width, look, lamp, fog, scene.seed)
        if self.weather is not None:
            self.weather.draw(out, view, t, look)
        return out

    def _panorama_at(self, t: float) -> Panorama:
        """The painted background covering time t (painted when first needed)."""
        k, i = int(t * STATE_RATE), 0
        while i + 1 < len(self._stretches) and k >= self._stretches[i][1]:
            i += 1
        if self._panorama is None or self._panorama[0] != i:
            first, last = self._stretches[i]
            self._panorama = (i, Panorama(self.sim, self.width, self.height, first, last))
        return self._panorama[1]

    def _light(self, look: Look, lamp: float, side: float, fog: bool) -> Light:
        key = (look, lamp, side, fog)
        if key not in self._lights:
            if len(self._lights) > 256:
                self._lights.clear()
            self._lights[key] = light_for(look, lamp, side, fog)
        return self._lights[key]

    def frames(self, times) -> np.ndarray:
        """Pictures at each of `times`: uint8 (T, H, W, 3)."""
        times = np.asarray(times, dtype=np.float64).reshape(-1)
        out = np.empty((len(times), self.height, self.width, 3), dtype=np.uint8)
        for k, t in enumerate(times):
            self.frame(float(t), out[k])
        return out


def frame_count(duration: float, fps: float) -> int:
    """How many frames a clip of `duration` seconds has at `fps`."""
    return max(1, round(duration * fps))


def render_frames(sim: Simulation, width: int, height: int, fps: float) -> np.ndarray:
    """Render `sim` at width x height: uint8 (T, H, W, 3), T = max(1, round(duration *
    fps)); frame k shows time k / fps."""
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    times = np.arange(frame_count(sim.duration, fps)) / fps
    return Renderer(sim, width, height).frames(times)


# A pixel counts as object where the full render and the one without objects differ by
# more than this many levels in some channel (antialiased edges fade below it).
OBJECT_LEVELS = 8


def object_masks(sim: Simulation, frames: np.ndarray, fps: float) -> np.ndarray:
    """bool (T, H, W): where the objects (or their shadows) show in `frames`, the clip
    `render_frames(sim, W, H, fps)` made: not hidden by the occluder, not under weather."""
    t, h, w = frames.shape[:3]
    empty = Renderer(sim, w, h, objects=False).frames(np.arange(t) / fps)
    diff = np.abs(frames.astype(np.int16) - empty.astype(np.int16)).max(axis=-1)
    return diff > OBJECT_LEVELS
