"""A scene rendered into a `Clip`: frames, sound and captions from one simulation."""

from __future__ import annotations

from reelforge.types import Clip, InvalidInputError
from reelforge.world.physics import simulate
from reelforge.world.scene import Scene

MAX_SIDE = 4096
MAX_SECONDS = 120.0
MAX_FPS = 120.0


def check_render_settings(width: int, height: int, fps: float, seconds: float) -> None:
    """Refuse settings that cannot make a clip, naming the one to change."""
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
        raise InvalidInputError(
            f"size {width}x{height} is out of range", param="size", hint=f"1..{MAX_SIDE} per side"
        )
    if not (0 < fps <= MAX_FPS):
        raise InvalidInputError(f"fps {fps} is out of range", param="fps", hint=f"0..{MAX_FPS}")
    if not (0 < seconds <= MAX_SECONDS):
        raise InvalidInputError(
            f"duration {seconds} s is out of range", param="seconds", hint=f"0..{MAX_SECONDS} s"
        )


def render_clip(
    scene: Scene,
    width: int = 256,
    height: int = 144,
    fps: float = 12.0,
    seconds: float = 4.0,
    *,
    audio: bool = True,
    sample_rate: int = 48_000,
) -> Clip:
    """Simulate `scene` for `seconds` and render it at width x height and fps.

    The clip's metadata carries the scene (as a dict) and its rich caption, so a clip
    and the facts it shows travel together.
    """
    from reelforge.world.captions import rich_caption
    from reelforge.world.render import render_frames
    from reelforge.world.sound import render_audio

    check_render_settings(width, height, fps, seconds)
    sim = simulate(scene, seconds, aspect=width / height)
    frames = render_frames(sim, width, height, fps)
    wave = render_audio(sim, sample_rate) if audio else None
    return Clip(
        frames=frames,
        fps=fps,
        audio=wave,
        sample_rate=sample_rate,
        metadata={
            "engine": "world",
            "seed": scene.seed,
            "prompt": rich_caption(scene),
            "scene": scene.to_dict(),
        },
    )
