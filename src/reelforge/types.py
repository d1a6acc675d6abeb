"""Core types shared by every room: plain data, no torch.

`Clip` is what every engine makes and every feature consumes; the errors say what the
user must change. Nothing here imports another reelforge package.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


class ReelforgeError(Exception):
    """Base of every error reelforge raises on purpose.

    `param` names the input the caller must change (API errors report it), `hint`
    says how, when there is something useful to say.
    """

    code = "reelforge_error"

    def __init__(self, message: str, *, param: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.param = param
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InvalidInputError(ReelforgeError, ValueError):
    """A request or argument is malformed or out of range."""

    code = "invalid_input"


class UnsupportedError(ReelforgeError):
    """A well-formed request that this engine, plan or format cannot serve."""

    code = "unsupported"


class MediaError(ReelforgeError):
    """A media file could not be read or written (corrupt, empty, unknown format)."""

    code = "media_error"


class NotFoundError(ReelforgeError, LookupError):
    """A named thing (file, video, character) does not exist."""

    code = "not_found"


# ---------------------------------------------------------------------------
# Clip
# ---------------------------------------------------------------------------


@dataclass
class Clip:
    """A video clip in memory.

    frames: uint8 (T, H, W, 3) RGB. audio: float32 (channels, samples) in [-1, 1], or
    None for a silent clip. metadata: prompt, seed, engine, parents and anything else
    that should travel with the clip (JSON-serialisable values).
    """

    frames: np.ndarray
    fps: float
    audio: np.ndarray | None = None
    sample_rate: int = 48_000
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        f = self.frames
        if not isinstance(f, np.ndarray) or f.ndim != 4 or f.shape[-1] != 3:
            shape = getattr(f, "shape", None)
            raise InvalidInputError(
                f"Clip frames must be (T, H, W, 3); got {shape}", param="frames"
            )
        if f.dtype != np.uint8:
            raise InvalidInputError(f"Clip frames must be uint8; got {f.dtype}", param="frames")
        if f.shape[0] < 1 or f.shape[1] < 1 or f.shape[2] < 1:
            raise InvalidInputError(f"Clip has no pixels: shape {f.shape}", param="frames")
        if not (self.fps > 0):
            raise InvalidInputError(f"Clip fps must be positive; got {self.fps}", param="fps")
        if self.audio is not None:
            a = np.asarray(self.audio, dtype=np.float32)
            if a.ndim == 1:
                a = a[None, :]
            if a.ndim != 2 or a.shape[0] not in (1, 2):
                raise InvalidInputError(
                    f"Clip audio must be (channels, samples) with 1 or 2 channels; got {a.shape}",
                    param="audio",
                )
            if self.sample_rate <= 0:
                raise InvalidInputError("Clip sample_rate must be positive", param="sample_rate")
            self.audio = a

    @property
    def num_frames(self) -> int:
        return int(self.frames.shape[0])

    @property
    def height(self) -> int:
        return int(self.frames.shape[1])

    @property
    def width(self) -> int:
        return int(self.frames.shape[2])

    @property
    def duration(self) -> float:
        """Seconds of video: frames / fps."""
        return self.num_frames / self.fps

    @property
    def has_audio(self) -> bool:
        return self.audio is not None and self.audio.shape[1] > 0

    def with_(self, **changes: Any) -> Clip:
        """A copy with some fields replaced (frames are not copied)."""
        return replace(self, **changes)


# ---------------------------------------------------------------------------
# What to generate
# ---------------------------------------------------------------------------


@dataclass
class Keyframe:
    """Frames given at a position of the output: `frames` uint8 (N, H, W, 3) placed at
    output frame `index` onwards. strength 1.0 keeps them exactly; lower values let the
    engine depart from them (a hint rather than a constraint)."""

    index: int
    frames: np.ndarray
    strength: float = 1.0

    def __post_init__(self) -> None:
        f = np.asarray(self.frames)
        if f.ndim == 3:
            f = f[None]
        if f.ndim != 4 or f.shape[-1] != 3 or f.dtype != np.uint8:
            raise InvalidInputError(
                f"keyframe frames must be uint8 (N, H, W, 3); got {f.dtype} {f.shape}",
                param="keyframes",
            )
        if not 0.0 <= self.strength <= 1.0:
            raise InvalidInputError("keyframe strength must be in [0, 1]", param="keyframes")
        self.frames = f


@dataclass
class GenerationSpec:
    """Everything an engine needs to make one clip.

    The output has `num_frames` frames at `fps` (seconds = num_frames / fps). `keyframes`
    fix frames at positions (image-to-video: index 0; extension: the source's tail at 0;
    interpolation: first and last). `source` + `source_strength` is a remix (0 keeps the
    source, 1 ignores it); `mask` marks output frames to regenerate (True) when filling.
    `loop` asks for a clip whose end leads back into its start.

    `prompt` is what the user wrote; `expanded_prompt`, when set, is the rewrite the model
    reads (prompt expansion happens above the engines, e.g. `reelforge.prompting`), and
    `expand_prompt` tells that layer whether to make one.
    """

    prompt: str
    width: int = 256
    height: int = 144
    num_frames: int = 49
    fps: float = 12.0
    seed: int = 0
    steps: int | None = None
    guidance: float | None = None
    negative_prompt: str = ""
    keyframes: list[Keyframe] = field(default_factory=list)
    source: Clip | None = None
    source_strength: float = 0.6
    mask: np.ndarray | None = None
    characters: list[str] = field(default_factory=list)
    expand_prompt: bool = True
    expanded_prompt: str | None = None
    loop: bool = False

    @property
    def seconds(self) -> float:
        return self.num_frames / self.fps
