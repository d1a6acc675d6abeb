"""Media: encode clips to MP4, decode files back to clips, and make previews.

Foundation layer: imports only `reelforge.types`, numpy, PyAV, Pillow and the stdlib.
"""

from reelforge.media.decode import read_clip
from reelforge.media.encode import encode_mp4_bytes, write_mp4
from reelforge.media.previews import SpriteLayout, sprite_layout, spritesheet_jpeg, thumbnail_webp
from reelforge.media.probe import probe

__all__ = [
    "SpriteLayout",
    "encode_mp4_bytes",
    "probe",
    "read_clip",
    "sprite_layout",
    "spritesheet_jpeg",
    "thumbnail_webp",
    "write_mp4",
]
