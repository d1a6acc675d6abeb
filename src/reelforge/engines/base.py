"""The Engine protocol: what a video engine can make, and how it says no before working.

    engine.capabilities        modes, native sizes per aspect, fps, frame rule, length
    engine.check(spec)         UnsupportedError naming what IS supported, before any work
    engine.generate(spec, on_progress, should_cancel) -> Clip

`Capabilities.plan(spec)` is the shared size and length policy:

- A size is read as an aspect (16:9, 9:16, 1:1, ...; within 1%) and served at a native
  size of that aspect: an exact native size directly; a larger one at the largest native
  size of the aspect that fits inside it, then upscaled (when the engine upscales, up to
  `max_upscale` times per side). An aspect with no native size, a size below the smallest
  native one, or one past the upscale limit is refused, naming the sizes there are.
- Any frame count from 1 to `max_frames` is served: the engine generates the next count
  on its frame rule (`frame_start + frame_step·k`, e.g. 1 + 4k) and trims the end.
- fps must be one the engine makes (a different rate would change the motion's speed).

This module is plain data (no torch), so listing engines and checking specs stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol, runtime_checkable

from reelforge.types import (
    Clip,
    GenerationSpec,
    InvalidInputError,
    ReelforgeError,
    UnsupportedError,
)

MODES = (
    "t2v",  # text to video
    "i2v",  # a still image as the first frame
    "extend",  # given frames at the start (continue a clip) or at the end (lead into one)
    "interpolate",  # given frames at several positions (first and last, or in the middle)
    "inpaint",  # regenerate the masked frames of a source clip
    "remix",  # a source clip re-imagined, `source_strength` of the way
    "loop",  # the end leads back into the start
    "audio",  # sound made with the picture
    "characters",  # named characters kept consistent across clips
)
ASPECT_TOLERANCE = 0.01  # a size within 1% of an aspect's ratio has that aspect

Size = tuple[int, int]  # (width, height)
ProgressFn = Callable[[float, str], None]  # (fraction done in [0, 1], what is happening)
CancelFn = Callable[[], bool]  # True: stop at the next safe point


class GenerationCancelled(ReelforgeError):
    """`should_cancel` said stop; the engine stopped between two steps and made no clip."""

    code = "cancelled"


# ---------------------------------------------------------------------------
# Capabilities and the plan for one spec
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """How an engine makes a spec: `frames` frames at the `native` size (the frame rule's
    count), then the first spec.num_frames kept and resized to `size` when it differs."""

    mode: str
    native: Size
    frames: int
    size: Size

    @property
    def upscaled(self) -> bool:
        return self.native != self.size


@dataclass(frozen=True)
class Capabilities:
    """What an engine makes. `sizes` maps an aspect ("16:9") to its native (width, height)
    sizes, the default first; generated frame counts are frame_start + frame_step·k."""

    modes: tuple[str, ...]
    sizes: Mapping[str, tuple[Size, ...]]
    fps: tuple[float, ...]
    max_frames: int
    frame_step: int = 1
    frame_start: int = 1
    upscale: bool = False  # sizes above the native ones are made by upscaling
    max_upscale: float = 1.0  # per side

    @property
    def aspects(self) -> tuple[str, ...]:
        return tuple(self.sizes)

    @property
    def frame_rule(self) -> str:
        """ "1+4k" style, or "any" when every count is native."""
        if self.frame_step == 1:
            return "any"
        return f"{self.frame_start}+{self.frame_step}k"

    def max_seconds(self, fps: float | None = None) -> float:
        return self.max_frames / (fps or self.fps[0])

    def default_size(self, aspect: str) -> Size:
        """The first native size of `aspect`; UnsupportedError for an aspect it lacks."""
        if aspect not in self.sizes:
            raise UnsupportedError(
                f"aspect {aspect} is not supported; supported aspects: {', '.join(self.aspects)}",
                param="aspect",
                hint=f"sizes: {self.describe_sizes()}",
            )
        return self.sizes[aspect][0]

    def describe_sizes(self) -> str:
        """ "16:9 at 128x72 or 256x144; 9:16 at 72x128" (+ the upscaling rule)."""
        parts = [
            f"{aspect} at {' or '.join(f'{w}x{h}' for w, h in sizes)}"
            for aspect, sizes in self.sizes.items()
        ]
        text = "; ".join(parts)
        if self.upscale and self.max_upscale > 1:
            text += f" (larger sizes of these aspects up to {self.max_upscale:g}x by upscaling)"
        return text

    def describe(self) -> str:
        """One paragraph: modes, sizes, fps and length."""
        fps = ", ".join(f"{f:g}" for f in self.fps)
        return (
            f"modes: {', '.join(self.modes)}; sizes: {self.describe_sizes()}; fps: {fps}; "
            f"up to {self.max_frames} frames ({_secs(self.max_seconds())} at {self.fps[0]:g} fps)"
        )

    # -- the policy -------------------------------------------------------------------------

    def aspect_of(self, width: int, height: int) -> str | None:
        """The supported aspect whose ratio is within 1% of width/height, or None."""
        ratio = width / height
        for aspect, sizes in self.sizes.items():
            w, h = sizes[0]
            if abs(ratio / (w / h) - 1) <= ASPECT_TOLERANCE:
                return aspect
        return None

    def native_size(self, width: int, height: int) -> Size:
        """The native size that makes (width, height), or UnsupportedError saying why not."""
        aspect = self.aspect_of(width, height)
        if aspect is None:
            raise UnsupportedError(
                f"size {width}x{height} (aspect {aspect_name(width, height)}) is not supported; "
                f"supported: {self.describe_sizes()}",
                param="size",
            )
        natives = sorted(self.sizes[aspect], key=lambda s: s[0] * s[1])
        if (width, height) in natives:
            return (width, height)
        fits = [s for s in natives if s[0] <= width and s[1] <= height]
        if not fits:
            raise UnsupportedError(
                f"size {width}x{height} is below the smallest {aspect} size "
                f"{natives[0][0]}x{natives[0][1]}; supported: {self.describe_sizes()}",
                param="size",
            )
        native = fits[-1]
        factor = max(width / native[0], height / native[1])
        if not self.upscale or factor > self.max_upscale:
            limit = f" (at most {self.max_upscale:g}x upscaling)" if self.upscale else ""
            raise UnsupportedError(
                f"size {width}x{height} is larger than this engine makes{limit}; "
                f"supported: {self.describe_sizes()}",
                param="size",
            )
        return native

    def generated_frames(self, frames: int) -> int:
        """The smallest count on the frame rule that holds `frames` frames."""
        k = max(0, math.ceil((frames - self.frame_start) / self.frame_step))
        return self.frame_start + self.frame_step * k

    def check_frames(self, frames: int, fps: float) -> None:
        if frames > self.max_frames:
            raise UnsupportedError(
                f"{frames} frames ({_secs(frames / fps)} at {fps:g} fps) is longer than this "
                f"engine makes: at most {self.max_frames} frames "
                f"({_secs(self.max_seconds(fps))} at {fps:g} fps)",
                param="seconds",
            )

    def check_fps(self, fps: float) -> None:
        if not any(abs(fps - f) < 1e-6 for f in self.fps):
            supported = ", ".join(f"{f:g}" for f in self.fps)
            raise UnsupportedError(
                f"{fps:g} fps is not supported; supported: {supported} fps", param="fps"
            )

    def plan(self, spec: GenerationSpec) -> Plan:
        """Check `spec` against these capabilities (nothing is computed) and plan it."""
        check_spec(spec)
        mode = mode_of(spec)
        if mode not in self.modes:
            raise UnsupportedError(
                f"{mode} is not supported; supported modes: {', '.join(self.modes)}",
                param="mode",
            )
        self.check_fps(spec.fps)
        native = self.native_size(spec.width, spec.height)
        self.check_frames(spec.num_frames, spec.fps)
        frames = self.generated_frames(spec.num_frames)
        return Plan(mode, native, frames, (spec.width, spec.height))


def _secs(seconds: float) -> str:
    return f"{round(seconds, 2):g} s"


def aspect_name(width: int, height: int) -> str:
    """ "16:9" for 1920x1080; the reduced ratio otherwise."""
    r = Fraction(width, height)
    return f"{r.numerator}:{r.denominator}"


# ---------------------------------------------------------------------------
# Reading a spec
# ---------------------------------------------------------------------------


def generation_metadata(
    spec: GenerationSpec,
    plan: Plan,
    *,
    engine: str,
    model: str,
    steps: int,
    guidance: float,
    **extra,
) -> dict:
    """What every engine records on the clip it made: the request, the plan it ran, the
    source it started from (by id, for lineage), plus the engine's own `extra` fields."""
    parents = []
    if spec.source is not None and "id" in spec.source.metadata:
        parents.append(spec.source.metadata["id"])
    meta = {
        "prompt": spec.prompt,
        "negative_prompt": spec.negative_prompt,
        "seed": spec.seed,
        "engine": engine,
        "model": model,
        "mode": plan.mode,
        "steps": steps,
        "guidance": guidance,
        "size": list(plan.size),
        "native_size": list(plan.native),
        "upscaled": plan.upscaled,
        **extra,
        "parents": parents,
    }
    if plan.mode == "remix":
        meta["source_strength"] = spec.source_strength
    return meta


