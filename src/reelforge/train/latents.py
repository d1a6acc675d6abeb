"""The latent cache: world clips encoded once by the trained VAE, for DiT training.

On a CPU, encoding every clip at every DiT step would cost more than the DiT step itself,
so `cache_latents` encodes the clips once (a dataset folder's, or scenes rendered on the
spot with `data.render`: train/sources.py): the usable 1 + 4k frames of each clip, as the
latent mean, normalised by the VAE's latent statistics. It embeds every clip's rich caption
and short prompts with the text encoder. Layout:

    index.json                              key, text encoder, buckets, shards, counts
    <bucket>/shard-00000.latents.npy        (N, C, T', H', W') normalised latents
    <bucket>/shard-00000.tokens.npy         (ΣL, D) token embeddings of all texts, end to end
    <bucket>/shard-00000.spans.npy          int64 (N, K, 2): (start, length) of text k of
                                            clip n in tokens; k = 0 the caption, 1.. prompts
    <bucket>/shard-00000.pooled.npy         (N, K, D) pooled embeddings
    <bucket>/shard-00000.objects.npy        float16 (N, T', H', W'): the share of each
                                            latent voxel's pixels that show objects (only
                                            when rendered: `data.render`)
    <bucket>/shard-00000.jsonl              item, seed, caption, prompts per clip

Latents and tokens are float16 by default (`cache.dtype`). index.json is written last, so a
cache whose writing was interrupted has none and is rebuilt. Its "key" (VAE file hash, text
encoder, dataset seed/count/buckets, dtype) must match the config that reads it.

Because the VAE is causal, the first n latent frames of a clip are exactly the latents of
its first 1 + 4(n - 1) frames: temporal crops are latent prefixes, read straight from here.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import numpy as np
import torch

from reelforge.model.pixels import frames_to_video_tensor
from reelforge.model.text import HashTextEncoder, TextBatch
from reelforge.train.config import DiTTrainConfig, TextConfig
from reelforge.train.data import check_sides, usable_frames
from reelforge.train.loop import Progress, resolve_device, torch_threads
from reelforge.train.sources import ClipSource, clip_source
from reelforge.types import InvalidInputError, NotFoundError

logger = logging.getLogger(__name__)

VERSION = 1


def make_text_encoder(cfg: TextConfig, device: torch.device | str = "cpu"):
    """The configured text encoder: MiniLM (offline, on `device`) or the hashed stand-in."""
    if cfg.encoder == "hash":
        return HashTextEncoder(dim=cfg.hash_dim)
    from reelforge.model.text import TextEncoder

    if cfg.minilm and not Path(cfg.minilm).is_dir():
        raise NotFoundError(
            f"text.minilm {cfg.minilm!r} is not a folder",
            param="text.minilm",
            hint="make one with `reelforge train cut-minilm --out FOLDER`, or leave text.minilm "
            "empty for the installed MiniLM",
        )
    return TextEncoder(cfg.minilm or None, device=device)


def text_encoder_name(cfg: TextConfig) -> str:
    if cfg.encoder == "hash":
        return f"hash-{cfg.hash_dim}"
    # a cut copy embeds in float16 weights: close to the full model, not equal
    return f"all-MiniLM-L6-v2 ({Path(cfg.minilm).name})" if cfg.minilm else "all-MiniLM-L6-v2"


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cache_key(config: DiTTrainConfig, clips: dict, buckets: list[str]) -> dict:
    vae = Path(config.model.vae)
    if not vae.is_file():
        raise NotFoundError(
            f"no VAE at {vae}",
            param="model.vae",
            hint="train one with `reelforge train vae`, or pass --vae PATH",
        )
    return {
        "vae_sha256": file_sha256(vae),
        "text_encoder": text_encoder_name(config.text),
        "dataset": clips,
        "buckets": sorted(buckets),
        "dtype": config.cache.dtype,
    }


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def cache_latents(config: DiTTrainConfig, on_progress: Progress | None = None) -> Path:
    """Encode the dataset (or render `data.render` scenes) into `config.cache_path` unless
    a matching cache is there."""
    root = config.cache_path
    source = clip_source(config)
    try:
        key = cache_key(config, source.key, list(source.groups))
        if (root / "index.json").is_file():
            found = json.loads((root / "index.json").read_text())
            if found.get("key") != key:
                raise InvalidInputError(
                    f"the latent cache at {root} was made from another VAE, text encoder, "
                    "dataset or bucket list",
                    param="cache.path",
                    hint=f"delete {root} to rebuild it, or set cache.path to a new folder",
                )
            logger.info("latent cache %s is up to date", root)
            return root
        with torch_threads(config.run.threads):
            _write_cache(config, root, key, source, on_progress)
    finally:
        source.close()
    return root


def _write_cache(config, root: Path, key: dict, source: ClipSource, on_progress) -> None:
    from reelforge.model.vae import load_vae

    device = resolve_device(config.run.device)
    vae = load_vae(config.model.vae, device)
    check_sides(source.shapes, vae.config.spatial_factor, f"the VAE {config.model.vae}")
    encoder = make_text_encoder(config.text, device)
    dtype = np.dtype(config.cache.dtype)
    total, done, buckets = sum(map(len, source.groups.values())), 0, []
    for name, items in source.groups.items():
        writer = _ShardWriter(root, name, dtype, config.cache.shard_size)
        clips = source.clips(items)
        for start in range(0, len(items), config.cache.batch_size):
            chunk = items[start : start + config.cache.batch_size]
            frames, records, masks = zip(*(next(clips) for _ in chunk), strict=True)
            n = usable_frames(len(frames[0]))
            video = torch.from_numpy(np.stack(frames)[:, :n])
            with torch.no_grad():
                video = frames_to_video_tensor(video.to(device))
                z = vae.normalize(vae.encode(video).mode()).float().cpu().numpy()
            texts = [[r["caption"], *r["prompts"]] for r in records]
            embedded = iter(_embed(encoder, [t for clip in texts for t in clip]))
            cover = None if masks[0] is None else object_cover(np.stack(masks)[:, :n], vae.config)
            for k, (i, record, clip) in enumerate(zip(chunk, records, texts, strict=True)):
                objects = None if cover is None else cover[k]
                writer.add(i, record, z[k], [next(embedded) for _ in clip], objects)
            done += len(chunk)
            if on_progress:
                on_progress("cache", done, total, {})
        writer.flush()
        b = source.shapes[name]
        buckets.append(
            {
                "name": name,
                "width": b.width,
                "height": b.height,
                "fps": b.fps,
                "latent_shape": list(writer.latent_shape),
                "shards": writer.shards,
            }
        )
    index = {
        "version": VERSION,
        "key": key,
        "vae": str(config.model.vae),
        "latent_channels": vae.config.latent_channels,
        "text_dim": encoder.dim,
        "texts_per_clip": max(w["texts"] for w in _all_shards(buckets)),
        "buckets": buckets,
    }
    tmp = root / ".index.json.part"
    tmp.write_text(json.dumps(index, indent=2))
    os.replace(tmp, root / "index.json")
    logger.info("cached %d clips in %s", total, root)


def object_cover(masks: np.ndarray, vae_config) -> np.ndarray:
    """bool (B, T, H, W) object masks of 1 + 4k frames → float (B, T', H', W'): the share
    of each latent voxel's pixels that show an object. Latent frame 0 is frame 0 alone
    (the causal VAE's first frame), latent frame k the k-th group of `temporal_factor`."""
    b, t, h, w = masks.shape
    ft, fs = vae_config.temporal_factor, vae_config.spatial_factor
    m = masks.astype(np.float32)
    groups = m[:, 1:].reshape(b, (t - 1) // ft, ft, h, w).mean(2)
    m = np.concatenate([m[:, :1], groups], axis=1)  # (B, T', H, W)
    return m.reshape(b, m.shape[1], h // fs, fs, w // fs, fs).mean(axis=(3, 5))


def _embed(encoder, texts: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """(tokens (L, D), pooled (D,)) of each text, padding removed."""
    batch = encoder(texts)
    lengths = batch.mask.sum(1).tolist()
    return [
        (batch.tokens[k, :n].float().numpy(), batch.pooled[k].float().numpy())
        for k, n in enumerate(lengths)
    ]


def _all_shards(buckets: list[dict]):
    return [s for b in buckets for s in b["shards"]]


class _ShardWriter:
    def __init__(self, root: Path, bucket: str, dtype: np.dtype, shard_size: int):
        self.root, self.bucket, self.dtype, self.shard_size = root, bucket, dtype, shard_size
        self.pending: list[tuple[int, dict, np.ndarray, list, np.ndarray | None]] = []
        self.shards: list[dict] = []
        self.latent_shape: tuple[int, ...] = ()
        (root / bucket).mkdir(parents=True, exist_ok=True)

    def add(self, item: int, record: dict, latent: np.ndarray, texts: list, objects=None) -> None:
        self.latent_shape = latent.shape
        self.pending.append((item, record, latent, texts, objects))
        if len(self.pending) >= self.shard_size:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        stem = f"{self.bucket}/shard-{len(self.shards):05d}"
        k = max(len(p[3]) for p in self.pending)
        dim = self.pending[0][3][0][1].shape[0]
        spans = np.zeros((len(self.pending), k, 2), np.int64)
        pooled = np.zeros((len(self.pending), k, dim), self.dtype)
        tokens, offset = [], 0
        for n, (_, _, _, texts, _) in enumerate(self.pending):
            for j, (tok, pool) in enumerate(texts):
                spans[n, j] = (offset, tok.shape[0])
                pooled[n, j] = pool
                tokens.append(tok)
                offset += tok.shape[0]
        files = {
            "latents": np.stack([p[2] for p in self.pending]).astype(self.dtype),
            "tokens": np.concatenate(tokens).astype(self.dtype),
            "spans": spans,
            "pooled": pooled,
        }
        if self.pending[0][4] is not None:
            files["objects"] = np.stack([p[4] for p in self.pending]).astype(np.float16)
        entry = {"count": len(self.pending), "texts": k}
        for name, array in files.items():
            np.save(self.root / f"{stem}.{name}.npy", array)
            entry[name] = f"{stem}.{name}.npy"
        with open(self.root / f"{stem}.jsonl", "w") as f:
            for item, record, *_ in self.pending:
                keep = {"item": item, "seed": record.get("seed")}
                keep |= {"caption": record["caption"], "prompts": record["prompts"]}
                f.write(json.dumps(keep) + "\n")
        entry["meta"] = f"{stem}.jsonl"
        self.shards.append(entry)
        self.pending = []


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


class LatentCache:
    """`cache.latents(i)` (C, T', H', W') float32, `cache.texts(i)` [(tokens, pooled)], and
    per-bucket item lists, memory-mapped from a cache folder."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        path = self.root / "index.json"
        if not path.is_file():
            raise NotFoundError(
                f"no latent cache at {self.root}",
                param="cache.path",
                hint="run `reelforge train cache-latents`",
            )
        self.index = json.loads(path.read_text())
        self._items: list[tuple[int, int, int]] = []  # (bucket, shard, row)
        self._open: dict[tuple[int, int], dict] = {}
        for bi, bucket in enumerate(self.index["buckets"]):
            for si, shard in enumerate(bucket["shards"]):
                self._items += [(bi, si, r) for r in range(shard["count"])]

    def __len__(self) -> int:
        return len(self._items)

    def by_bucket(self) -> dict[str, list[int]]:
        groups: dict[str, list[int]] = {}
        for i, (bi, _, _) in enumerate(self._items):
            groups.setdefault(self.index["buckets"][bi]["name"], []).append(i)
        return groups

    def bucket(self, i: int) -> dict:
        return self.index["buckets"][self._items[i][0]]

    def _shard(self, bi: int, si: int) -> dict:
        if (bi, si) not in self._open:
            shard = self.index["buckets"][bi]["shards"][si]
            names = [k for k in (*_ARRAYS, "objects") if k in shard]
            files = {k: np.load(self.root / shard[k], mmap_mode="r") for k in names}
            lines = (self.root / shard["meta"]).read_text().splitlines()
            files["meta"] = [json.loads(line) for line in lines]
            self._open[(bi, si)] = files
        return self._open[(bi, si)]

    def latents(self, i: int) -> np.ndarray:
        bi, si, row = self._items[i]
        return np.asarray(self._shard(bi, si)["latents"][row], dtype=np.float32)

    @property
    def has_objects(self) -> bool:
        """Whether every clip has object cover (a cache made with `data.render`)."""
        shards = [s for b in self.index["buckets"] for s in b["shards"]]
        return bool(shards) and all("objects" in s for s in shards)

    def objects(self, i: int) -> np.ndarray:
        """(T', H', W') float32: the share of each latent voxel's pixels showing objects."""
        bi, si, row = self._items[i]
        return np.asarray(self._shard(bi, si)["objects"][row], dtype=np.float32)

    def texts(self, i: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """[(tokens (L, D), pooled (D,))] of the caption (first) and the short prompts."""
        bi, si, row = self._items[i]
        shard = self._shard(bi, si)
        out = []
        for k, (start, n) in enumerate(shard["spans"][row].tolist()):
            if n:
                out.append((shard["tokens"][start : start + n], shard["pooled"][row, k]))
        return out

    def record(self, i: int) -> dict:
        bi, si, row = self._items[i]
        return self._shard(bi, si)["meta"][row]


_ARRAYS = ("latents", "tokens", "spans", "pooled")


def text_batch(entries: list[tuple[np.ndarray, np.ndarray]]) -> TextBatch:
    """Cached (tokens (L_i, D), pooled (D,)) → one padded float32 TextBatch."""
    length = max(t.shape[0] for t, _ in entries)
    tokens = np.zeros((len(entries), length, entries[0][0].shape[1]), np.float32)
    for b, (t, _) in enumerate(entries):
        tokens[b, : t.shape[0]] = t
    lengths = torch.tensor([t.shape[0] for t, _ in entries])
    mask = torch.arange(length)[None, :] < lengths[:, None]  # (B, L)
    pooled = torch.from_numpy(np.stack([p for _, p in entries]).astype(np.float32))
    return TextBatch(torch.from_numpy(tokens), mask, pooled)
