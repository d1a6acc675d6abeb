"""The renderer of the procedural world: a simulation in, uint8 frames out.

    frames = render_frames(simulate(scene, 4.0, 16 / 9), 256, 144, fps=12)

Numpy only, deterministic (same inputs, bit-identical frames), any size and aspect
ratio. The picture is a side view: a muted background fixed in the world (sky, hills,
lamps, ground), the objects in saturated palette colours with their shadows, an optional
occluder in front, and rain or snow over all. `world_to_pixel` and `object_boxes` say
where things are in a picture, for the judge and the tests.
"""

from reelforge.world.render.background import MAX_SATURATION
from reelforge.world.render.camera import View, view_at, world_to_pixel
from reelforge.world.render.ground import GROUND_BASE
from reelforge.world.render.layout import ObjectBox, object_boxes, occluder_span
from reelforge.world.render.lighting import LOOKS, Look, look_at
from reelforge.world.render.renderer import Renderer, frame_count, render_frames

__all__ = [
    "GROUND_BASE",
    "LOOKS",
    "MAX_SATURATION",
    "Look",
    "ObjectBox",
    "Renderer",
    "View",
    "frame_count",
    "look_at",
    "object_boxes",
    "occluder_span",
    "render_frames",
    "view_at",
    "world_to_pixel",
]
