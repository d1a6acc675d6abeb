"""Engines: the `Engine` protocol, its `Capabilities`, and engines by name.

    from reelforge.engines import get_engine
    engine = get_engine("native", weights="path/to/weights")
    engine.check(spec)                 # UnsupportedError before any work
    clip = engine.generate(spec, on_progress=lambda f, msg: ...)

This package file loads no torch: the native engine is imported when it is asked for.
"""

from reelforge.engines.base import (
    MODES,
    Capabilities,
    Engine,
    GenerationCancelled,
    Plan,
    mode_of,
)
from reelforge.engines.registry import ENGINES, get_engine, list_engines

__all__ = [
    "ENGINES",
    "MODES",
    "Capabilities",
    "Engine",
    "GenerationCancelled",
    "Plan",
    "get_engine",
    "list_engines",
    "mode_of",
]
