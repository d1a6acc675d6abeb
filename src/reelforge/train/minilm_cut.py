"""A copy of all-MiniLM-L6-v2 cut down to the word pieces world texts use, for training
on a machine that cannot hold or install the full model.

Why: a lent GPU machine takes at most 64 MiB of files from here, and the installed
MiniLM is 88 MB, 47 MB of it the embedding table of 30,522 word pieces. The captions and
short prompts of world scenes use about 210 of them (the count stops growing after a few
hundred scenes: the world's vocabulary is closed). Keeping only those rows, and the
transformer layers in float16, gives a 22 MB folder.

Why it reads the same: WordPiece takes, for each word, the longest piece in its vocabulary
that starts the rest of the word. A vocabulary that keeps every piece the full one chose
for a word offers no longer match (none exists in the full vocabulary) and still offers
the one chosen, so it splits the word the same way. Texts of the kept words therefore
get the same pieces, in new numbering, and the same embeddings up to float16 rounding of
the weights. A word outside them may split differently or become [UNK]; the encoder over
a cut folder (`model/text.py`, marked by `CUT_MARKER`) refuses a text with [UNK] rather
than embed it wrongly.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import torch

from reelforge.model.text import CUT_MARKER, minilm_path
from reelforge.types import InvalidInputError

COPIED = ("tokenizer_config.json", "special_tokens_map.json")


def world_texts(scenes: int, seed: int = 0) -> list[str]:
    """Every text a world dataset of `scenes` scenes from `seed` trains on: each scene's
    rich caption and short prompts, and every phrase of the world's vocabulary (so words
    that a given set of scenes happens not to use are kept too)."""
    from reelforge.world import vocabulary as V
    from reelforge.world.captions import rich_caption, short_prompts
    from reelforge.world.sampler import sample_scene

    texts = [p for table in V.SYNONYMS.values() for ps in table.values() for p in ps]
    texts += sorted(V.FILLER_WORDS) + [str(d) for d in range(10)] + list(".,;:'!?-")
    for s in range(seed, seed + scenes):
        scene = sample_scene(s)
        texts += [rich_caption(scene), *short_prompts(scene, count=4, seed=s)]
    return texts


def cut_minilm(out: str | Path, texts: list[str], source: str | Path | None = None) -> dict:
    """Write MiniLM (from `source`, default the installed package) keeping only the word
    pieces of `texts` and the special tokens; float16 weights. Returns a summary."""
    from transformers import AutoModel, AutoTokenizer, BertTokenizerFast
    from transformers.utils import logging as hf_logging

    out, source = Path(out), Path(source or minilm_path())
    if out.exists() and any(out.iterdir()):
        raise InvalidInputError(f"{out} is not empty", param="out", hint="choose a new folder")
    os.environ["HF_HUB_OFFLINE"] = "1"
    hf_logging.disable_progress_bar()  # the CLI owns the terminal
    tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
    model = AutoModel.from_pretrained(source, local_files_only=True).float().eval()
    ids = {i for ids in tokenizer(texts, add_special_tokens=False)["input_ids"] for i in ids}
    unk = tokenizer.unk_token_id
    if unk in ids:
        bad = [t for t in texts if unk in tokenizer(t, add_special_tokens=False)["input_ids"]]
        raise InvalidInputError(f"MiniLM reads {bad[:3]} with [UNK]", param="texts")
    ids |= set(tokenizer.all_special_ids)
    keep = sorted(ids)  # the full vocabulary's order: [PAD] stays 0, the specials first
    vocab = tokenizer.convert_ids_to_tokens(keep)

    tmp = out.with_name(out.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    (tmp / "vocab.txt").write_text("".join(f"{piece}\n" for piece in vocab))
    for name in COPIED:
        shutil.copy(source / name, tmp / name)
    cut = BertTokenizerFast.from_pretrained(tmp, local_files_only=True)
    cut.save_pretrained(tmp)  # adds tokenizer.json, built from the new vocab.txt

    table = model.embeddings.word_embeddings.weight.data[keep].clone()
    model.embeddings.word_embeddings = torch.nn.Embedding.from_pretrained(table, freeze=True)
    model.config.vocab_size = len(keep)
    model.half().save_pretrained(tmp, safe_serialization=True)
    summary = {"source": str(source), "pieces": len(keep), "texts": len(texts)}
    (tmp / CUT_MARKER).write_text(json.dumps(summary, indent=2) + "\n")
    if out.exists():
        out.rmdir()
    os.replace(tmp, out)
    return summary | {"bytes": sum(f.stat().st_size for f in out.iterdir())}
