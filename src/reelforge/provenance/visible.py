"""The visible watermark: semi-transparent text that drifts across the frame.

It moves (a slow bounce between the frame's edges) so that no fixed crop or patch
removes it from the whole clip, and it is drawn with a dark outline so it reads on both
light and dark scenes. Its height is a fixed share of the frame, so it looks the same at
every resolution.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from reelforge.types import Clip, InvalidInputError

HEIGHT_SHARE = 0.06  # text height / frame height
OPACITY = 0.45
SPEED = 0.1  # share of the free room the mark crosses per second (x; y a little faster)


def visible_watermark(clip: Clip, text: str = "reelforge", *, opacity: float = OPACITY) -> Clip:
    """A copy of `clip` with `text` drawn over every frame, moving over time."""
    if not text.strip():
        raise InvalidInputError("watermark text must not be empty", param="text")
    if not 0.0 < opacity <= 1.0:
        raise InvalidInputError("watermark opacity must be in (0, 1]", param="opacity")
    rgb, alpha = _stamp(text.strip(), clip.height, clip.width)
    alpha = alpha * opacity
    h, w = alpha.shape
    frames = clip.frames.copy()
    for i, frame in enumerate(frames):
        y, x = _position(i / clip.fps, clip.height - h, clip.width - w)
        region = frame[y : y + h, x : x + w].astype(np.float32)
        blended = region * (1 - alpha[..., None]) + rgb * alpha[..., None]
        frame[y : y + h, x : x + w] = np.clip(blended + 0.5, 0, 255).astype(np.uint8)
    return clip.with_(frames=frames, metadata={**clip.metadata, "visible_watermark": text})


def _stamp(text: str, height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The text rendered white with a dark outline: colours (h, w, 3) and alpha (h, w)."""
    size = max(8, round(height * HEIGHT_SHARE))
    font = ImageFont.load_default(size=size)
    stroke = max(1, size // 10)
    left, top, right, bottom = font.getbbox(text, stroke_width=stroke)
    image = Image.new("RGBA", (right - left, bottom - top), (0, 0, 0, 0))
    ImageDraw.Draw(image).text(
        (-left, -top),
        text,
        font=font,
        fill=(255, 255, 255, 255),
        stroke_width=stroke,
        stroke_fill=(0, 0, 0, 255),
    )
    if image.width > width or image.height > height:  # a tiny frame: shrink the stamp to fit
        scale = min(width / image.width, height / image.height)
        image = image.resize((max(1, int(image.width * scale)), max(1, int(image.height * scale))))
    pixels = np.asarray(image, dtype=np.float32)
    return pixels[..., :3], pixels[..., 3] / 255.0


def _position(t: float, room_y: int, room_x: int) -> tuple[int, int]:
    """Top-left corner at time t: a triangle wave on each axis, at different rates so
    the path covers the frame instead of one diagonal."""
    return _bounce(t * SPEED * 1.3, room_y), _bounce(t * SPEED + 0.25, room_x)


def _bounce(phase: float, room: int) -> int:
    if room <= 0:
        return 0
    p = phase % 2.0
    return round(room * (p if p <= 1.0 else 2.0 - p))
