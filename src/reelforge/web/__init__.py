"""The browser studio: static HTML, CSS and ES modules (no build step) that talk to the
same JSON API as every other client. `reelforge serve` serves them at `/` (api/app.py).
"""

from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"

__all__ = ["STATIC_DIR"]
