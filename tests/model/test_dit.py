"""Spacetime patches, 3D RoPE and the video transformer, at tiny sizes."""

from dataclasses import replace

import pytest
import torch

from reelforge.model.dit import (
    DIT_MODELS,
    DiTConfig,
    VideoDiT,
    build_dit,
    frame_places,
    load_dit,
    place_features,
    save_dit,
)
from reelforge.model.patches import (
    grid_coords,
    num_tokens,
    pad_to_patch,
    patch_grid,
    patchify,
    unpatchify,
)
from reelforge.model.rope import apply_rope, axis_dims, rope_angles, rope_tables
from reelforge.model.text import HashTextEncoder
from reelforge.types import InvalidInputError

C = 4


def tiny_dit(patch=(1, 2, 2), seed=0, **kw) -> VideoDiT:
    """A tiny model with every weight random (a zero-init model would hide bugs)."""
    torch.manual_seed(seed)
    model = VideoDiT(
        DiTConfig(in_channels=C, patch=patch, width=48, depth=2, heads=2, text_dim=16, **kw)
    )
    for p in model.parameters():
        p.data.normal_(0, 0.2)
    return model.eval()


@pytest.fixture(scope="module")
def text():
    return HashTextEncoder(dim=16)(["a red ball bounces on grass", "rain"])


# ---------------------------------------------------------------------------
# patches
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "size,patch",
    [
        ((1, 8, 8), (1, 1, 1)),
        ((13, 9, 16), (1, 1, 1)),
        ((4, 6, 10), (1, 2, 2)),
        ((6, 4, 4), (2, 2, 2)),
    ],
)
def test_unpatchify_inverts_patchify(size, patch):
    x = torch.randn(2, 3, *size)
    tokens, grid = patchify(x, patch)
    assert tokens.shape == (2, grid.num_tokens, 3 * patch[0] * patch[1] * patch[2])
    assert torch.equal(unpatchify(tokens, grid), x)


def test_token_coords_point_at_their_patch():
    x = torch.randn(1, 2, 4, 6, 8)
    tokens, grid = patchify(x, (2, 2, 2))
    for n, (t, h, w) in enumerate(grid_coords(grid).tolist()):
        patch = x[0, :, 2 * t : 2 * t + 2, 2 * h : 2 * h + 2, 2 * w : 2 * w + 2]
        assert torch.equal(tokens[0, n], patch.flatten())


def test_patch_size_must_divide_the_latent():
    with pytest.raises(InvalidInputError, match="H=9"):
        patch_grid((13, 9, 16), (1, 2, 2))


# ---------------------------------------------------------------------------
# rope
# ---------------------------------------------------------------------------


def test_rope_splits_head_dim_over_three_axes():
    for head_dim in (6, 16, 32, 64, 96):
        dims = axis_dims(head_dim)
        assert sum(dims) == head_dim and all(d % 2 == 0 and d > 0 for d in dims)


def _scores(q, k, coords):
    cos, sin = rope_tables(rope_angles(coords, q.shape[-1]))
    return apply_rope(q, cos, sin) @ apply_rope(k, cos, sin).transpose(-1, -2)


def test_rope_scores_depend_only_on_relative_position():
    q, k = torch.randn(2, 1, 2, 2, 24).unbind(0)
    coords = torch.tensor([[0, 1, 2], [3, 5, 4]])
    base = _scores(q, k, coords)
    assert torch.allclose(base, _scores(q, k, coords + torch.tensor([7, -3, 11])), atol=1e-4)
    assert not torch.allclose(base, _scores(q, k, coords * 2), atol=1e-2)


def test_rope_scale_maps_a_larger_grid_onto_the_trained_one():
    coords = torch.tensor([[1, 4, 6]])
    assert torch.allclose(
        rope_angles(coords * 2, 24, scale=(0.5, 0.5, 0.5)), rope_angles(coords, 24)
    )


# ---------------------------------------------------------------------------
# the model
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(1, 8, 8), (3, 6, 10), (3, 10, 6), (5, 8, 8)])
def test_one_model_serves_every_duration_and_aspect(size, text):
    model = tiny_dit()
    v = model(torch.randn(2, C, *size), torch.tensor([0.3, 0.9]), text)
    assert v.shape == (2, C, *size) and v.isfinite().all()


