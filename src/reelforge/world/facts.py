"""What a scene shows a viewer, as facts: the ground truth that captions put in words.

`scene_facts(scene)` simulates the scene in the standard framing (4 s at 16:9) and reads
off what is seen: which objects come on screen, how each moves (the motion it was given,
unless physics makes it something else: a roll at speed 0 rests, a bounce that starts on
the ground rolls), the collisions with who hit whom, the occluder, the camera move and
the street lamps. Speed and height words come from the bands in `vocabulary`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from reelforge.world.physics import DEFAULT_HEIGHT, STATE_RATE, Impact, Simulation, simulate
from reelforge.world.scene import VIEW_HEIGHT, Scene
from reelforge.world.vocabulary import height_word, speed_word

STANDARD_DURATION = 4.0  # s: captions describe the scene over this long
STANDARD_ASPECT = 16 / 9
MIN_ON_SCREEN = 0.25  # s: an object seen for less than this is not mentioned
EDGE_TIME = 0.2  # s: off screen this long at the start (end) means it enters (leaves)
STILL = 0.05  # m/s, rev/s or zoom/s: slower than this is not moving
DARK = ("night",)  # times of day when the street lamps are on
SCRIPTED = ("rise", "fly", "orbit")  # motions that pass by the others without touching


@dataclass(frozen=True)
class ObjectFacts:
    """One object as seen. motion and direction are the scene's names; speed is "slow",
    "fast" or None, height "low", "high" or None; airborne: a staying object that hovers."""

    index: int
    shape: str
    color: str
    size: str
    material: str
    motion: str
    direction: str
    speed: str | None = None
    height: str | None = None
    airborne: bool = False
    enters: bool = False
    leaves: bool = False
    settles: bool = False


@dataclass(frozen=True)
class CollisionFacts:
    """Object `hitter` hits object `target` `count` times (seen on screen); rebound: the
    hitter bounces back; push: the direction the target is knocked, or None."""

    hitter: int
    target: int
    count: int
    rebound: bool = False
    push: str | None = None


@dataclass(frozen=True)
class SceneFacts:
    time_start: str
    time_end: str | None
    ground: str
    weather: str
    objects: tuple[ObjectFacts, ...]  # the ones seen, in scene order
    collisions: tuple[CollisionFacts, ...]
    occluder: str | None  # its kind, if it is seen
    occluder_direction: str  # "left", "right" or "none" (standing)
    camera: str  # the move as seen: a move at speed 0 is "static"
    camera_speed: str | None
    camera_target: int | None  # the object a tracking camera follows
    lamps: str | None  # "on" (switch on), "off" (switch off), "lit" (all along) or None

    def object(self, index: int) -> ObjectFacts | None:
        return next((o for o in self.objects if o.index == index), None)


# ---------------------------------------------------------------------------
# Objects
# ---------------------------------------------------------------------------


def _on_screen(sim: Simulation) -> np.ndarray:
    """(N, K) whether each object's centre is inside the view at each state."""
    cam = sim.camera  # (N, 3): x, y, zoom
    half_w = sim.view_width / cam[:, 2] / 2
    half_h = VIEW_HEIGHT / cam[:, 2] / 2
    dx = np.abs(sim.pos[:, :, 0] - cam[:, None, 0])
    dy = np.abs(sim.pos[:, :, 1] - cam[:, None, 1])
    return (dx <= half_w[:, None]) & (dy <= half_h[:, None])


def _motion(scene: Scene, sim: Simulation, i: int) -> tuple[str, str, float]:
    """(motion, direction, speed) as seen: physics can turn a motion into another."""
    m = scene.objects[i].motion
    sideways = m.direction in ("left", "right") and m.speed > STILL
    lands = any(hit.kind == "ground" and hit.a == i for hit in sim.impacts)
    kind = m.kind
    if kind in ("bounce", "fall") and not lands:  # it starts on the ground
        kind = "roll" if sideways else "stay"
    if kind in ("roll", "fly", "rise", "orbit") and m.speed <= STILL:
        kind = "stay"
    if kind == "stay":
        return kind, "none", 0.0
    if kind in ("bounce", "fall", "rise") and not sideways:  # rise: its speed is upward
        return kind, "none", m.speed if kind == "rise" else 0.0
    return kind, m.direction, m.speed


def _object(scene: Scene, sim: Simulation, i: int, seen: np.ndarray) -> ObjectFacts:
    obj = scene.objects[i]
    kind, direction, speed = _motion(scene, sim, i)
    start = obj.motion.height
    start = DEFAULT_HEIGHT.get(obj.motion.kind, 0.0) if start is None else start
    airborne = kind == "stay" and obj.motion.kind in SCRIPTED and start > 0.05
    height = None
    if kind in ("bounce", "fly", "orbit") or airborne:
        height = height_word(start)
    elif kind == "fall" and height_word(start) == "high":
        height = "high"
    speed_band = None
    if kind in ("bounce", "roll", "fly", "rise", "orbit") and speed > 0:
        speed_band = speed_word(kind, speed)
    edge = max(int(EDGE_TIME * STATE_RATE), 1)
    end = sim.pos[-edge:, i]  # (edge, 2): at rest on the ground, not rolling on
    resting = np.all(np.abs(end[:, 1] - obj.radius) < 0.01) and np.ptp(end[:, 0]) < 0.02
    settles = kind == "bounce" and bool(resting)
    return ObjectFacts(
        index=i,
        shape=obj.shape,
        color=obj.color,
        size=obj.size,
        material=obj.material,
        motion=kind,
        direction=direction,
        speed=speed_band,
        height=height,
        airborne=airborne,
        enters=not seen[:edge, i].any(),
        leaves=not seen[-edge:, i].any(),
        settles=settles,
    )


