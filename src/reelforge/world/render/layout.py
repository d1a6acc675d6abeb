"""Where things are in a rendered picture: the facts the judge and the tests rely on."""

from __future__ import annotations

from dataclasses import dataclass

from reelforge.world.physics import Simulation
from reelforge.world.render.camera import view_at
from reelforge.world.render.objects import drawn_center
from reelforge.world.render.occluder import BASE
from reelforge.world.render.shapes import reach


@dataclass(frozen=True)
class ObjectBox:
    """One object in a picture, in continuous pixels (u right, v down).

    center: the drawn shape's centre (the physics centre, nudged vertically so that the
    shape's lowest point rests where the bounding circle's does); radius: the bounding
    radius in pixels; box: (u0, v0, u1, v1) around everything the shape can cover;
    hidden: the occluder covers the whole box."""

    center: tuple[float, float]
    radius: float
    box: tuple[float, float, float, float]
    hidden: bool


def occluder_span(sim: Simulation, t: float, width: int, height: int) -> tuple[float, float] | None:
    """(u_left, u_right) of the occluder's opaque band at time t, or None."""
    occ = sim.scene.occluder
    if occ is None:
        return None
    view = view_at(sim, t, width, height)
    x = float(sim.sample(t)[3])
    u0, _ = view.to_pixel(x - occ.width / 2, 0.0)
    u1, _ = view.to_pixel(x + occ.width / 2, 0.0)
    return float(u0), float(u1)


def object_boxes(sim: Simulation, t: float, width: int, height: int) -> list[ObjectBox]:
    """Every object of `sim` at time t, as drawn in a width x height picture."""
    view = view_at(sim, t, width, height)
    pos, angle, _, _ = sim.sample(t)
    span = occluder_span(sim, t, width, height)
    _, v_foot = view.to_pixel(0.0, BASE)
    out = []
    for i, obj in enumerate(sim.scene.objects):
        cx, cy = drawn_center(obj, float(pos[i, 0]), float(pos[i, 1]), float(angle[i]))
        u, v = view.to_pixel(cx, cy)
        r = obj.radius * view.ppm
        e = reach(obj.shape) * r
        box = (float(u - e), float(v - e), float(u + e), float(v + e))
        hidden = span is not None and span[0] + 1 <= box[0] and box[2] <= span[1] - 1
        hidden = hidden and box[3] <= v_foot
        out.append(ObjectBox((float(u), float(v)), float(r), box, bool(hidden)))
    return out