def mode_of(spec: GenerationSpec) -> str:
    """The mode a spec asks for (see MODES); the most specific one wins."""
    if spec.characters:
        return "characters"
    if spec.mask is not None:
        return "inpaint"
    if spec.source is not None:
        return "remix"
    if spec.loop:
        return "loop"
    keys = spec.keyframes
    if not keys:
        return "t2v"
    at_start = any(k.index == 0 for k in keys)
    at_end = any(k.index + len(k.frames) >= spec.num_frames for k in keys)
    if len(keys) == 1 and at_start and len(keys[0].frames) == 1:
        return "i2v"
    if len(keys) == 1 and (at_start or at_end):
        return "extend"
    return "interpolate"


def check_spec(spec: GenerationSpec) -> None:
    """Refuse a malformed spec (InvalidInputError) whatever the engine."""
    for name in ("width", "height", "num_frames"):
        value = getattr(spec, name)
        if not isinstance(value, int) or value < 1:
            raise InvalidInputError(f"{name} must be a positive integer; got {value!r}", param=name)
    if not spec.fps > 0:
        raise InvalidInputError(f"fps must be positive; got {spec.fps}", param="fps")
    if spec.steps is not None and spec.steps < 1:
        raise InvalidInputError(f"steps must be >= 1; got {spec.steps}", param="steps")
    if spec.guidance is not None and not spec.guidance >= 0:
        raise InvalidInputError(f"guidance must be >= 0; got {spec.guidance}", param="guidance")
    for key in spec.keyframes:
        if key.index < 0 or key.index + len(key.frames) > spec.num_frames:
            raise InvalidInputError(
                f"keyframes at {key.index}..{key.index + len(key.frames) - 1} fall outside "
                f"a clip of {spec.num_frames} frames",
                param="keyframes",
            )
    if not 0.0 <= spec.source_strength <= 1.0:
        raise InvalidInputError("source_strength must be in [0, 1]", param="source_strength")
    if spec.mask is not None:
        if spec.source is None:
            raise InvalidInputError(
                "a mask marks frames of a source clip to regenerate; give the source too",
                param="mask",
            )
        if tuple(spec.mask.shape) != (spec.num_frames,):
            raise InvalidInputError(
                f"mask must have one entry per output frame ({spec.num_frames}); "
                f"got shape {tuple(spec.mask.shape)}",
                param="mask",
            )


# ---------------------------------------------------------------------------
# The protocol
# ---------------------------------------------------------------------------


@runtime_checkable
class Engine(Protocol):
    """A video engine. `check` raises UnsupportedError (or InvalidInputError) before any
    work; `generate` calls `on_progress(fraction, message)` as it goes and
    `should_cancel()` between steps (True raises GenerationCancelled)."""

    name: str

    @property
    def capabilities(self) -> Capabilities: ...

    def check(self, spec: GenerationSpec) -> Plan: ...

    def generate(
        self,
        spec: GenerationSpec,
        on_progress: ProgressFn | None = None,
        should_cancel: CancelFn | None = None,
    ) -> Clip: ...
