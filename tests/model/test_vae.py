"""The causal video VAE: shapes, causality, chunks and tiles, save/load, training."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import save_file

from reelforge.model.causal_conv import CausalConv3d
from reelforge.model.vae import (
    VAE_MODELS,
    VAEConfig,
    VideoVAE,
    fit_latent_stats,
    load_vae,
    pad_frames,
    save_vae,
    with_decoder_lookahead,
    with_decoder_refine,
)
from reelforge.model.vae_loss import VAELossConfig, noisy_latent, temporal_l1, vae_loss
from reelforge.types import InvalidInputError, NotFoundError


def make(name: str = "vae-test", seed: int = 0) -> VideoVAE:
    torch.manual_seed(seed)
    return VAE_MODELS[name]().eval()


def world_clip(frames: int, height: int, width: int, batch: int = 1, seed: int = 0):
    """World-like frames in [-1, 1]: a sky gradient over flat ground, a moving flat disc,
    a sliding box and thin rain streaks. (B, 3, T, H, W)."""
    g = torch.Generator().manual_seed(seed)

    def rand(*shape):
        return torch.rand(*shape, generator=g)

    t = torch.arange(frames).view(1, frames, 1, 1) / 12.0  # seconds at 12 fps
    y = torch.linspace(0, 1, height).view(1, 1, height, 1)
    x = torch.linspace(0, 1, width).view(1, 1, 1, width)
    clips = []
    for _ in range(batch):
        top, bottom, ground, disc, box = rand(5, 3, 1, 1, 1).unbind(0)
        img = top + (bottom - top) * y  # (3, 1, H, 1) sky gradient
        img = torch.where(y > 0.7, ground, img).expand(3, frames, height, width)
        cx, cy, vx, vy, r = rand(5).unbind()
        cx, cy = 0.2 + 0.6 * cx + (vx - 0.5) * t, 0.2 + 0.4 * cy + (vy - 0.5) * t
        inside = (x - cx).square() + (y - cy).square() < (0.08 + 0.1 * r) ** 2
        img = torch.where(inside, disc, img)
        bx = 0.1 + 0.5 * rand(1) + 0.2 * t
        img = torch.where((x - bx).abs() < 0.12, torch.where(y > 0.5, box, img), img)
        heads = rand(1, frames, height, width) < 0.006
        streaks = heads | heads.roll(1, 2) | heads.roll(2, 2)  # 3-pixel vertical streaks
        img = torch.where(streaks, torch.tensor(0.85), img)
        clips.append(img)
    return torch.stack(clips) * 2 - 1


# ---------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------

SHAPES = [
    ("vae-test", 1, 32, 32),
    ("vae-test", 5, 32, 64),
    ("vae-test", 9, 64, 32),
    ("vae-test", 17, 32, 32),
    ("vae-test-s16", 1, 64, 48),
    ("vae-test-s16", 5, 48, 64),
    ("vae-test-s16", 9, 32, 32),
]


@pytest.mark.parametrize(("name", "frames", "height", "width"), SHAPES)
def test_round_trip_shapes(name, frames, height, width):
    vae = make(name)
    cfg = vae.config
    video = world_clip(frames, height, width, batch=2)
    with torch.no_grad():
        dist = vae.encode(video)
        recon = vae.decode(dist.sample())
    s = cfg.spatial_factor
    latent = (2, cfg.latent_channels, 1 + (frames - 1) // 4, height // s, width // s)
    assert dist.mean.shape == dist.logvar.shape == latent
    assert recon.shape == video.shape


def test_every_preset_builds_with_consistent_factors():
    for name, factory in VAE_MODELS.items():
        cfg = factory().config
        assert cfg.temporal_factor == 4, name
        assert cfg.spatial_factor in (8, 16), name


def test_config_refuses_inconsistent_factors():
    with pytest.raises(InvalidInputError, match="spatial_factor"):
        VAEConfig(channel_mult=(1, 2), spatial_factor=8, encoder_blocks=(1, 1))


def test_wrong_frame_count_is_refused_with_the_nearest_valid_counts():
    with pytest.raises(InvalidInputError, match=r"1 \+ 4k frames \(e\.g\. 5 or 9\)"):
        make().encode(torch.zeros(1, 3, 8, 32, 32))


@pytest.mark.parametrize(("height", "width", "near"), [(36, 32, "32, 40"), (32, 20, "16, 24")])
def test_wrong_spatial_size_is_refused_with_the_supported_multiples(height, width, near):
    with pytest.raises(InvalidInputError, match=f"multiple of 8 \\(e.g. {near}\\)"):
        make().encode(torch.zeros(1, 3, 5, height, width))


def test_wrong_layouts_are_refused():
    vae = make()
    with pytest.raises(InvalidInputError, match=r"\(B, 3, T, H, W\)"):
        vae.encode(torch.zeros(3, 5, 32, 32))  # no batch
    with pytest.raises(InvalidInputError, match=r"\(B, 4, T', H', W'\)"):
        vae.decode(torch.zeros(1, 16, 2, 4, 4))  # wrong latent channels


def test_pad_frames_reaches_the_next_valid_count_with_the_last_frame():
    video = world_clip(6, 32, 32)
    padded = pad_frames(video)
    assert padded.shape[2] == 9
    assert torch.equal(padded[:, :, 6:], video[:, :, 5:6].expand(-1, -1, 3, -1, -1))
    assert make().encode(padded).mean.shape[2] == 3


# ---------------------------------------------------------------------------
# Causality and stills
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("frame", [1, 4, 5, 12, 16])
def test_changing_a_frame_leaves_earlier_latent_frames_alone(frame):
    vae = make()
    video = world_clip(17, 32, 32)
    edited = video.clone()
    edited[:, :, frame] = -edited[:, :, frame]
    with torch.no_grad():
        z, z_edit = vae.encode(video).mean, vae.encode(edited).mean
    owner = (frame + 3) // 4  # latent frame j covers video frames 4j-3 .. 4j
    torch.testing.assert_close(z_edit[:, :, :owner], z[:, :, :owner], rtol=0, atol=0)
    assert (z_edit[:, :, owner] - z[:, :, owner]).abs().max() > 1e-3


def test_first_latent_frame_depends_on_the_first_frame_only():
    vae = make()
    video = world_clip(9, 32, 32)
    other = torch.cat([video[:, :, :1], world_clip(8, 32, 32, seed=1)], dim=2)
    with torch.no_grad():
        z, z_other = vae.encode(video).mean, vae.encode(other).mean
    torch.testing.assert_close(z_other[:, :, 0], z[:, :, 0], rtol=0, atol=0)


def test_decoding_is_causal_in_latent_frames():
    vae = make()
    z = torch.randn(1, 4, 4, 4, 4)
    edited = z.clone()
    edited[:, :, 2] += 1.0
    with torch.no_grad():
        video, video_edit = vae.decode(z), vae.decode(edited)
    # latent frame 2 decodes to frames 5..8; frames 0..4 must not move
    torch.testing.assert_close(video_edit[:, :, :5], video[:, :, :5], rtol=0, atol=0)
    assert (video_edit[:, :, 5] - video[:, :, 5]).abs().max() > 1e-4


@pytest.mark.parametrize("name", ["vae-test", "vae-test-s16"])
def test_a_still_image_is_the_first_latent_frame_of_a_video_starting_with_it(name):
    vae = make(name)
    video = world_clip(9, 32, 32)
    with torch.no_grad():
        z_video, z_still = vae.encode(video).mean, vae.encode(video[:, :, :1]).mean
        frames, still = vae.decode(z_video), vae.decode(z_still)
    assert z_still.shape[2] == 1 and still.shape[2] == 1
    torch.testing.assert_close(z_still, z_video[:, :, :1], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(still, frames[:, :, :1], rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------------------
# Chunks and tiles
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("chunk", [1, 2, 3])
def test_chunked_encode_and_decode_equal_whole(chunk):
    vae = make()
    video = world_clip(17, 32, 32)
    with torch.no_grad():
        z = vae.encode(video).mean
        torch.testing.assert_close(vae.encode(video, chunk=chunk).mean, z, rtol=1e-4, atol=1e-5)
        whole = vae.decode(z)
        torch.testing.assert_close(vae.decode(z, chunk=chunk), whole, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["vae-test", "vae-test-s16"])
def test_tiled_decode_equals_untiled(name):
    vae = make(name)
    s = vae.config.spatial_factor
    z = torch.randn(1, vae.config.latent_channels, 2, 9, 11)
    with torch.no_grad():
        whole = vae.decode(z)
        tiled = vae.decode(z, tile=5, chunk=1)  # halo: the receptive radius
        rough = vae.decode(z, tile=5, halo=1)
    assert tiled.shape == rough.shape == whole.shape == (1, 3, 5, 9 * s, 11 * s)
    torch.testing.assert_close(tiled, whole, rtol=1e-4, atol=1e-5)
    assert (rough - whole).abs().max() > 1e-3  # a short halo is an approximation


@pytest.mark.parametrize("name", ["vae-test", "vae-test-s16"])
def test_tiled_encode_equals_untiled(name):
    vae = make(name)
    s = vae.config.spatial_factor
    video = world_clip(5, 9 * s, 11 * s)
    with torch.no_grad():
        whole = vae.encode(video)
        tiled = vae.encode(video, tile=5, chunk=1)
    torch.testing.assert_close(tiled.mean, whole.mean, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(tiled.logvar, whole.logvar, rtol=1e-4, atol=1e-5)


def test_bad_tiles_and_chunks_are_refused():
    vae = make()
    z = torch.zeros(1, 4, 2, 4, 4)
    with pytest.raises(InvalidInputError, match="tile"):
        vae.decode(z, tile=0)
    with pytest.raises(InvalidInputError, match="chunk"):
        vae.decode(z, chunk=0)


# ---------------------------------------------------------------------------
# Normalisation, save and load
# ---------------------------------------------------------------------------


def test_fit_latent_stats_makes_latents_unit_scale():
    vae = make()
    videos = [world_clip(5, 32, 32, batch=2, seed=s) for s in range(2)]
    fit_latent_stats(vae, videos)
    with torch.no_grad():
        z = torch.cat([vae.normalize(vae.encode(v).mean) for v in videos])
        torch.testing.assert_close(vae.denormalize(vae.normalize(z)), z)
    zc = z.transpose(0, 1).flatten(1)  # (C, N)
    torch.testing.assert_close(zc.mean(1), torch.zeros(4), rtol=0, atol=1e-4)
    torch.testing.assert_close(zc.std(1, correction=0), torch.ones(4), rtol=0, atol=1e-3)


def test_save_load_round_trip_is_identical(tmp_path):
    vae = make()
    fit_latent_stats(vae, [world_clip(5, 32, 32)])
    path = tmp_path / "vae.safetensors"
    save_vae(vae, path)
    loaded = load_vae(path)
    assert loaded.config == vae.config
    video = world_clip(5, 32, 32, seed=3)
    with torch.no_grad():
        z, z_loaded = vae.encode(video).mean, loaded.encode(video).mean
        assert torch.equal(z_loaded, z)
        assert torch.equal(loaded.normalize(z), vae.normalize(z))
        assert torch.equal(loaded.decode(z), vae.decode(z))


def test_save_in_half_precision_halves_the_file(tmp_path):
    vae = make()
    save_vae(vae, tmp_path / "f32.safetensors")
    save_vae(vae, tmp_path / "bf16.safetensors", dtype=torch.bfloat16)
    small, big = ((tmp_path / f).stat().st_size for f in ("bf16.safetensors", "f32.safetensors"))
    assert small < 0.6 * big
    assert load_vae(tmp_path / "bf16.safetensors").latent_scale.dtype == torch.float32


def test_loading_a_file_without_a_vae_config_is_refused(tmp_path):
    plain = tmp_path / "plain.safetensors"
    save_file({"w": torch.zeros(2)}, plain)
    with pytest.raises(InvalidInputError, match="not a reelforge VAE checkpoint"):
        load_vae(plain)
    odd = tmp_path / "odd.safetensors"
    config = json.dumps({"latent_channels": 4, "depth": 3})
    save_file({"w": torch.zeros(2)}, odd, metadata={"format": "reelforge.vae", "config": config})
    with pytest.raises(InvalidInputError, match="unknown VAE config keys \\['depth'\\]"):
        load_vae(odd)
    with pytest.raises(NotFoundError):
        load_vae(tmp_path / "missing.safetensors")


def test_loading_weights_that_do_not_fit_the_config_is_refused(tmp_path):
    path = tmp_path / "vae.safetensors"
    save_vae(make(), path)
    from safetensors.torch import load_file

    tensors = load_file(path)
    meta = {"format": "reelforge.vae", "config": json.dumps({"latent_channels": 8})}
    save_file(tensors, path, metadata=meta)
    with pytest.raises(InvalidInputError, match="cannot load VAE"):
        load_vae(path)


# ---------------------------------------------------------------------------
# Training and precision
# ---------------------------------------------------------------------------


def test_a_few_optimizer_steps_lower_the_loss():
    torch.manual_seed(0)
    vae = VAE_MODELS["vae-test"]().train()
    video = world_clip(5, 32, 32, batch=2)
    opt = torch.optim.AdamW(vae.parameters(), lr=3e-3)

    def loss_now():
        return vae_loss(vae, video, generator=torch.Generator().manual_seed(0))

    before, parts = loss_now()
    assert set(parts) == {"l1", "mse", "edge", "temporal", "kl", "psnr"}
    for _ in range(12):
        loss, _ = loss_now()
        opt.zero_grad()
        loss.backward()
        opt.step()
    after, parts_after = loss_now()
    assert after < 0.7 * before
    assert parts_after["psnr"] > parts["psnr"]


def test_latent_noise_is_in_normalised_units_and_half_in_patch_blocks():
    vae = VAE_MODELS["vae-test"]()
    vae.latent_scale.fill_(2.0)
    c = vae.config.latent_channels
    z = torch.zeros(64, c, 2, 8, 8)
    cfg = VAELossConfig(latent_noise=0.6, latent_noise_patch=2)
    noise = noisy_latent(vae, z, cfg, torch.Generator().manual_seed(0)) / 2.0  # normalised
    # sigma ~ U(0, 0.6): E[sigma^2] = 0.12
    assert noise.square().mean().item() == pytest.approx(0.12, rel=0.15)
    per_clip = noise.flatten(1).std(dim=1)
    assert per_clip.max() < 0.6 * 1.1 and per_clip.min() < 0.1  # each clip its own sigma
    n = noise / per_clip.view(-1, 1, 1, 1, 1)

    def corr(a, b):
        return torch.corrcoef(torch.stack([a.flatten(), b.flatten()]))[0, 1].item()

    inside = corr(n[..., 0::2], n[..., 1::2])  # columns 0|1, 2|3: the same 2x2 block
    across = corr(n[..., 1:-1:2], n[..., 2::2])  # columns 1|2, 3|4: neighbouring blocks
    assert inside == pytest.approx(0.5, abs=0.05) and abs(across) < 0.05
    again = noisy_latent(vae, z, cfg, torch.Generator().manual_seed(0)) / 2.0
    assert torch.equal(noise, again)


def test_the_loss_with_latent_noise_decodes_a_noisy_latent_and_asks_for_the_clean_clip():
    torch.manual_seed(0)
    vae = VAE_MODELS["vae-test"]()
    video = world_clip(5, 32, 32, batch=2)
    plain, _ = vae_loss(vae, video, generator=torch.Generator().manual_seed(0))
    cfg = VAELossConfig(latent_noise=0.5)
    noisy, _ = vae_loss(vae, video, cfg, torch.Generator().manual_seed(0))
    again, _ = vae_loss(vae, video, cfg, torch.Generator().manual_seed(0))
    assert noisy.item() != plain.item() and noisy.item() == again.item()
    noisy.backward()
    assert all(p.grad is not None for p in vae.decoder.parameters())


def test_bf16_autocast_runs_and_stays_close_to_float32():
    vae = make()
    video = world_clip(5, 32, 32)
    with torch.no_grad():
        ref = vae.decode(vae.encode(video).mean)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = vae.decode(vae.encode(video).mean)
    assert out.dtype == torch.bfloat16
    assert (out.float() - ref).abs().mean() < 0.02 * ref.abs().mean() + 1e-3


@pytest.mark.parametrize("cin", [3, 12, 16])
@pytest.mark.parametrize("future", [0, 1])
def test_bf16_autocast_convolves_a_single_frame_like_float32(cin, future):
    # oneDNN's bfloat16 kernel (PyTorch 2.13, CPU) returned garbage, NaN at times, for a
    # 1-frame input with time padding and 3 or 12 input channels: a still through the
    # encoder's first convolution, which broke `train vae` under run.dtype bfloat16.
    torch.manual_seed(0)
    conv = CausalConv3d(cin, 16, future=future)
    x = torch.rand(2, cin, 1, 16, 16) * 2 - 1
    with torch.no_grad():
        ref = conv(x)
        for _ in range(5):  # the bad kernel read uninitialised memory: not every call failed
            with torch.autocast("cpu", dtype=torch.bfloat16):
                out = conv(x).float()
            assert (out - ref).abs().max() < 0.05
            assert (conv.to(torch.bfloat16)(x.bfloat16()).float() - ref).abs().max() < 0.05
            conv.float()


def test_bf16_autocast_encodes_a_still_like_float32():
    vae = make()
    still = world_clip(1, 32, 32)
    with torch.no_grad():
        ref = vae.encode(still).mean
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = vae.encode(still).mean.float()
    assert (out - ref).abs().mean() < 0.02 * ref.abs().mean() + 1e-3


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_bf16_matches_cpu():
    vae = make()
    video = world_clip(5, 32, 32)
    with torch.no_grad():
        ref = vae.decode(vae.encode(video).mean)
        gpu = vae.cuda()
        with torch.autocast("cuda", dtype=torch.bfloat16):
            out = gpu.decode(gpu.encode(video.cuda()).mean).float().cpu()
    assert (out - ref).abs().mean() < 0.02 * ref.abs().mean() + 1e-3


def test_latent_shape_matches_encode():
    vae = make("vae-test-s16")
    video = world_clip(9, 48, 64)
    assert vae.config.latent_shape(9, 48, 64) == vae.encode(video).mean.shape[1:]


def test_the_temporal_term_punishes_a_stutter_and_ignores_a_steady_offset():
    """A reconstruction that holds each group of four frames (the judder a causal 4x
    decoder falls into) costs in the temporal term; one uniformly brighter does not."""
    video = world_clip(9, 32, 32)  # (1, 3, 9, 32, 32), a moving scene
    brighter = (video + 0.1).clamp(-1, 1)
    held = video.clone()
    for start in (1, 5):
        held[:, :, start : start + 4] = video[:, :, start : start + 1]
    steady = temporal_l1(brighter, video)
    stutter = temporal_l1(held, video)
    assert steady < 0.01 < stutter
    assert temporal_l1(video[:, :, :1], video[:, :, :1]) == 0


# ---------------------------------------------------------------------------
# A decoder that looks one frame ahead
# ---------------------------------------------------------------------------


def _with_future_taps(vae):
    """`vae` made to look ahead, with its (zero-initialised) future taps set, as
    training would set them."""
    ahead = with_decoder_lookahead(vae, 1)
    with torch.no_grad():
        for module in ahead.decoder.modules():
            if isinstance(module, CausalConv3d):
                module.conv.weight[:, :, -1] = 0.05 * torch.randn_like(module.conv.weight[:, :, -1])
    return ahead.eval()


def test_a_lookahead_decoder_starts_as_its_source_without_the_oldest_tap():
    """Shifting every decoder time kernel by one frame loses only the tap at t-2: the new
    decoder computes exactly what the causal one does with that tap at zero (for trained
    weights that is close: 25.39 vs 25.15 dB on a world clip), and encodes the same."""
    torch.manual_seed(0)
    causal = VAE_MODELS["vae-test"]().eval()
    ahead = with_decoder_lookahead(causal, 1).eval()
    assert ahead.config.decoder_lookahead == 1
    trimmed = VAE_MODELS["vae-test"]().eval()
    trimmed.load_state_dict(causal.state_dict())
    with torch.no_grad():
        for module in trimmed.decoder.modules():
            if isinstance(module, CausalConv3d):
                module.conv.weight[:, :, 0] = 0
        video = world_clip(9, 32, 32)
        z = causal.encode(video).mode()
        assert torch.equal(ahead.encode(video).mode(), z)
        assert torch.allclose(ahead.decode(z), trimmed.decode(z), atol=1e-5)


def test_a_lookahead_decoder_sees_the_next_latent_frame_and_a_causal_one_does_not():
    torch.manual_seed(0)
    causal = VAE_MODELS["vae-test"]().eval()
    ahead = _with_future_taps(causal)
    z = torch.randn(1, 4, 3, 4, 4)
    later = z.clone()
    later[:, :, 2] += 1.0  # change only the last latent frame (video frames 5-8)
    with torch.no_grad():
        for vae, moves in ((causal, False), (ahead, True)):
            before = (vae.decode(later) - vae.decode(z))[:, :, :5].abs().max()
            assert (before > 1e-6) == moves


def test_a_lookahead_decoder_refuses_time_chunks_and_saves_its_setting(tmp_path):
    ahead = _with_future_taps(VAE_MODELS["vae-test"]())
    z = torch.randn(1, 4, 3, 4, 4)
    with pytest.raises(InvalidInputError, match="whole clips only"):
        ahead.decode(z, chunk=1)
    save_vae(ahead, tmp_path / "ahead.safetensors")
    again = load_vae(tmp_path / "ahead.safetensors")
    assert again.config.decoder_lookahead == 1
    with torch.no_grad():
        assert torch.equal(again.decode(z), ahead.decode(z))


def test_decoder_lookahead_is_zero_or_one():
    with pytest.raises(InvalidInputError, match="decoder_lookahead"):
        VAEConfig(decoder_lookahead=2)


# ---------------------------------------------------------------------------
# Refine blocks after the decoder's finest level
# ---------------------------------------------------------------------------


def _trained_refine(vae, blocks: int, width: int):
    """`vae` grown `blocks` refine blocks, their zero convs set as training would set them."""
    grown = with_decoder_refine(vae, blocks, width)
    with torch.no_grad():
        for block in grown.decoder.refine[vae.config.decoder_refine :]:
            block.conv2.conv.weight.normal_(0, 0.05)
    return grown.eval()


def test_refine_blocks_start_as_no_change_and_blocks_are_only_added():
    vae = make()
    grown = with_decoder_refine(vae, 2, 12).eval()
    assert (grown.config.decoder_refine, grown.config.refine_width) == (2, 12)
    assert grown.decoder.refine[0].conv1.conv.out_channels == 12
    z = torch.randn(1, 4, 3, 4, 4)
    video = world_clip(5, 16, 16)
    with torch.no_grad():
        assert torch.equal(grown.decode(z), vae.decode(z))
        assert torch.equal(grown.encode(video).mode(), vae.encode(video).mode())
        trained = _trained_refine(vae, 2, 12)
        assert (trained.decode(z) - vae.decode(z)).abs().max() > 1e-3  # the blocks do work
        more = with_decoder_refine(trained, 3, 12).eval()
        assert torch.equal(more.decode(z), trained.decode(z))  # trained blocks kept as they are
    for blocks, width in ((1, 12), (2, 16)):
        with pytest.raises(InvalidInputError, match="refine blocks"):
            with_decoder_refine(trained, blocks, width)
    with pytest.raises(InvalidInputError, match="decoder_refine"):
        VAEConfig(decoder_refine=-1)


def test_a_decoder_with_refine_blocks_tiles_exactly_and_saves_them(tmp_path):
    """The refine blocks widen the decoder's receptive field, and the tile halo with it."""
    vae = _trained_refine(make(), 4, 12)
    assert vae.config.decoder_radius > make().config.decoder_radius
    z = torch.randn(1, 4, 2, 9, 11)
    with torch.no_grad():
        whole = vae.decode(z)
        torch.testing.assert_close(vae.decode(z, tile=5, chunk=1), whole, rtol=1e-4, atol=1e-5)
    save_vae(vae, tmp_path / "refined.safetensors")
    again = load_vae(tmp_path / "refined.safetensors")
    assert again.config == vae.config
    with torch.no_grad():
        assert torch.equal(again.decode(z), whole)
