"""Tiny random-weight diffusers checkpoints of LTX-Video and Wan, built locally.

Each builder makes a pipeline from a few-thousand-parameter transformer, VAE and T5
text encoder (with a word-level tokenizer made here: nothing is downloaded) and saves it
with `save_pretrained`, so the folder has the layout of the real weights (model_index.json
plus one subfolder per component) and loads through the real loading code.

Two choices make conditioning testable with random weights:
- the VAEs decode causally (LTX: decoder_causal=True; Wan's is causal by design), so the
  first decoded frames depend only on the first latents, and given frames come back as
  the VAE's own reconstruction of them;
- the LTX encoder's posterior is sharp (log-variance at its floor), as a trained VAE's
  is, so a sampled latent equals the mean.
"""

from __future__ import annotations

from pathlib import Path

import torch

WORDS = ["a", "the", "red", "blue", "ball", "cube", "bounces", "rolls", "left", "right", "at"]
TEXT_DIM = 16  # the T5's hidden size, the transformers' caption/text dim


def tokenizer():
    """A T5-style word-level tokenizer: <pad>=0, </s>=1 appended to every text, <unk>=2."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "</s>": 1, "<unk>": 2} | {w: i + 3 for i, w in enumerate(WORDS)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(
        single="$A </s>", special_tokens=[("</s>", 1)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
        model_max_length=16,
    )


def text_encoder(umt5: bool = False):
    from transformers import T5Config, T5EncoderModel, UMT5Config, UMT5EncoderModel

    dims = dict(
        vocab_size=len(WORDS) + 3,
        d_model=TEXT_DIM,
        d_kv=4,
        d_ff=32,
        num_layers=1,
        num_heads=2,
        relative_attention_num_buckets=8,
    )
    if umt5:
        return UMT5EncoderModel(UMT5Config(**dims))
    return T5EncoderModel(T5Config(**dims))


# ---------------------------------------------------------------------------
# LTX-Video: VAE 8x spatial, 8x temporal (frames 1 + 8k); patch 1, so sizes in 8s
# ---------------------------------------------------------------------------


def ltx(folder: Path, seed: int = 0) -> Path:
    """An LTXConditionPipeline folder: 8 latent channels, one transformer layer."""
    from diffusers import (
        AutoencoderKLLTXVideo,
        FlowMatchEulerDiscreteScheduler,
        LTXConditionPipeline,
        LTXVideoTransformer3DModel,
    )

    torch.manual_seed(seed)
    transformer = LTXVideoTransformer3DModel(
        in_channels=8,
        out_channels=8,
        num_attention_heads=2,
        attention_head_dim=8,
        cross_attention_dim=16,
        num_layers=1,
        caption_channels=TEXT_DIM,
    )
    vae = AutoencoderKLLTXVideo(
        latent_channels=8,
        block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8),
        layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1),
        spatio_temporal_scaling=(True, True, True, False),
        decoder_spatio_temporal_scaling=(True, True, True, False),
        decoder_inject_noise=(False,) * 5,
        upsample_residual=(False,) * 4,
        upsample_factor=(1,) * 4,
        patch_size=1,
        patch_size_t=1,
        encoder_causal=True,
        decoder_causal=True,
    )
    with torch.no_grad():  # a sharp posterior: the log-variance channel at its floor
        vae.encoder.conv_out.conv.weight[-1].zero_()
        vae.encoder.conv_out.conv.bias[-1].fill_(-30.0)
    pipe = LTXConditionPipeline(
        scheduler=FlowMatchEulerDiscreteScheduler(),
        vae=vae,
        text_encoder=text_encoder(),
        tokenizer=tokenizer(),
        transformer=transformer,
    )
    pipe.save_pretrained(folder)
    return folder


# ---------------------------------------------------------------------------
# Wan: VAE 8x spatial, 4x temporal (frames 1 + 4k); patch (1, 2, 2), so sizes in 16s
# ---------------------------------------------------------------------------


def _wan_vae():
    from diffusers import AutoencoderKLWan

    return AutoencoderKLWan(
        base_dim=3, z_dim=4, dim_mult=[1, 1, 1, 1], num_res_blocks=1, latents_mean=[0.0] * 4,
        latents_std=[1.0] * 4, temperal_downsample=[False, True, True],
    )  # fmt: skip


def _wan_dims(in_channels: int) -> dict:
    return dict(
        patch_size=(1, 2, 2),
        num_attention_heads=2,
        attention_head_dim=8,
        in_channels=in_channels,
        out_channels=4,
        text_dim=TEXT_DIM,
        freq_dim=16,
        ffn_dim=16,
        num_layers=2,
        rope_max_seq_len=32,
    )


def _wan_common(seed: int) -> dict:
    from diffusers import UniPCMultistepScheduler

    torch.manual_seed(seed)
    return dict(
        vae=_wan_vae(),
        scheduler=UniPCMultistepScheduler(
            prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0
        ),
        text_encoder=text_encoder(umt5=True),
        tokenizer=tokenizer(),
    )


def wan_t2v(folder: Path, seed: int = 0, expand_timesteps: bool = False) -> Path:
    """A WanPipeline folder (Wan 2.1 text-to-video); with expand_timesteps, the Wan 2.2
    TI2V layout, whose one transformer also makes image-to-video."""
    from diffusers import WanPipeline, WanTransformer3DModel

    parts = _wan_common(seed)
    transformer = WanTransformer3DModel(**_wan_dims(in_channels=4))
    WanPipeline(
        transformer=transformer, expand_timesteps=expand_timesteps, **parts
    ).save_pretrained(folder)
    return folder


def wan_i2v(folder: Path, seed: int = 0) -> Path:
    """A WanImageToVideoPipeline folder (Wan 2.1 I2V): noise + mask + image latents in,
    and a CLIP image encoder whose features the transformer attends to."""
    from diffusers import WanImageToVideoPipeline, WanTransformer3DModel
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel

    parts = _wan_common(seed)
    transformer = WanTransformer3DModel(**_wan_dims(in_channels=4 + 4 + 4), image_dim=8)
    encoder = CLIPVisionModel(
        CLIPVisionConfig(
            hidden_size=8,
            intermediate_size=16,
            num_hidden_layers=2,
            num_attention_heads=2,
            image_size=16,
            patch_size=8,
        )
    )
    processor = CLIPImageProcessor(crop_size=16, size={"shortest_edge": 16})
    WanImageToVideoPipeline(
        transformer=transformer, image_encoder=encoder, image_processor=processor, **parts
    ).save_pretrained(folder)
    return folder


def wan_vace(folder: Path, seed: int = 0) -> Path:
    """A WanVACEPipeline folder: given frames and a mask steer the transformer through
    its VACE blocks (video latents + mask as 4 + 4 + 64 control channels)."""
    from diffusers import WanVACEPipeline, WanVACETransformer3DModel

    parts = _wan_common(seed)
    transformer = WanVACETransformer3DModel(
        **_wan_dims(in_channels=4), vace_layers=[0], vace_in_channels=4 + 4 + 64
    )
    WanVACEPipeline(transformer=transformer, **parts).save_pretrained(folder)
    return folder
