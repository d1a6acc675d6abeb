"""Random scenes from a seed: the distribution the native model learns.

`sample_scene(seed)` always returns the same scene for the same seed. The weights below
are the world's statistics; the model card quotes them, so change them on purpose.
Colours that would hide in their setting are never drawn (white on snow, black at
night), and dynamic objects never start overlapping, even framed at 9:16.
"""

from __future__ import annotations

import numpy as np

from reelforge.types import InvalidInputError
from reelforge.world.palette import COLOR_NAMES
from reelforge.world.scene import (
    MATERIALS,
    MOTION_DIRECTIONS,
    SHAPES,
    SIZE_RADIUS,
    SIZES,
    VIEW_HEIGHT,
    Camera,
    Lighting,
    Motion,
    Occluder,
    Scene,
    SceneObject,
)

GROUND_WEIGHTS = {"grass": 0.35, "sand": 0.2, "snow": 0.15, "water": 0.1, "floor": 0.2}
WEATHER_WEIGHTS = {"none": 0.6, "rain": 0.15, "snow": 0.12, "fog": 0.13}
CAMERA_WEIGHTS = {
    "static": 0.4,
    "pan_left": 0.09,
    "pan_right": 0.09,
    "tilt_up": 0.07,
    "tilt_down": 0.07,
    "push_in": 0.09,
    "pull_out": 0.09,
    "tracking": 0.1,
}
# m/s for pans and tracking (the default), zoom change per second for push-in/pull-out
CAMERA_SPEEDS = {
    "push_in": (0.12, 0.25),
    "pull_out": (0.12, 0.25),
    "tilt_up": (0.15, 0.35),
    "tilt_down": (0.15, 0.35),
}
MOTION_WEIGHTS = {
    "bounce": 0.22,
    "roll": 0.18,
    "fall": 0.12,
    "rise": 0.1,
    "fly": 0.14,
    "orbit": 0.1,
    "stay": 0.14,
}
OBJECT_COUNT_WEIGHTS = {1: 0.4, 2: 0.3, 3: 0.2, 4: 0.1}
NEXT_TIME = {"dawn": "noon", "noon": "sunset", "sunset": "night", "night": "dawn"}
LIGHT_CHANGE_P = 0.2
OCCLUDER_P = 0.2
DUPLICATE_P = 0.1  # an object repeats an earlier one's look ("two red balls")
NARROWEST_ASPECT = 9 / 16
# Seeds from here on are held out for evaluation: datasets never draw them, so a model
# is judged on prompts it has not seen in training.
EVAL_SEED_START = 1_000_000  # starting positions must not overlap even at this framing


def _choice(rng: np.random.Generator, weights: dict) -> object:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=np.float64)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _u(rng: np.random.Generator, low: float, high: float) -> float:
    """A uniform draw rounded to millimetres: scenes stay readable as JSON."""
    return round(float(rng.uniform(low, high)), 3)


def _motion(rng: np.random.Generator, kind: str, radius: float) -> tuple[Motion, float]:
    """A motion of `kind` and the object's start x (fraction of the view width)."""
    direction = str(rng.choice(MOTION_DIRECTIONS[kind]))
    side = {"right": -1.0, "left": 1.0}.get(direction, 0.0)  # start on the far side
    u = _u(rng, -0.3, 0.3)
    if kind == "roll":
        return Motion(kind=kind, direction=direction, speed=_u(rng, 0.6, 1.8)), round(
            side * 0.3 + u / 3, 3
        )
    if kind == "bounce":
        speed = _u(rng, 0.3, 1.0) if direction != "none" else 0.0
        motion = Motion(kind=kind, direction=direction, speed=speed, height=_u(rng, 1.7, 2.8))
        return motion, round(side * 0.2 + u / 2, 3)
    if kind == "fall":
        speed = _u(rng, 0.2, 0.6) if direction != "none" else 0.0
        motion = Motion(kind=kind, direction=direction, speed=speed, height=_u(rng, 2.6, 3.3))
        return motion, u
    if kind == "fly":
        motion = Motion(
            kind=kind, direction=direction, speed=_u(rng, 0.9, 2.0), height=_u(rng, 1.5, 2.6)
        )
        return motion, side * 0.45
    if kind == "rise":
        motion = Motion(kind=kind, direction=direction, speed=_u(rng, 0.35, 0.8), height=0.0)
        return motion, u
    if kind == "orbit":
        orbit_r = _u(rng, 0.5, 0.9)
        height = max(1.5, orbit_r + radius + 0.15)
        speed = _u(rng, 0.15, 0.35)
        return Motion(
            kind=kind, direction=direction, speed=speed, height=height, radius=orbit_r
        ), u / 2
    return Motion(kind="stay"), u


