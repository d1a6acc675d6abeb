"""The example phrases' embeddings are kept: shipped for the shipped policy (and up to
date with examples.yaml), cached for any other, never for encoders without a fingerprint."""

from __future__ import annotations

import torch

from reelforge.safety import example_cache
from reelforge.safety.similarity import ExampleIndex


def test_the_shipped_embeddings_match_the_shipped_examples(moderator):
    index = moderator.index
    stored = example_cache._read(example_cache.SHIPPED, index.key)
    assert stored is not None, (
        "src/reelforge/safety/examples.index.npz is stale: "
        "run `python -m reelforge.safety.example_cache`"
    )
    fresh = ExampleIndex.__new__(ExampleIndex)
    fresh.encoder, fresh.batch = moderator.encoder, 64
    for category in ("sexual", "benign"):
        phrases = moderator.policy.examples_by_category()[category][:5]
        assert torch.allclose(stored[category][:5], fresh._embed(phrases), atol=1e-4)


def test_another_policys_examples_are_cached_after_the_first_use(moderator):
    examples = {"sexual": ["an explicit scene"], "benign": ["a dog runs on a beach"]}
    key = example_cache.key_of(moderator.encoder.fingerprint, examples)
    assert example_cache.load(key) is None
    first = ExampleIndex(moderator.encoder, examples)
    cached = example_cache.load(key)
    assert cached is not None
    assert torch.equal(cached["sexual"], first.rows["sexual"])
    assert ExampleIndex(moderator.encoder, examples).rows.keys() == first.rows.keys()


def test_a_cache_that_cannot_be_written_is_not_an_error(moderator, monkeypatch, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("REELFORGE_CACHE", str(blocked))
    examples = {"hate": ["a slur shouted at a crowd"], "benign": ["a cat sleeps"]}
    index = ExampleIndex(moderator.encoder, examples)  # computes, fails to cache, works
    assert set(index.rows) == {"hate", "benign"}
