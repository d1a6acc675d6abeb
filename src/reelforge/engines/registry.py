"""Engines by name: `get_engine("native", weights="path/to/folder")`,
`get_engine("ltx", path="/models/ltx-video", device="cuda")`.

Each entry names the module and class that build the engine, imported only when asked
for, so listing engines never loads torch or weights.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from reelforge.engines.base import Engine
from reelforge.types import NotFoundError


@dataclass(frozen=True)
class EngineEntry:
    name: str
    target: str  # "module:Class", called with the engine's config as keywords
    description: str

    def build(self, **config: Any) -> Engine:
        module, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module), attr)(**config)


ENGINES: dict[str, EngineEntry] = {
    "native": EngineEntry(
        "native",
        "reelforge.engines.native:NativeEngine",
        "reelforge's own VAE + diffusion transformer, from a weights folder "
        "(config: weights=DIR, device='cpu'|'cuda', dtype='auto'|'float32'|'bfloat16')",
    ),
    "ltx": EngineEntry(
        "ltx",
        "reelforge.engines.ltx:LTXEngine",
        "LTX-Video through diffusers (LTXConditionPipeline) from a local diffusers folder "
        "(config: path=DIR, dtype, device, memory, vae_tiling; docs/ENGINES.md)",
    ),
    "wan": EngineEntry(
        "wan",
        "reelforge.engines.wan:WanEngine",
        "Wan 2.1 / 2.2 through diffusers (t2v, i2v, TI2V; VACE editing with vace_path) from "
        "local diffusers folders (config: path=DIR, i2v_path, vace_path, dtype, device, "
        "memory, vae_tiling; docs/ENGINES.md)",
    ),
}
DEFAULT_ENGINE = "native"


def get_engine(name: str = DEFAULT_ENGINE, **config: Any) -> Engine:
    """Build engine `name` with its config; NotFoundError lists the engines there are."""
    if name not in ENGINES:
        raise NotFoundError(
            f"no engine named {name!r}; available: {', '.join(ENGINES)}", param="engine"
        )
    return ENGINES[name].build(**config)


def list_engines() -> list[EngineEntry]:
    return list(ENGINES.values())
