"""Training shards of world clips with their captions, bucketed by size and duration.

Layout of a dataset folder:

    index.json                         what is where (buckets, shards, counts, seed)
    256x144_4s_12fps/shard-00000.frames.npy   uint8 (N, T, H, W, 3), memory-mappable
    256x144_4s_12fps/shard-00000.audio.npy    float16 (N, 2, S), only with audio
    256x144_4s_12fps/shard-00000.jsonl        one record per clip: seed, scene,
                                              caption (rich) and short prompts

Every clip in a bucket has the same shape, so a training batch drawn from one bucket
needs no padding. Sample i of a dataset made with seed s is the scene of seed s + i,
framed by bucket i mod (number of buckets): a dataset is reproducible from its index.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from reelforge.types import InvalidInputError, NotFoundError
from reelforge.world.clip import check_render_settings, render_clip
from reelforge.world.sampler import EVAL_SEED_START, sample_scene
from reelforge.world.scene import Scene

INDEX_VERSION = 1
AUDIO_RATE = 16_000  # Hz: training audio is kept small


@dataclass(frozen=True)
class Bucket:
    width: int
    height: int
    seconds: float
    fps: float

    @property
    def name(self) -> str:
        return f"{self.width}x{self.height}_{self.seconds:g}s_{self.fps:g}fps"

    @property
    def frames(self) -> int:
        return max(1, round(self.seconds * self.fps))

    @classmethod
    def parse(cls, text: str) -> Bucket:
        """`WxHxS@FPS`, e.g. `256x144x4@12` (fps defaults to 12)."""
        m = re.fullmatch(r"\s*(\d+)x(\d+)x([\d.]+)(?:@([\d.]+))?\s*", text)
        if not m:
            raise InvalidInputError(
                f"bad bucket {text!r}",
                param="bucket",
                hint="use WxHxSECONDS[@FPS], e.g. 256x144x4@12",
            )
        w, h, s, fps = int(m[1]), int(m[2]), float(m[3]), float(m[4] or 12)
        check_render_settings(w, h, fps, s)
        return cls(w, h, s, fps)


# The native model's sizes (16:9 256x144, 9:16 144x256, 1:1 192x192: vae-s8 latents that
# 1x2x2 patches tile) at 4 s, a cheap 96x96 bucket and a 2 s one for faster CPU steps.
DEFAULT_BUCKETS = tuple(
    Bucket.parse(b)
    for b in ("256x144x4@12", "144x256x4@12", "192x192x4@12", "96x96x4@12", "256x144x2@12")
)


def render_sample(args: tuple[int, Bucket, bool]) -> tuple[np.ndarray, np.ndarray | None, dict]:
    """(seed, bucket, audio) -> (frames, audio or None, record): one dataset sample."""
    seed, bucket, audio = args
    scene = sample_scene(seed)
    clip = render_clip(
        scene, bucket.width, bucket.height, bucket.fps, bucket.seconds,
        audio=audio, sample_rate=AUDIO_RATE,
    )  # fmt: skip
    wave = clip.audio.astype(np.float16) if clip.audio is not None else None
    return clip.frames, wave, sample_record(scene, clip.metadata["prompt"])


def sample_record(scene: Scene, caption: str) -> dict:
    """A dataset sample's record: its seed, scene, rich caption and short prompts."""
    from reelforge.world.captions import short_prompts

    prompts = short_prompts(scene, count=4, seed=scene.seed)
    return {"seed": scene.seed, "scene": scene.to_dict(), "caption": caption, "prompts": prompts}


def render_with_objects(seed: int, bucket: Bucket) -> tuple[np.ndarray, dict, np.ndarray]:
    """A sample without audio, with where its objects show: (frames, record, bool
    (T, H, W) masks). The frames are `render_sample`'s, pixel for pixel."""
    from reelforge.world.captions import rich_caption
    from reelforge.world.physics import simulate
    from reelforge.world.render import render_frames
    from reelforge.world.render.renderer import object_masks

    scene = sample_scene(seed)
    w, h, fps = bucket.width, bucket.height, bucket.fps
    sim = simulate(scene, bucket.seconds, aspect=w / h)
    frames = render_frames(sim, w, h, fps)
    return frames, sample_record(scene, rich_caption(scene)), object_masks(sim, frames, fps)


class _ShardWriter:
    """Collects one bucket's samples and writes them out `shard_size` at a time."""

    def __init__(self, root: Path, bucket: Bucket, shard_size: int):
        self.root, self.bucket, self.shard_size = root, bucket, shard_size
        self.pending: list[tuple[np.ndarray, np.ndarray | None, dict]] = []
        self.shards: list[dict] = []
        (root / bucket.name).mkdir(parents=True, exist_ok=True)

    def add(self, sample: tuple[np.ndarray, np.ndarray | None, dict]) -> None:
        self.pending.append(sample)
        if len(self.pending) >= self.shard_size:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        stem = f"{self.bucket.name}/shard-{len(self.shards):05d}"
        np.save(self.root / f"{stem}.frames.npy", np.stack([s[0] for s in self.pending]))
        entry = {
            "frames": f"{stem}.frames.npy",
            "meta": f"{stem}.jsonl",
            "count": len(self.pending),
        }
        if self.pending[0][1] is not None:
            np.save(self.root / f"{stem}.audio.npy", np.stack([s[1] for s in self.pending]))
            entry["audio"] = f"{stem}.audio.npy"
        with open(self.root / f"{stem}.jsonl", "w") as f:
            f.writelines(json.dumps(s[2]) + "\n" for s in self.pending)
        self.shards.append(entry)
        self.pending = []


