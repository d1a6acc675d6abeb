"""What a prompt asks of a clip, as plain data: the judge's input.

A field left `None` was not stated, so the judge does not check it. `constraints_from_scene`
states everything a scene shows (the full truth, used to calibrate the judge).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from reelforge.world.scene import Scene


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ObjectConstraint(_Data):
    """One kind of object the clip must show `count` times (at least, if `at_least`).

    motion is a scene motion kind (bounce, roll, fall, rise, fly, orbit, stay) and direction
    one of left, right, clockwise, counterclockwise, or none (no sideways drift). A direction
    without a motion kind ("moves left") asks only for the sideways sense."""

    color: str | None = None
    shape: str | None = None
    count: int = 1
    at_least: bool = False
    size: str | None = None
    material: str | None = None
    motion: str | None = None
    direction: str | None = None


class Constraints(_Data):
    """Everything a prompt states about the world; `unknown` lists the words and phrases
    the parser did not understand (see prompt_parser for the policy)."""

    objects: tuple[ObjectConstraint, ...] = ()
    camera: str | None = None
    time_of_day: str | None = None
    time_of_day_end: str | None = None
    weather: str | None = None
    ground: str | None = None
    occluder: str | None = None
    unknown: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return self.model_dump(mode="json")


def constraints_from_scene(scene: Scene) -> Constraints:
    """The full truth of a scene as constraints: one entry per object, every setting stated."""
    objects = tuple(
        ObjectConstraint(
            color=o.color,
            shape=o.shape,
            size=o.size,
            material=o.material,
            motion=o.motion.kind,
            direction=o.motion.direction,
        )
        for o in scene.objects
    )
    light = scene.lighting
    end = light.end if light.end not in (None, light.start) else None
    return Constraints(
        objects=objects,
        camera=scene.camera.move,
        time_of_day=light.start,
        time_of_day_end=end,
        weather=scene.weather,
        ground=scene.ground,
        occluder=scene.occluder.kind if scene.occluder is not None else None,
    )