@pytest.mark.parametrize("size", [(2, 9, 16), (3, 5, 7)])
def test_odd_latent_sides_are_padded_to_whole_patches_and_cut_back(size, text):
    # 128x72 pixels is a 16x9 latent: 1x2x2 patches need the model to pad it.
    model, x = tiny_dit(), torch.randn(2, C, *size)
    out = model(x, torch.tensor([0.3, 0.8]), text)
    assert out.shape == x.shape and torch.isfinite(out).all()
    assert num_tokens(size, (1, 2, 2)) == size[0] * -(-size[1] // 2) * -(-size[2] // 2)
    # the padding is zeros, so a padded input gives the same velocity where they overlap
    padded = model(pad_to_patch(x, (1, 2, 2)), torch.tensor([0.3, 0.8]), text)
    assert torch.allclose(out, padded[:, :, :, : size[1], : size[2]], atol=1e-5)


def test_fresh_model_blocks_are_identities_and_output_is_zero(text):
    torch.manual_seed(0)
    model = VideoDiT(DiTConfig(in_channels=C, width=48, depth=2, heads=2, text_dim=16))
    x, t = torch.randn(2, C, 3, 4, 4), torch.rand(2)
    tokens = torch.randn(2, 12, 48)
    mod = model.modulation(t, text.pooled, None)[:, :, :6]
    rope = rope_tables(rope_angles(grid_coords(patch_grid((3, 2, 2), (1, 1, 1))), 24))
    ctx = model.text_embed(text.tokens)
    assert torch.equal(model.blocks[0](tokens, mod, rope, ctx, text.mask), tokens)
    assert torch.equal(model(x, t, text), torch.zeros_like(x))


@pytest.mark.parametrize("part, size", [("final_conv", 3), ("frame_pos", 4)])
def test_a_grown_part_starts_as_no_change_so_older_weights_carry_over(text, part, size):
    before, x, t = tiny_dit(), torch.randn(2, C, 3, 6, 8), torch.rand(2)
    assert getattr(before, part) is None
    torch.manual_seed(1)
    after = VideoDiT(replace(before.cfg, **{part: size}))
    missing, unexpected = after.load_state_dict(before.state_dict(), strict=False)
    assert sorted(missing) == [f"{part}.bias", f"{part}.weight"] and not unexpected
    assert torch.equal(after(x, t, text), before(x, t, text))  # a fresh part is zero
    getattr(after, part).weight.data.normal_(0, 0.2)
    assert not torch.allclose(after(x, t, text), before(x, t, text))


def test_frame_places_are_fractions_of_the_unpadded_frame():
    # a 9x16 latent in 2x2 patches: 5x8 tokens (padded to 10x16), the last row half padding
    coords = grid_coords(patch_grid((2, 10, 16), (1, 2, 2)))
    places = frame_places(coords, (2, 9, 16), (1, 2, 2))
    rows, cols = places[:, 0].unique(), places[:, 1].unique()
    torch.testing.assert_close(cols, (torch.arange(8) + 0.5) / 8)
    torch.testing.assert_close(rows, (torch.arange(5) + 0.5) / 4.5)
    assert rows[-1] == 1  # the half-padding row's centre is on the frame's bottom edge
    # twice the size: the same spread of fractions, so a place means the same at any size
    big = frame_places(grid_coords(patch_grid((2, 18, 32), (1, 2, 2))), (2, 18, 32), (1, 2, 2))
    torch.testing.assert_close(big[:, 1].unique(), (torch.arange(16) + 0.5) / 16)
    assert big.min() > 0 and big.max() < 1


def test_place_features_are_sines_and_cosines_of_each_band():
    places = torch.tensor([[0.0, 0.5], [0.25, 1.0]])
    f = place_features(places, 2)
    assert f.shape == (2, 8)
    angles = torch.pi * torch.tensor([[0.0, 0.0, 0.5, 1.0], [0.25, 0.5, 1.0, 2.0]])
    torch.testing.assert_close(f, torch.cat([angles.sin(), angles.cos()], -1))


def test_frame_places_tell_the_top_of_the_frame_from_the_bottom(text):
    """RoPE only rotates queries and keys: on a uniform input every token holds the same
    values, so every token comes out the same. The frame places give each row its own."""
    x, t = torch.zeros(1, C, 1, 16, 16), torch.ones(1)
    text1 = type(text)(*(f[:1] for f in text.fields()))

    def gap(v):  # two middle token rows apart
        return (v[..., 6:8, :] - v[..., 8:10, :]).abs().max()

    plain, placed = tiny_dit(), tiny_dit(frame_pos=3)
    assert gap(plain(x, t, text1)) < 1e-5 < 1e-2 < gap(placed(x, t, text1))


def test_frame_pos_is_not_negative():
    with pytest.raises(InvalidInputError, match="frame_pos"):
        DiTConfig(frame_pos=-1)


@pytest.mark.parametrize("kernel", [-1, 2])
def test_the_output_conv_kernel_is_odd(kernel):
    with pytest.raises(InvalidInputError, match="final_conv"):
        DiTConfig(final_conv=kernel)


def test_text_padding_is_never_attended(text):
    model, x, t = tiny_dit(), torch.randn(2, C, 2, 4, 4), torch.rand(2)
    padded = text.pad_to(text.tokens.shape[1] + 5)
    padded.tokens[:, -5:] = 100.0  # garbage under the mask
    assert torch.allclose(model(x, t, text), model(x, t, padded), atol=1e-5)


def test_given_frames_are_read_clean_with_the_clean_timestep(text):
    model, x0 = tiny_dit(), torch.randn(2, C, 3, 4, 4)
    mask = torch.zeros(2, 1, 3, 1, 1)
    mask[:, :, 0] = 1
    t, x = torch.tensor([0.8, 0.5]), torch.randn_like(x0)
    v = model(x, t, text, mask, x0)
    other = x.clone()
    other[:, :, 0] = 5.0
    assert torch.equal(v, model(other, t, text, mask, x0))  # x at given frames is ignored
    assert not torch.allclose(v, model(x, t, text, mask, x0 + 1))  # the given values are read
    everything = torch.ones(2, 1, 3, 1, 1)
    clean = model(x0, torch.zeros(2), text, everything, x0)
    assert torch.allclose(model(x0, t, text, everything, x0), clean, atol=1e-5)  # given = t=0


@pytest.mark.parametrize("frame_pos", [0, 2])
def test_reference_tokens_are_attended_but_not_returned(text, frame_pos):
    model, x, t = tiny_dit(frame_pos=frame_pos), torch.randn(2, C, 3, 4, 4), torch.rand(2)
    v = model(x, t, text, extra_latents=torch.randn(2, C, 1, 5, 7))  # padded to whole patches
    assert v.shape == x.shape and not torch.allclose(v, model(x, t, text))


def test_save_load_round_trip(tmp_path, text):
    model, x, t = tiny_dit(patch=(1, 1, 1)), torch.randn(2, C, 2, 4, 6), torch.rand(2)
    save_dit(model, tmp_path / "dit.safetensors")
    loaded = load_dit(tmp_path / "dit.safetensors")
    assert loaded.cfg == model.cfg
    assert torch.equal(loaded(x, t, text), model(x, t, text))


def test_load_refuses_a_foreign_file(tmp_path):
    from safetensors.torch import save_file

    save_file({"w": torch.zeros(2)}, str(tmp_path / "other.safetensors"))
    with pytest.raises(InvalidInputError, match="not a reelforge DiT"):
        load_dit(tmp_path / "other.safetensors")


def test_presets_build_by_name():
    assert "Reel-S/2" in DIT_MODELS and DIT_MODELS["Reel-S/2"]().patch == (1, 2, 2)
    assert all(make().final_conv == 3 and make().frame_pos == 4 for make in DIT_MODELS.values())
    model = build_dit("Reel-T/1", text_dim=16)
    assert model.cfg.text_dim == 16 and model.cfg.patch == (1, 1, 1)
    with pytest.raises(InvalidInputError, match="unknown DiT preset"):
        build_dit("Reel-XXL/3")
