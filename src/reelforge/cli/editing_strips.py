"""Frame strips of edits (docs/EDITING.md): rows of frames, each frame marked as kept
from an input clip (grey bar) or made by the engine (orange bar), with its index.

    image = strip("extend forward", [Row("result", clip.frames, picks, made)])
    save_small(image, out / "extend.png")   a palette PNG of a few tens of KB
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

KEPT = (160, 160, 160)  # bar under a frame taken from an input clip
MADE = (240, 120, 20)  # bar under a frame the engine made
LABEL_WIDTH = 150  # px: the row labels' column
TITLE = 18  # px: the title band
UNDER = 14  # px under each frame: its bar and index
BAR = 4
GAP = 2
COLOURS = 32  # palette size of the saved PNG: enough for the model's 128x72 frames


@dataclass
class Row:
    """One row: `frames[picks]`, labelled; `made` (bool per frame of `frames`) marks the
    frames the engine made (None: all kept)."""

    label: str
    frames: np.ndarray  # (T, H, W, 3) uint8
    picks: Sequence[int]
    made: np.ndarray | None = None


def evenly(count: int, total: int) -> list[int]:
    """`count` frame indices spread evenly over `total` frames, first and last included."""
    return np.linspace(0, total - 1, min(count, total)).round().astype(int).tolist()


def around(join: int, total: int, before: int = 3, after: int = 3) -> list[int]:
    """The frames just before `join` and from it on, inside the clip."""
    return list(range(max(0, join - before), min(total, join + after)))


def strip(title: str, rows: Sequence[Row]) -> Image.Image:
    """The rows one under another, under `title`."""
    font = ImageFont.load_default(size=11)
    heights = [row.frames.shape[1] + UNDER for row in rows]
    widths = [len(row.picks) * (row.frames.shape[2] + GAP) for row in rows]
    image = Image.new("RGB", (LABEL_WIDTH + max(widths), TITLE + sum(heights)), "white")
    draw = ImageDraw.Draw(image)
    draw.text((4, 3), title, fill="black", font=font)
    y = TITLE
    for row, height in zip(rows, heights, strict=True):
        _label(draw, row.label, y, font)
        x = LABEL_WIDTH
        w, h = row.frames.shape[2], row.frames.shape[1]
        for i in row.picks:
            image.paste(Image.fromarray(row.frames[i]), (x, y))
            made = row.made is not None and bool(row.made[i])
            draw.rectangle((x, y + h + 1, x + w - 1, y + h + BAR), fill=MADE if made else KEPT)
            draw.text((x + 2, y + h + BAR), str(i), fill="black", font=font)
            x += w + GAP
        y += height
    return image


def _label(draw: ImageDraw.ImageDraw, label: str, y: int, font) -> None:
    words, lines = label.split(), [""]
    for word in words:  # wrap to the label column
        line = f"{lines[-1]} {word}".strip()
        if draw.textlength(line, font=font) > LABEL_WIDTH - 8 and lines[-1]:
            lines.append(word)
        else:
            lines[-1] = line
    for k, line in enumerate(lines[:5]):
        draw.text((4, y + 2 + 13 * k), line, fill="black", font=font)


def save_small(image: Image.Image, path: Path) -> int:
    """Write `image` as a palette PNG (COLOURS colours); returns its size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # no dithering: its noise costs more bytes than the few colours it saves
    palette = image.convert(
        "P", palette=Image.Palette.ADAPTIVE, colors=COLOURS, dither=Image.Dither.NONE
    )
    palette.save(path, optimize=True)
    return path.stat().st_size