def write_dataset(
    out: str | Path,
    count: int,
    *,
    seed: int = 0,
    buckets: tuple[Bucket, ...] = DEFAULT_BUCKETS,
    shard_size: int = 256,
    audio: bool = False,
    workers: int = 1,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Render `count` scenes (seeds seed..seed+count-1) into shards under `out`.

    Returns the index (also written to out/index.json). `workers` > 1 renders in that
    many processes; the result is identical either way.
    """
    if count < 1:
        raise InvalidInputError("count must be at least 1", param="count")
    if seed < 0 or seed + count > EVAL_SEED_START:
        raise InvalidInputError(
            f"seeds {seed}..{seed + count - 1} reach the held-out range",
            param="seed",
            hint=f"training seeds must stay below {EVAL_SEED_START}",
        )
    if not buckets:
        raise InvalidInputError("at least one bucket is needed", param="bucket")
    root = Path(out)
    if (root / "index.json").exists():
        raise InvalidInputError(
            f"{root} already holds a dataset", param="out", hint="choose an empty folder"
        )
    root.mkdir(parents=True, exist_ok=True)
    writers = {b: _ShardWriter(root, b, shard_size) for b in buckets}
    jobs = [(seed + i, buckets[i % len(buckets)], audio) for i in range(count)]
    done = 0
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            results = pool.map(render_sample, jobs, chunksize=8)
            for (_, bucket, _), sample in zip(jobs, results, strict=True):
                writers[bucket].add(sample)
                done += 1
                if on_progress:
                    on_progress(done, count)
    else:
        for job in jobs:
            writers[job[1]].add(render_sample(job))
            done += 1
            if on_progress:
                on_progress(done, count)
    for w in writers.values():
        w.flush()
    index = {
        "version": INDEX_VERSION,
        "seed": seed,
        "count": count,
        "audio_rate": AUDIO_RATE if audio else None,
        "buckets": [{**asdict(b), "name": b.name, "shards": writers[b].shards} for b in buckets],
    }
    (root / "index.json").write_text(json.dumps(index, indent=2))
    return index


class WorldDataset:
    """Read access to a dataset folder: `len(ds)`, `ds[i] -> (frames, record)`, and
    per-bucket index lists for batching clips of one shape together."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        path = self.root / "index.json"
        if not path.exists():
            raise NotFoundError(f"no dataset index at {path}", param="data")
        self.index = json.loads(path.read_text())
        self._items: list[tuple[int, int, int]] = []  # (bucket, shard, row)
        self._frames: dict[tuple[int, int], np.ndarray] = {}
        self._records: dict[tuple[int, int], list[dict]] = {}
        for bi, bucket in enumerate(self.index["buckets"]):
            for si, shard in enumerate(bucket["shards"]):
                self._items += [(bi, si, r) for r in range(shard["count"])]

    def __len__(self) -> int:
        return len(self._items)

    def bucket_of(self, i: int) -> Bucket:
        b = self.index["buckets"][self._items[i][0]]
        return Bucket(b["width"], b["height"], b["seconds"], b["fps"])

    def by_bucket(self) -> dict[str, list[int]]:
        """Item indices grouped by bucket name."""
        groups: dict[str, list[int]] = {}
        for i, (bi, _, _) in enumerate(self._items):
            groups.setdefault(self.index["buckets"][bi]["name"], []).append(i)
        return groups

    def _shard(self, bi: int, si: int) -> tuple[np.ndarray, list[dict]]:
        key = (bi, si)
        if key not in self._frames:
            shard = self.index["buckets"][bi]["shards"][si]
            self._frames[key] = np.load(self.root / shard["frames"], mmap_mode="r")
            lines = (self.root / shard["meta"]).read_text().splitlines()
            self._records[key] = [json.loads(line) for line in lines]
        return self._frames[key], self._records[key]

    def __getitem__(self, i: int) -> tuple[np.ndarray, dict]:
        bi, si, row = self._items[i]
        frames, records = self._shard(bi, si)
        return np.asarray(frames[row]), records[row]

    def audio(self, i: int) -> np.ndarray | None:
        """float32 (2, S) at index["audio_rate"] Hz, or None for a dataset without audio."""
        bi, si, row = self._items[i]
        shard = self.index["buckets"][bi]["shards"][si]
        if "audio" not in shard:
            return None
        return np.load(self.root / shard["audio"], mmap_mode="r")[row].astype(np.float32)

    def __iter__(self) -> Iterator[tuple[np.ndarray, dict]]:
        for i in range(len(self)):
            yield self[i]
