"""Reading a request's fields: prompt, size, seconds, strength, uploads. Each bad value
is an InvalidInputError naming the field, before anything is stored or queued."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reelforge.types import InvalidInputError

SIZE = re.compile(r"^\s*(\d{1,5})\s*[xX]\s*(\d{1,5})\s*$")
STRENGTHS = {"subtle": 0.35, "mild": 0.55, "strong": 0.8}  # the seeds' remix strengths


@dataclass(frozen=True)
class Upload:
    """A file as the client sent it (multipart part or decoded data URL)."""

    filename: str
    content_type: str | None
    data: bytes


@dataclass(frozen=True)
class VideoRef:
    """A source video: one of the caller's videos by id, or an uploaded file."""

    video_id: str | None = None
    upload: Upload | None = None


def prompt_of(value: object, max_chars: int, param: str = "prompt") -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{param} must be a non-empty string", param=param)
    text = value.strip()
    if len(text) > max_chars:
        raise InvalidInputError(
            f"{param} is {len(text)} characters; at most {max_chars} are allowed", param=param
        )
    return text


def size_of(value: object) -> tuple[int, int]:
    match = SIZE.match(value) if isinstance(value, str) else None
    if match is None:
        raise InvalidInputError(
            f"size must be WIDTHxHEIGHT such as 1280x720; got {value!r}", param="size"
        )
    width, height = int(match[1]), int(match[2])
    if width < 1 or height < 1:
        raise InvalidInputError(f"size {value} has no pixels", param="size")
    return width, height


def seconds_of(value: object, param: str = "seconds") -> int:
    """A whole number of seconds >= 1, given as a string ("8") or a number."""
    text = str(value).strip() if isinstance(value, str | int) else None
    if text is None or not text.isdigit() or int(text) < 1:
        raise InvalidInputError(
            f'{param} must be a whole number of seconds such as "4", "8" or "12"; got {value!r}',
            param=param,
        )
    return int(text)


def strength_of(value: object, default: float) -> float:
    """0..1, or subtle / mild / strong."""
    if value is None:
        return default
    if isinstance(value, str) and value.strip().lower() in STRENGTHS:
        return STRENGTHS[value.strip().lower()]
    try:
        strength = float(value)
    except (TypeError, ValueError):
        strength = -1.0
    if not 0.0 <= strength <= 1.0:
        raise InvalidInputError(
            f"strength must be a number in [0, 1] or one of {', '.join(STRENGTHS)}; got {value!r}",
            param="strength",
        )
    return strength


def choice_of(value: object, choices: tuple[str, ...], param: str) -> str:
    """One of `choices` (the first when the field is absent)."""
    if value is None:
        return choices[0]
    if not isinstance(value, str) or value.strip().lower() not in choices:
        raise InvalidInputError(
            f"{param} must be one of {', '.join(choices)}; got {value!r}", param=param
        )
    return value.strip().lower()