def _start_point(obj: SceneObject) -> tuple[float, float]:
    m = obj.motion
    x = obj.x * VIEW_HEIGHT * NARROWEST_ASPECT
    y = obj.radius if m.kind in ("roll", "stay") else (m.height or 0.0) + obj.radius
    return x, y


def _fits(obj: SceneObject, others: list[SceneObject]) -> bool:
    if obj.motion.kind not in ("bounce", "roll", "fall", "stay"):
        return True
    x, y = _start_point(obj)
    for o in others:
        if o.motion.kind not in ("bounce", "roll", "fall", "stay"):
            continue
        ox, oy = _start_point(o)
        if np.hypot(x - ox, y - oy) < obj.radius + o.radius + 0.1:
            return False
    return True


def _colours_for(ground: str, weather: str, lighting: Lighting) -> list[str]:
    banned = set()
    if ground == "snow" or weather in ("snow", "fog"):
        banned.add("white")
    if "night" in (lighting.start, lighting.end):
        banned.add("black")
    return [c for c in COLOR_NAMES if c not in banned]


def _objects(rng: np.random.Generator, colours: list[str]) -> tuple[SceneObject, ...]:
    count = int(_choice(rng, OBJECT_COUNT_WEIGHTS))
    objects: list[SceneObject] = []
    for _ in range(40):  # attempts; a crowded draw simply ends with fewer objects
        if len(objects) == count:
            break
        if objects and rng.random() < DUPLICATE_P:
            twin = objects[int(rng.integers(len(objects)))]
            shape, colour, size = twin.shape, twin.color, twin.size
        else:
            shape = str(rng.choice(SHAPES))
            colour = str(rng.choice(colours))
            size = str(rng.choice(SIZES))
        kind = str(_choice(rng, MOTION_WEIGHTS))
        motion, x = _motion(rng, kind, SIZE_RADIUS[size])
        obj = SceneObject(
            shape=shape,
            color=colour,
            size=size,
            material=str(rng.choice(MATERIALS)),
            x=float(np.clip(x, -0.7, 0.7)),
            motion=motion,
        )
        if _fits(obj, objects):
            objects.append(obj)
    return tuple(objects)


def _occluder(rng: np.random.Generator) -> Occluder | None:
    if rng.random() >= OCCLUDER_P:
        return None
    kind = str(rng.choice(["pillar", "tree", "wall"]))
    width = _u(rng, 0.6, 1.2)
    if rng.random() < 0.3:  # standing still in the middle: things pass behind it
        return Occluder(kind=kind, x=(_u(rng, -0.15, 0.15)), speed=0.0, width=width)
    direction = 1.0 if rng.random() < 0.5 else -1.0
    speed = _u(rng, 0.8, 1.6)
    return Occluder(kind=kind, x=-0.65 * direction, speed=direction * speed, width=width)


def sample_scene(seed: int) -> Scene:
    """The scene for `seed` (>= 0): the same seed always gives the same scene."""
    if seed < 0:
        raise InvalidInputError(f"seed must be >= 0, got {seed}", param="seed")
    rng = np.random.default_rng(np.random.SeedSequence([0x5EE_D, int(seed)]))
    ground = str(_choice(rng, GROUND_WEIGHTS))
    start = str(rng.choice(list(NEXT_TIME)))
    end = NEXT_TIME[start] if rng.random() < LIGHT_CHANGE_P else None
    lighting = Lighting(start=start, end=end)
    weather = str(_choice(rng, WEATHER_WEIGHTS))
    objects = _objects(rng, _colours_for(ground, weather, lighting))
    move = str(_choice(rng, CAMERA_WEIGHTS))
    speed = _u(rng, *CAMERA_SPEEDS.get(move, (0.3, 0.8)))
    target = 0
    if move == "tracking":  # follow something that travels sideways, or hold still
        movers = [i for i, o in enumerate(objects) if o.motion.direction in ("left", "right")]
        if movers:
            target = movers[int(rng.integers(len(movers)))]
        else:
            move = "static"
    return Scene(
        seed=int(seed),
        ground=ground,
        lighting=lighting,
        weather=weather,
        camera=Camera(move=move, speed=float(speed), target=target),
        objects=objects,
        occluder=_occluder(rng),
    )
