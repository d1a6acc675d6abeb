"""The judge's calibration scenes: a fixed list of world scenes rendered at 192x108,
12 fps, 4 s, and the corruptions applied to them (imported by the tests by this module's
name; the session fixture that renders them once lives in conftest.py)."""

from __future__ import annotations

import numpy as np

from reelforge.types import Clip
from reelforge.world.clip import render_clip
from reelforge.world.palette import PALETTE
from reelforge.world.scene import Camera, Lighting, Motion, Occluder, Scene, SceneObject

SIZE, FPS, SECONDS = (192, 108), 12.0, 4.0


def _obj(color, shape, kind, direction="none", x=0.0, **motion) -> SceneObject:
    return SceneObject(
        shape=shape, color=color, x=x, motion=Motion(kind=kind, direction=direction, **motion)
    )


# Every motion (and sense), camera move, time of day (and a change), weather, ground and
# occluder appears at least once; objects are placed apart so that they do not collide.
SCENES = [
    Scene(seed=11, objects=(_obj("red", "ball", "bounce", height=2.4),)),
    Scene(
        seed=12, ground="sand", lighting=Lighting(start="dawn"),
        camera=Camera(move="pan_left", speed=0.5),
        objects=(_obj("blue", "cube", "roll", "right", x=-0.3, speed=1.0),),
    ),
    Scene(
        seed=13, ground="floor", lighting=Lighting(start="sunset"), weather="fog",
        objects=(_obj("green", "cone", "fall", "left", x=0.2, speed=0.4, height=3.0),
                 _obj("yellow", "pyramid", "stay", x=-0.3)),
    ),
    Scene(
        seed=14, lighting=Lighting(start="dawn"), weather="snow",
        camera=Camera(move="tilt_up", speed=0.25),
        objects=(_obj("purple", "cylinder", "rise", speed=0.5, height=0.0),),
    ),
    Scene(
        seed=15, ground="water", weather="rain", camera=Camera(move="pan_right", speed=0.5),
        objects=(_obj("orange", "star", "fly", "right", x=-0.4, speed=1.2, height=2.0),),
    ),
    Scene(
        seed=16, lighting=Lighting(start="night"), camera=Camera(move="push_in", speed=0.18),
        objects=(_obj("cyan", "ring", "orbit", "counterclockwise", speed=0.3, radius=0.7,
                      height=1.6),),
    ),
    Scene(
        seed=17, ground="snow", lighting=Lighting(start="sunset"),
        camera=Camera(move="pull_out", speed=0.18),
        objects=(_obj("pink", "ball", "orbit", "clockwise", x=-0.2, speed=0.3, radius=0.6,
                      height=1.7),
                 _obj("blue", "cube", "stay", x=0.3)),
    ),
    Scene(
        seed=18, camera=Camera(move="tracking", target=0),
        objects=(_obj("red", "cylinder", "roll", "left", x=0.3, speed=1.2),),
    ),
    Scene(
        seed=19, ground="floor", lighting=Lighting(start="night", end="dawn"),
        occluder=Occluder(kind="pillar", x=-0.65, speed=1.2, width=0.8),
        objects=(_obj("yellow", "cube", "bounce", "right", x=-0.2, speed=0.5, height=2.2),),
    ),
    Scene(
        seed=20, camera=Camera(move="tilt_down", speed=0.2),
        objects=(_obj("purple", "star", "fall", x=0.1, height=3.0),),
    ),
    Scene(
        seed=21, ground="sand",
        objects=(_obj("green", "ball", "bounce", x=-0.25, height=2.0),
                 _obj("green", "ball", "bounce", x=0.25, height=2.6)),
    ),
    Scene(
        seed=22, lighting=Lighting(start="noon", end="sunset"),
        occluder=Occluder(kind="tree", x=0.0, speed=0.0, width=0.8),
        objects=(_obj("pink", "pyramid", "fly", "left", x=0.45, speed=1.2, height=1.5),
                 _obj("orange", "ring", "roll", "right", x=-0.4, speed=0.8)),
    ),
]  # fmt: skip


def render(scene: Scene) -> Clip:
    return render_clip(scene, *SIZE, FPS, SECONDS)


# ---------------------------------------------------------------------------
# Corruptions
# ---------------------------------------------------------------------------


def reversed_frames(clip: Clip) -> Clip:
    return clip.with_(frames=clip.frames[::-1].copy())


def bgr(clip: Clip) -> Clip:
    return clip.with_(frames=clip.frames[..., ::-1].copy())


def frozen(clip: Clip) -> Clip:
    return clip.with_(frames=np.repeat(clip.frames[:1], clip.num_frames, axis=0))


def shuffled(clip: Clip) -> Clip:
    order = np.random.default_rng(0).permutation(clip.num_frames)
    return clip.with_(frames=clip.frames[order].copy())


def tiled(clip: Clip, colours: list[str], share: float = 0.3, tile: int = 16) -> Clip:
    """A share of the picture's 16-pixel tiles painted in `colours` (the prompt's), redrawn
    every frame: what an undertrained transformer makes of a prompt it knows the colours
    of, and what presence, count and the colour metrics alone would reward."""
    rng = np.random.default_rng(0)
    paint = np.array([PALETTE[c] for c in colours], np.uint8)
    t, h, w, _ = clip.frames.shape
    rows, cols = np.arange(h)[:, None] // tile, np.arange(w)[None, :] // tile  # pixel → tile
    frames = clip.frames.copy()
    for f in range(t):
        where = rng.random((rows.max() + 1, cols.max() + 1)) < share
        pick = paint[rng.integers(len(paint), size=where.shape)]
        painted = where[rows, cols]
        frames[f][painted] = pick[rows, cols][painted]
    return clip.with_(frames=frames)


def tile_shaded(clip: Clip, strength: float = 8.0, tile: int = 16) -> Clip:
    """Each 16-pixel tile brightened or darkened by its own fixed amount (up to `strength`
    levels), the same in every frame: a faint grid over an intact picture, as an
    undertrained transformer's tiles disagree at their edges."""
    h, w = clip.frames.shape[1:3]
    offsets = np.random.default_rng(0).uniform(-strength, strength, (h // tile + 1, w // tile + 1))
    shade = offsets[np.arange(h)[:, None] // tile, np.arange(w)[None, :] // tile]
    frames = (clip.frames + shade[None, :, :, None]).clip(0, 255).astype(np.uint8)
    return clip.with_(frames=frames)


def audio_shifted(clip: Clip, seconds: float = 0.2) -> Clip:
    n = round(seconds * clip.sample_rate)
    audio = np.zeros_like(clip.audio)
    audio[:, n:] = clip.audio[:, :-n]
    return clip.with_(audio=audio)


def without_object(scene: Scene, index: int) -> Scene:
    """The same scene (same seed) without object `index`: a grey stand-in waits out of view
    (x = 0.7 of the view's width), so that indices and a tracking camera stay valid."""
    stand_in = SceneObject(shape="cube", color="white", size="small", x=0.7)
    objects = tuple(stand_in if i == index else o for i, o in enumerate(scene.objects))
    return scene.model_copy(update={"objects": objects})


def vanishing(scene: Scene, index: int) -> Clip:
    """The scene whose object `index` disappears halfway (the rest of the world goes on)."""
    full = render(scene)
    gone = render(without_object(scene, index))
    half = full.num_frames // 2
    frames = np.concatenate([full.frames[:half], gone.frames[half:]])
    return full.with_(frames=frames)
