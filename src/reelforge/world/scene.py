"""A scene of the procedural world, as plain data.

A scene says what is in the world and how it moves; it does not say how big the picture
is or how long it runs. Those are render settings, so one scene renders at any size,
aspect ratio, fps and duration. Scenes round-trip through JSON (`to_json`/`from_json`).

Units: metres and seconds. The camera frames VIEW_HEIGHT metres vertically; the visible
width follows the aspect ratio. Horizontal positions in a scene are fractions of the
visible width (-0.5 = left edge, 0.5 = right edge) so that "flies across" means across
the frame whatever the aspect ratio; heights are metres above the ground (y = 0).
"""

from __future__ import annotations

import json
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from reelforge.types import InvalidInputError

VIEW_HEIGHT = 4.0  # metres of world the camera sees vertically at zoom 1
CAMERA_HEIGHT = 1.35  # metres: the height of the view's centre at rest
GRAVITY = 9.8  # m/s^2

Shape = Literal["ball", "cube", "cone", "star", "ring", "cylinder", "pyramid"]
Size = Literal["small", "medium", "large"]
Material = Literal["rubber", "wood", "metal", "glass"]
MotionKind = Literal["bounce", "roll", "fall", "rise", "fly", "orbit", "stay"]
Direction = Literal["left", "right", "none", "clockwise", "counterclockwise"]
TimeOfDay = Literal["dawn", "noon", "sunset", "night"]
Ground = Literal["grass", "sand", "snow", "water", "floor"]
Weather = Literal["none", "rain", "snow", "fog"]
CameraMove = Literal[
    "static", "pan_left", "pan_right", "tilt_up", "tilt_down", "push_in", "pull_out", "tracking"
]
OccluderKind = Literal["pillar", "tree", "wall"]

SHAPES: tuple[str, ...] = get_args(Shape)
SIZES: tuple[str, ...] = get_args(Size)
MATERIALS: tuple[str, ...] = get_args(Material)
MOTIONS: tuple[str, ...] = get_args(MotionKind)
TIMES_OF_DAY: tuple[str, ...] = get_args(TimeOfDay)
GROUNDS: tuple[str, ...] = get_args(Ground)
WEATHERS: tuple[str, ...] = get_args(Weather)
CAMERA_MOVES: tuple[str, ...] = get_args(CameraMove)
OCCLUDER_KINDS: tuple[str, ...] = get_args(OccluderKind)

SIZE_RADIUS = {"small": 0.3, "medium": 0.42, "large": 0.56}  # metres (bounding circle)

# Which directions each motion accepts; the first one is its default.
MOTION_DIRECTIONS: dict[str, tuple[str, ...]] = {
    "bounce": ("none", "left", "right"),
    "roll": ("right", "left"),
    "fall": ("none", "left", "right"),
    "rise": ("none", "left", "right"),
    "fly": ("right", "left"),
    "orbit": ("clockwise", "counterclockwise"),
    "stay": ("none",),
}


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Motion(_Data):
    """How one object moves.

    speed: m/s along its direction (for orbit: the orbit's radius in metres is `radius`
    and `speed` is revolutions per second). height: the start height for bounce, fall,
    fly and rise (metres above the ground; `None` picks the motion's natural height).
    """

    kind: MotionKind = "stay"
    direction: Direction = "none"
    speed: float = Field(1.0, ge=0.0, le=6.0)
    height: float | None = Field(None, ge=0.0, le=6.0)
    radius: float = Field(0.8, gt=0.0, le=2.5)

    @model_validator(mode="before")
    @classmethod
    def _default_direction(cls, data: object) -> object:
        """A motion given without a direction takes its kind's default (roll -> right)."""
        if isinstance(data, dict) and data.get("direction") is None:
            kind = data.get("kind", "stay")
            if kind in MOTION_DIRECTIONS:
                data = {**data, "direction": MOTION_DIRECTIONS[kind][0]}
        return data

    @model_validator(mode="after")
    def _direction_fits_kind(self) -> Motion:
        allowed = MOTION_DIRECTIONS[self.kind]
        if self.direction not in allowed:
            raise ValueError(
                f"motion {self.kind!r} takes direction {allowed}, not {self.direction!r}"
            )
        return self


class SceneObject(_Data):
    """One object: what it looks like, where it starts and how it moves."""

    shape: Shape = "ball"
    color: str = "red"
    size: Size = "medium"
    material: Material = "rubber"
    x: float = Field(0.0, ge=-0.7, le=0.7)  # start position, fraction of view width
    motion: Motion = Motion()

    @property
    def radius(self) -> float:
        return SIZE_RADIUS[self.size]

    @model_validator(mode="after")
    def _known_color(self) -> SceneObject:
        from reelforge.world.palette import PALETTE

        if self.color not in PALETTE:
            raise ValueError(f"unknown colour {self.color!r}; known: {sorted(PALETTE)}")
        return self


class Occluder(_Data):
    """A foreground object that passes in front of the others (object permanence).

    x: start position (fraction of view width); speed: m/s, negative moves left.
    """

    kind: OccluderKind = "pillar"
    x: float = Field(-0.6, ge=-1.0, le=1.0)
    speed: float = Field(1.0, ge=-4.0, le=4.0)
    width: float = Field(0.9, gt=0.2, le=2.5)  # metres


class Camera(_Data):
    """Camera motion. speed: m/s for pans, tilts and tracking; zoom change per second
    for push-in and pull-out (0.15 = 15 % closer each second). target: the object index
    a tracking camera follows."""

    move: CameraMove = "static"
    speed: float = Field(0.5, ge=0.0, le=3.0)
    target: int = Field(0, ge=0)


class Lighting(_Data):
    """Time of day at the start and, optionally, at the end (a change over the clip).
    Street lamps switch on when it gets dark."""

    start: TimeOfDay = "noon"
    end: TimeOfDay | None = None


class Scene(_Data):
    """A whole scene. `seed` drives the details that are not worth naming (cloud
    positions, grass texture, rain drops) so one scene always renders the same."""

    seed: int = 0
    ground: Ground = "grass"
    lighting: Lighting = Lighting()
    weather: Weather = "none"
    camera: Camera = Camera()
    objects: tuple[SceneObject, ...] = Field(default=(SceneObject(),), min_length=1, max_length=4)
    occluder: Occluder | None = None

    @model_validator(mode="after")
    def _camera_target_exists(self) -> Scene:
        if self.camera.move == "tracking" and self.camera.target >= len(self.objects):
            raise ValueError(
                f"tracking camera targets object {self.camera.target}, "
                f"but the scene has {len(self.objects)}"
            )
        return self

    # -- JSON ---------------------------------------------------------------

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str | bytes) -> Scene:
        try:
            return cls.model_validate_json(text)
        except ValidationError as e:
            raise InvalidInputError(f"not a valid scene: {e}", param="scene") from e

    @classmethod
    def from_dict(cls, data: dict) -> Scene:
        try:
            return cls.model_validate(data)
        except ValidationError as e:
            raise InvalidInputError(f"not a valid scene: {e}", param="scene") from e

    def to_dict(self) -> dict:
        return json.loads(self.to_json())
