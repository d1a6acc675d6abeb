"""Training checkpoints: everything a run needs to continue bit-exactly.

`<out>/checkpoints/step-00000500.pt` holds the model, its EMA, the optimizer, the LR
scheduler, the step, the batch sampler's position, the RNG states of Python, NumPy and torch
(CPU and CUDA) and the config. Files are written to a temporary name and renamed, so a
crash never leaves half a checkpoint under a real name; only the newest `keep` stay.
Everything is saved as tensors and plain data, so loading uses `weights_only=True`.
"""

from __future__ import annotations

import logging
import os
import random
import re
from pathlib import Path

import numpy as np
import torch

from reelforge.types import InvalidInputError

logger = logging.getLogger(__name__)

VERSION = 1
_NAME = re.compile(r"step-(\d{8})\.pt")


def checkpoint_dir(out: str | Path) -> Path:
    return Path(out) / "checkpoints"


def list_checkpoints(out: str | Path) -> list[Path]:
    """Checkpoints under `out`, oldest first."""
    folder = checkpoint_dir(out)
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if _NAME.fullmatch(p.name)]
    return sorted(found, key=lambda p: int(_NAME.fullmatch(p.name)[1]))


def save_checkpoint(out: str | Path, state: dict, keep: int = 2) -> Path:
    """Write `state` (with "step") as the newest checkpoint; delete all but `keep` newest."""
    folder = checkpoint_dir(out)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"step-{state['step']:08d}.pt"
    tmp = folder / f".{path.name}.part"
    torch.save({"version": VERSION, **state, "rng": rng_state()}, tmp)
    os.replace(tmp, path)
    for old in list_checkpoints(out)[:-keep]:
        old.unlink(missing_ok=True)
    logger.info("checkpoint %s", path)
    return path


def load_checkpoint(path: str | Path) -> dict:
    """A checkpoint's state; the RNG states are restored (set_rng_state) by the caller."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # a truncated or foreign file: say which one
        raise InvalidInputError(
            f"cannot read checkpoint {path}: {e}",
            param="resume",
            hint="delete it to resume from the one before",
        ) from e
    if state.get("version") != VERSION:
        raise InvalidInputError(f"{path} is not a reelforge training checkpoint", param="resume")
    return state


# ---------------------------------------------------------------------------
# RNG states
# ---------------------------------------------------------------------------


def rng_state() -> dict:
    kind, keys, pos, has_gauss, gauss = np.random.get_state()
    state = {
        "python": random.getstate(),
        "numpy": {
            "kind": kind,
            "keys": torch.from_numpy(keys.astype(np.int64)),
            "pos": pos,
            "has_gauss": has_gauss,
            "gauss": gauss,
        },
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    n = state["numpy"]
    keys = n["keys"].numpy().astype(np.uint32)
    np.random.set_state((n["kind"], keys, n["pos"], n["has_gauss"], n["gauss"]))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
