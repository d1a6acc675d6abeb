"""Parsing of option values shared by several commands."""

from __future__ import annotations

import re

from reelforge.types import InvalidInputError


def parse_size(text: str) -> tuple[int, int]:
    """`WIDTHxHEIGHT` (e.g. 256x144) -> (width, height)."""
    m = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text or "")
    if not m or int(m[1]) < 1 or int(m[2]) < 1:
        raise InvalidInputError(
            f"bad size {text!r}", param="size", hint="use WIDTHxHEIGHT, e.g. 256x144"
        )
    return int(m[1]), int(m[2])
