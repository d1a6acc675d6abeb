"""World clips for training: the dataset folder, bucket choice, held-out clips, frames.

Frame policy: the VAE takes 1 + 4k frames and a world clip has round(seconds * fps) (48 for
4 s at 12 fps), so a clip is trimmed to its first 1 + 4·floor((T - 1) / 4) frames (45).
Trimming drops at most 3 frames at the end; padding by repeating the last frame would
instead teach both models that clips end in a freeze.
"""

from __future__ import annotations

from pathlib import Path

from reelforge.types import InvalidInputError, NotFoundError
from reelforge.world.dataset import Bucket, WorldDataset


def open_dataset(path: str | Path) -> WorldDataset:
    """The world dataset at `path`, or an error that says how to make one."""
    path = Path(path)
    if not (path / "index.json").is_file():
        raise NotFoundError(
            f"no dataset at {path} (no index.json)",
            param="data.path",
            hint=f"make one with `reelforge world dataset --out {path}` or fix data.path / --data",
        )
    return WorldDataset(path)


def bucket_shapes(ds: WorldDataset, groups: dict[str, list[int]]) -> dict[str, Bucket]:
    return {name: ds.bucket_of(items[0]) for name, items in groups.items() if items}


def check_sides(buckets: dict[str, Bucket], factor: int, what: str) -> None:
    """Refuse buckets whose width or height is not a multiple of `factor`, naming them."""
    bad = [n for n, b in buckets.items() if b.width % factor or b.height % factor]
    if bad:
        raise InvalidInputError(
            f"{what} needs sides that are multiples of {factor}; buckets {bad} are not",
            param="data.buckets",
            hint=f"list the buckets to train on in data.buckets (have: {', '.join(buckets)})",
        )


# ---------------------------------------------------------------------------
# Frames
# ---------------------------------------------------------------------------


def usable_frames(frames: int, temporal_factor: int = 4) -> int:
    """The 1 + 4k frames of a T-frame clip that training uses (the first ones)."""
    if frames < 1:
        raise InvalidInputError(f"a clip needs at least one frame; got {frames}", param="frames")
    return 1 + (frames - 1) // temporal_factor * temporal_factor


# ---------------------------------------------------------------------------
# Buckets
# ---------------------------------------------------------------------------


def select_buckets(groups: dict[str, list[int]], wanted: list[str]) -> dict[str, list[int]]:
    """The buckets named in `wanted` (names like 128x72_4s_12fps or specs like 128x72x4@12);
    all of them when `wanted` is empty."""
    if not wanted:
        return dict(groups)
    names = [w if w in groups else _spec_name(w) for w in wanted]
    missing = [w for w, n in zip(wanted, names, strict=True) if n not in groups]
    if missing:
        raise InvalidInputError(
            f"data.buckets {missing} are not in the dataset",
            param="data.buckets",
            hint=f"the dataset has {', '.join(sorted(groups))}",
        )
    return {n: groups[n] for n in dict.fromkeys(names)}


def _spec_name(text: str) -> str | None:
    try:
        return Bucket.parse(text).name
    except InvalidInputError:
        return None


def split_holdout(
    groups: dict[str, list[int]], count: int
) -> tuple[dict[str, list[int]], tuple[str, list[int]] | None]:
    """Keep the last `count` items of the largest bucket out of training (for evaluation).

    Returns (training groups, (bucket, held-out items) or None); the bucket keeps at least one
    training item.
    """
    if count == 0 or not groups:
        return dict(groups), None
    name = max(sorted(groups), key=lambda n: len(groups[n]))
    items = groups[name]
    if len(items) <= count:
        raise InvalidInputError(
            f"data.holdout {count} leaves no training clip in bucket {name} ({len(items)} clips)",
            param="data.holdout",
            hint="hold out fewer clips or use a larger dataset",
        )
    train = dict(groups)
    train[name] = items[:-count]
    return train, (name, items[-count:])
