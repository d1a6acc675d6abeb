"""`train cut-minilm`: a MiniLM copy with only the world's word pieces reads world texts
as the full model does, and refuses other text."""

from __future__ import annotations

import pytest
import torch

from reelforge.model.text import TextEncoder
from reelforge.train.latents import cache_latents, make_text_encoder, text_encoder_name
from reelforge.train.minilm_cut import cut_minilm, world_texts
from reelforge.types import InvalidInputError, NotFoundError


@pytest.fixture(scope="module")
def cut(tmp_path_factory):
    out = tmp_path_factory.mktemp("cut") / "minilm"
    summary = cut_minilm(out, world_texts(20))
    return out, summary


def test_held_out_world_texts_get_the_same_pieces_and_embeddings(cut):
    folder, summary = cut
    assert 200 < summary["pieces"] < 1000
    assert summary["bytes"] < 25e6  # float16 layers, a few hundred embedding rows
    full, small = TextEncoder(cache_size=1), TextEncoder(folder, cache_size=1)
    texts = world_texts(40, seed=1_000_000)[-120:]  # scenes the cut never saw
    for text in texts:
        assert small.tokenizer.tokenize(text) == full.tokenizer.tokenize(text)
    a, b = full(texts), small(texts)
    assert torch.equal(a.mask, b.mask)
    cos = torch.nn.functional.cosine_similarity(a.tokens[a.mask], b.tokens[b.mask], dim=-1)
    assert cos.min() > 0.9999  # float16 weights: close, not bit-equal
    assert torch.allclose(a.pooled, b.pooled, atol=2e-3)


def test_text_outside_the_kept_pieces_is_refused(cut):
    small = TextEncoder(cut[0])
    with pytest.raises(InvalidInputError, match="lacks word pieces of 'a giraffe juggles'"):
        small(["a red ball bounces", "a giraffe juggles"])


def test_a_folder_that_is_not_empty_is_refused(tmp_path):
    (tmp_path / "x").write_text("keep me")
    with pytest.raises(InvalidInputError, match="not empty"):
        cut_minilm(tmp_path, ["a red ball"])
    assert (tmp_path / "x").read_text() == "keep me"


def test_a_dit_config_names_the_copy_it_reads_and_refuses_a_missing_one(dit_config, cut, tmp_path):
    config = dit_config(tmp_path, **{"text.encoder": "minilm", "text.minilm": str(cut[0])})
    assert text_encoder_name(config.text) == "all-MiniLM-L6-v2 (minilm)"
    assert isinstance(make_text_encoder(config.text), TextEncoder)
    missing = dit_config(
        tmp_path, **{"text.encoder": "minilm", "text.minilm": str(tmp_path / "no")}
    )
    with pytest.raises(NotFoundError, match="cut-minilm") as e:
        cache_latents(missing)  # before any clip is read
    assert e.value.param == "text.minilm"
    assert not missing.cache_path.exists()
