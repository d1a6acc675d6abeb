"""Provenance: marks that say a clip was made by reelforge.

visible_watermark(clip, text)   a moving, semi-transparent mark on every frame
"""

from reelforge.provenance.visible import visible_watermark

__all__ = ["visible_watermark"]