# ---------------------------------------------------------------------------
# Collisions
# ---------------------------------------------------------------------------


def _point_on_screen(sim: Simulation, hit: Impact) -> bool:
    _, _, cam, _ = sim.sample(hit.time)
    cx, cy, zoom = (float(v) for v in cam)
    return (
        abs(hit.x - cx) <= sim.view_width / zoom / 2 and abs(hit.y - cy) <= VIEW_HEIGHT / zoom / 2
    )


def _velocity(sim: Simulation, k0: int, k1: int) -> np.ndarray:
    """(K, 2) mean velocities between states k0 and k1."""
    n = len(sim.times) - 1
    k0, k1 = min(max(k0, 0), n), min(max(k1, 0), n)
    return (sim.pos[k1] - sim.pos[k0]) * STATE_RATE / max(k1 - k0, 1)


def _collision(scene: Scene, sim: Simulation, hits: list[Impact]) -> CollisionFacts:
    first = hits[0]
    k = int(first.time * STATE_RATE)
    before, after = _velocity(sim, k - 6, k - 1), _velocity(sim, k + 2, k + 12)
    a, b = first.a, first.b
    normal = sim.pos[k, b] - sim.pos[k, a]
    normal = normal / (np.linalg.norm(normal) or 1.0)
    hitter, target = (a, b) if before[a] @ normal >= -(before[b] @ normal) else (b, a)
    vx0, vx1 = before[hitter, 0], after[hitter, 0]
    rebound = bool(vx0 * vx1 < 0 and min(abs(vx0), abs(vx1)) > 0.2)
    push = None
    movable = scene.objects[target].motion.kind != "stay"
    if movable and np.linalg.norm(before[target]) < 0.1 and abs(after[target, 0]) > 0.3:
        push = "right" if after[target, 0] > 0 else "left"
    return CollisionFacts(hitter, target, len(hits), rebound, push)


def _collisions(scene: Scene, sim: Simulation, seen: set[int]) -> tuple[CollisionFacts, ...]:
    pairs: dict[tuple[int, int], list[Impact]] = {}
    for hit in sim.impacts:
        if hit.kind == "collision" and {hit.a, hit.b} <= seen and _point_on_screen(sim, hit):
            pairs.setdefault((hit.a, hit.b), []).append(hit)
    return tuple(_collision(scene, sim, hits) for hits in pairs.values())


# ---------------------------------------------------------------------------
# Occluder, camera, lamps
# ---------------------------------------------------------------------------


def _occluder(scene: Scene, sim: Simulation) -> tuple[str | None, str]:
    occ = scene.occluder
    if occ is None or sim.occluder_x is None:
        return None, "none"
    cam = sim.camera[: len(sim.occluder_x)]
    reach = sim.view_width / cam[:, 2] / 2 + occ.width / 2
    if not np.any(np.abs(sim.occluder_x - cam[:, 0]) < reach):
        return None, "none"
    if abs(occ.speed) <= STILL:
        return occ.kind, "none"
    return occ.kind, "right" if occ.speed > 0 else "left"


def _camera(scene: Scene, sim: Simulation, seen: set[int]) -> tuple[str, str | None, int | None]:
    cam = scene.camera
    move, speed = cam.move, cam.speed
    if move == "static" or speed <= (0.01 if move in ("push_in", "pull_out") else 0.02):
        return "static", None, None
    if move == "tracking":
        shift = sim.camera[-1, 0] - sim.camera[0, 0]
        if np.abs(sim.camera[:, 0] - sim.camera[0, 0]).max() < 0.1:
            return "static", None, None
        if cam.target in seen:
            return "tracking", None, cam.target
        return ("pan_right" if shift > 0 else "pan_left"), None, None
    kind = {"push_in": "zoom", "pull_out": "zoom", "tilt_up": "tilt", "tilt_down": "tilt"}
    return move, speed_word(kind.get(move, "pan"), speed), None


def _lamps(start: str, end: str | None) -> str | None:
    if end is None or (end in DARK) == (start in DARK):
        return "lit" if start in DARK else None
    return "on" if end in DARK else "off"


@lru_cache(maxsize=256)
def scene_facts(scene: Scene) -> SceneFacts:
    """The facts of `scene` as seen in the standard framing (4 s at 16:9).

    Cached (scenes are frozen, the facts immutable): the rich caption and the short
    prompts of one scene read the same facts, and the simulation is their whole cost."""
    sim = simulate(scene, STANDARD_DURATION, STANDARD_ASPECT)
    on_screen = _on_screen(sim)
    enough = max(int(MIN_ON_SCREEN * STATE_RATE), 1)
    seen = {i for i in range(len(scene.objects)) if on_screen[:, i].sum() >= enough}
    objects = tuple(_object(scene, sim, i, on_screen) for i in sorted(seen))
    occluder, occluder_direction = _occluder(scene, sim)
    camera, camera_speed, target = _camera(scene, sim, seen)
    light = scene.lighting
    end = light.end if light.end != light.start else None
    return SceneFacts(
        time_start=light.start,
        time_end=end,
        ground=scene.ground,
        weather=scene.weather,
        objects=objects,
        collisions=_collisions(scene, sim, seen),
        occluder=occluder,
        occluder_direction=occluder_direction,
        camera=camera,
        camera_speed=camera_speed,
        camera_target=target,
        lamps=_lamps(light.start, end),
    )
