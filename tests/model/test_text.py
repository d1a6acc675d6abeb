"""Text encoders: the real all-MiniLM-L6-v2 (loaded once, offline) and the hash stand-in."""

import os

import pytest
import torch

from reelforge.model.text import HashTextEncoder, TextBatch, TextEncoder


@pytest.fixture(scope="module")
def minilm():
    return TextEncoder()


def test_minilm_tokens_mask_and_pooled(minilm):
    batch = minilm(["a red ball bounces on the grass at sunset", "rain"])
    b, length, dim = batch.tokens.shape
    assert (
        (b, dim) == (2, 384) and batch.mask.shape == (2, length) and batch.pooled.shape == (2, 384)
    )
    assert batch.mask[0].all() and 2 < batch.mask[1].sum() < length  # [CLS] rain [SEP], padded
    assert not batch.tokens[1][~batch.mask[1]].any()
    assert torch.allclose(batch.pooled.norm(dim=-1), torch.ones(2), atol=1e-5)
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_minilm_is_deterministic_and_batch_independent(minilm):
    prompt = "a small blue cube slides left across a wooden floor"
    first = minilm([prompt, "fog"])
    assert torch.equal(minilm([prompt]).tokens[0], first.tokens[0, : first.mask[0].sum()])  # cached
    fresh = minilm._encode([prompt])[0]  # no cache, another batch
    assert torch.allclose(fresh[0], first.tokens[0, : first.mask[0].sum()], atol=1e-5)
    assert not minilm.model.training and not any(p.requires_grad for p in minilm.model.parameters())


def test_minilm_similar_prompts_are_closer(minilm):
    pooled = minilm(
        [
            "a red ball bouncing on green grass",
            "a crimson ball bounces across a lawn",
            "a stock market report with falling prices",
        ]
    ).pooled
    sim = pooled @ pooled.T
    assert sim[0, 1] > sim[0, 2] + 0.2


def test_prompt_cache_is_bounded():
    encoder = HashTextEncoder()
    encoder.cache.size = 3
    encoder([f"prompt {i}" for i in range(5)])
    assert list(encoder.cache.items) == ["prompt 2", "prompt 3", "prompt 4"]


def test_hash_encoder_is_stable_and_shares_words():
    a, b = HashTextEncoder(dim=8), HashTextEncoder(dim=8)
    x = a(["Red ball, blue sky", ""])
    assert torch.equal(x.tokens, b(["Red ball, blue sky", ""]).tokens)
    assert x.mask.sum(1).tolist() == [5, 1]  # start token + 4 words; the empty prompt keeps one
    y = a(["red cube"])
    assert torch.equal(x.tokens[0, 1], y.tokens[0, 1])  # "red"
    assert not torch.equal(x.tokens[0, 2], y.tokens[0, 2])  # "ball" vs "cube"


def test_text_batch_pad_cat_and_where():
    enc = HashTextEncoder(dim=8)
    short, long = enc(["a"]), enc(["a much longer prompt here"])
    both = TextBatch.cat([short, long])
    assert both.tokens.shape == (2, 6, 8) and both.mask.sum(1).tolist() == [2, 6]
    swapped = both.where(torch.tensor([True, False]), TextBatch.cat([long, short]))
    assert torch.equal(swapped.tokens[0], both.tokens[1]) and torch.equal(
        swapped.tokens[1], both.tokens[1]
    )
    assert torch.equal(swapped.pooled, torch.cat([long.pooled, long.pooled]))
