"""Small media made on the spot for the API tests: PNG images, MP4 bytes."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
from PIL import Image

from reelforge.media import encode_mp4_bytes, read_clip
from reelforge.types import Clip


def png(width: int, height: int, colour=(200, 40, 40)) -> bytes:
    image = Image.new("RGB", (width, height), colour)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def data_url(data: bytes, kind: str = "image/png") -> str:
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


def mp4(width: int = 128, height: int = 72, frames: int = 12, fps: float = 12.0) -> bytes:
    ramp = np.linspace(0, 255, width, dtype=np.float32)[None, None, :, None]
    pixels = np.broadcast_to(ramp, (frames, height, width, 3)).astype(np.uint8).copy()
    return encode_mp4_bytes(Clip(pixels, fps))


def clip_of(data: bytes) -> Clip:
    return read_clip(bytes(data))


FACE = Path(__file__).parent.parent / "data" / "astronaut.jpg"


def face_png(width: int = 128, height: int = 72) -> bytes:
    """A real face (the astronaut's head and shoulders, tests/data), 16:9 by default."""
    image = Image.open(FACE).convert("RGB").crop((47, 20, 175, 92)).resize((width, height))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
