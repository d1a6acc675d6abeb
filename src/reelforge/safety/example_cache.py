"""The example phrases' embeddings, kept so a moderator starts in a second, not twenty.

Embedding the few hundred example phrases of the policy took 5 s on an idle 2-core
machine and 15-24 s under load: every `reelforge generate` paid it before its first
frame. The embeddings depend only on the phrases and the encoder, so they are kept under
a key made of both: the shipped policy's come with the package (`examples.index.npz`,
rebuilt with `python -m reelforge.safety.example_cache` after examples.yaml changes; a
test fails when it is stale), any other policy's are written to the user's cache folder
($REELFORGE_CACHE, else $XDG_CACHE_HOME/reelforge, else ~/.cache/reelforge) the first
time. Encoders without a `fingerprint` (test stand-ins) are never cached.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

logger = logging.getLogger(__name__)

SHIPPED = Path(__file__).with_name("examples.index.npz")


def key_of(fingerprint: str, examples: dict[str, Sequence[str]]) -> str:
    text = json.dumps([fingerprint, {k: list(v) for k, v in sorted(examples.items())}])
    return hashlib.sha256(text.encode()).hexdigest()


def cache_folder() -> Path:
    if os.environ.get("REELFORGE_CACHE"):
        return Path(os.environ["REELFORGE_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "reelforge"


def load(key: str) -> dict[str, torch.Tensor] | None:
    """The rows stored under `key` (shipped first, then the user's cache), else None."""
    for path in (SHIPPED, cache_folder() / f"moderation-{key[:32]}.npz"):
        rows = _read(path, key)
        if rows is not None:
            return rows
    return None


def save(key: str, rows: dict[str, torch.Tensor], path: Path | None = None) -> None:
    """Keep `rows` under `key` (in the user's cache unless `path`); a cache that cannot
    be written is only logged: it saves time, nothing depends on it."""
    path = path or cache_folder() / f"moderation-{key[:32]}.npz"
    arrays = {f"rows/{name}": t.numpy().astype(np.float32) for name, t in rows.items()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.npz")
        np.savez_compressed(partial, key=np.array(key), **arrays)
        partial.replace(path)
    except OSError as e:
        logger.warning("could not cache the moderation examples in %s: %s", path, e)


def _read(path: Path, key: str) -> dict[str, torch.Tensor] | None:
    try:
        with np.load(path) as data:
            if str(data["key"]) != key:
                return None
            return {
                name.removeprefix("rows/"): torch.from_numpy(data[name].copy())
                for name in data.files
                if name.startswith("rows/")
            }
    except (OSError, KeyError, ValueError):
        return None


def main() -> None:
    """Rebuild the shipped file from the shipped policy's examples."""
    from reelforge.safety.moderator import Moderator

    moderator = Moderator.from_config()
    index = moderator.index
    save(index.key, index.rows, SHIPPED)
    print(f"wrote {SHIPPED} ({sum(len(r) for r in index.rows.values())} phrases)")


if __name__ == "__main__":
    main()
