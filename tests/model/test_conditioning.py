"""Given frames: building the conditioning and getting the frames back exactly."""

import pytest
import torch

from reelforge.model import conditioning as cn
from reelforge.model.dit import DiTConfig, VideoDiT
from reelforge.model.sampler import SamplerConfig, sample
from reelforge.model.text import HashTextEncoder
from reelforge.types import InvalidInputError

C, T = 4, 5
SHAPE = (2, C, T, 4, 6)


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    m = VideoDiT(DiTConfig(in_channels=C, patch=(1, 2, 2), width=48, depth=2, heads=2, text_dim=16))
    for p in m.parameters():
        p.data.normal_(0, 0.2)
    return m.eval()


@pytest.fixture(scope="module")
def text():
    return HashTextEncoder(dim=16)(["a red ball rolls", "snow falls on a hill"])


def given_frames(cond: cn.Conditioning) -> list[int]:
    return torch.nonzero(cond.mask[0, 0, :, 0, 0] >= 1).flatten().tolist()


SOURCE = torch.randn(2, C, 7, 4, 6)
BUILDERS = {
    "image": (lambda: cn.image_to_video(SOURCE[:, :, :1], SHAPE), [0], lambda: SOURCE[:, :, :1]),
    "forward": (lambda: cn.extend_forward(SOURCE, 2, SHAPE), [0, 1], lambda: SOURCE[:, :, -2:]),
    "backward": (lambda: cn.extend_backward(SOURCE, 2, SHAPE), [3, 4], lambda: SOURCE[:, :, :2]),
    "interpolate": (
        lambda: cn.interpolate(SOURCE[:, :, 0], SOURCE[:, :, 6], SHAPE),
        [0, 4],
        lambda: SOURCE[:, :, [0, 6]],
    ),
    "fill": (
        lambda: cn.fill(SOURCE[:, :, :T], [1, -2]),
        [0, 2, 4],
        lambda: SOURCE[:, :, [0, 2, 4]],
    ),
    "loop-image": (lambda: cn.loop(SHAPE, SOURCE[:, :, 3]), [0, 4], lambda: SOURCE[:, :, [3, 3]]),
}


@pytest.mark.parametrize("name", BUILDERS)
def test_builders_place_the_given_frames(name):
    build, frames, expected = BUILDERS[name]
    cond = build()
    assert cond.mask.shape == (2, 1, T, 4, 6) and given_frames(cond) == frames
    assert torch.equal(cond.values[:, :, frames], expected())
    assert not cond.values[:, :, [i for i in range(T) if i not in frames]].any()


def _sample(model, text, condition, config=None):
    """Three seeded steps at SHAPE: what every sampler test here runs."""
    config = config or SamplerConfig(steps=3)
    generator = torch.Generator().manual_seed(0)
    return sample(model, text, SHAPE, config=config, condition=condition, generator=generator)


@pytest.mark.parametrize("method", ["euler", "heun"])
@pytest.mark.parametrize("name", ["image", "backward", "interpolate", "fill"])
def test_sampler_returns_given_frames_exactly(name, method, model, text):
    build, frames, expected = BUILDERS[name]
    cfg = SamplerConfig(steps=3, method=method, guidance=2.0)
    out = _sample(model, text, build(), cfg)
    assert torch.equal(out[:, :, frames], expected())
    free = [i for i in range(T) if i not in frames]
    assert out[:, :, free].isfinite().all() and out[:, :, free].std() > 0


def test_given_frames_steer_the_free_ones(model, text):
    runs = [
        _sample(model, text, cond)
        for cond in (cn.no_condition(SHAPE), cn.image_to_video(SOURCE[:, :, :1], SHAPE))
    ]
    assert not torch.allclose(runs[0][:, :, 1:], runs[1][:, :, 1:])


def test_text_only_loop_ties_last_frame_to_first(model, text):
    out = _sample(model, text, cn.loop(SHAPE))
    assert torch.equal(out[:, :, -1], out[:, :, 0]) and not torch.equal(out[:, :, 1], out[:, :, 0])


def test_soft_strength_guides_the_early_steps_only():
    value = torch.ones(1, C, 4, 6)
    cond = cn.from_frames([cn.FrameCondition(1, value, strength=0.4)], SHAPE)
    x, noise = torch.zeros(SHAPE), torch.full(SHAPE, 2.0)
    early, late = cond.impose(x, noise, 0.8), cond.impose(x, noise, 0.5)
    assert torch.allclose(early[:, :, 1], torch.full_like(early[:, :, 1], 0.2 * 1 + 0.8 * 2))
    assert not late.any() and not early[:, :, [0, 2, 3, 4]].any()
    assert not cond.hard.any()  # the model never reads a soft frame as given


def test_bad_requests_name_what_to_change():
    with pytest.raises(InvalidInputError, match="outside a clip of 5"):
        cn.from_frames([cn.FrameCondition(5, torch.zeros(C, 4, 6))], SHAPE)
    with pytest.raises(InvalidInputError, match="does not fit"):
        cn.image_to_video(torch.zeros(1, C, 1, 8, 6), SHAPE)
    with pytest.raises(InvalidInputError, match="k=9"):
        cn.extend_forward(SOURCE, 9, SHAPE)
    with pytest.raises(InvalidInputError, match="strength"):
        cn.from_frames([cn.FrameCondition(0, torch.zeros(C, 4, 6), strength=1.5)], SHAPE)


def test_training_task_masks():
    masks = cn.sample_task_masks(200, T, generator=torch.Generator().manual_seed(0))
    again = cn.sample_task_masks(200, T, generator=torch.Generator().manual_seed(0))
    assert masks.shape == (200, 1, T, 1, 1) and torch.equal(masks, again)
    assert set(masks.unique().tolist()) == {0.0, 1.0}
    per_sample = masks.flatten(1).sum(1)
    assert (per_sample == 0).any() and (per_sample > 0).float().mean() > 0.4
    only_text = cn.sample_task_masks(10, T, probs=(1, 0, 0, 0, 0, 0))
    assert not only_text.any()


def test_pixel_frames_map_to_causal_latent_frames():
    assert cn.latent_frames(49) == 13 and cn.latent_frames(1) == 1
    assert [cn.latent_index(f) for f in (0, 1, 4, 5, 48)] == [0, 1, 1, 2, 12]
