"""Rectified flow: time shift, loss, schedulers, guidance and the sampling loop."""

import pytest
import torch

from reelforge.model.conditioning import no_condition
from reelforge.model.dit import DiTConfig, VideoDiT
from reelforge.model.flow import (
    FlowConfig,
    add_noise,
    flow_loss,
    sample_time,
    shift_time,
    time_shift,
)
from reelforge.model.sampler import (
    FlowMatchScheduler,
    SamplerConfig,
    SamplingCancelled,
    guided_velocity,
    sample,
)
from reelforge.model.text import HashTextEncoder, TextBatch
from reelforge.types import InvalidInputError

C = 4
SHAPE = (2, C, 3, 4, 6)


def tiny_dit(seed=0, scale=0.2) -> VideoDiT:
    torch.manual_seed(seed)
    model = VideoDiT(
        DiTConfig(in_channels=C, patch=(1, 2, 2), width=48, depth=2, heads=2, text_dim=16)
    )
    for p in model.parameters():
        p.data.normal_(0, scale)
    return model.eval()


@pytest.fixture(scope="module")
def encode():
    return HashTextEncoder(dim=16)


# ---------------------------------------------------------------------------
# times and the loss
# ---------------------------------------------------------------------------


def test_time_shift_grows_with_token_count():
    shifts = [time_shift(n) for n in (64, 256, 1024, 1872, 4096)]
    assert shifts == sorted(shifts) and shifts[1] == 1.0
    t = torch.linspace(0, 1, 11)
    assert torch.allclose(shift_time(t, 3.0)[[0, -1]], torch.tensor([0.0, 1.0]))
    assert (shift_time(t, 3.0)[1:-1] > t[1:-1]).all()  # more noise at every time
    gen = torch.Generator().manual_seed(0)
    small, large = (sample_time(4000, n, generator=gen).mean() for n in (256, 4096))
    assert 0 < small < large < 1


def test_an_unshifted_share_of_training_times_keeps_the_low_noise_end():
    strong = FlowConfig(base_shift=6.0, logit_std=1.2)
    mixed = FlowConfig(base_shift=6.0, logit_std=1.2, unshifted_prob=0.3)
    tokens = 520  # a 4 s 128x72 clip
    below_half = {}
    for name, flow in (("strong", strong), ("mixed", mixed)):
        t = sample_time(20000, tokens, flow, torch.Generator().manual_seed(1))
        assert ((t > 0) & (t < 1)).all()
        below_half[name] = (t < 0.5).float().mean().item()
    assert below_half["strong"] < 0.06  # median t is about 0.9
    assert 0.15 < below_half["mixed"] < 0.25  # 30 % unshifted, half of them below 0.5
    # Without the option nothing more is drawn: earlier runs resume bit for bit.
    used, plain = torch.Generator().manual_seed(2), torch.Generator().manual_seed(2)
    sample_time(8, tokens, strong, used)
    torch.randn(8, generator=plain)
    assert torch.equal(used.get_state(), plain.get_state())
    with pytest.raises(InvalidInputError, match="unshifted_prob"):
        FlowConfig(unshifted_prob=1.5)


def test_noise_path_ends_at_data_and_noise():
    x0, eps = torch.randn(2, 3, 1, 2, 2), torch.randn(2, 3, 1, 2, 2)
    assert torch.equal(add_noise(x0, eps, torch.zeros(2)), x0)
    assert torch.equal(add_noise(x0, eps, torch.ones(2)), eps)


class Spiky(torch.nn.Module):
    """A model that is wildly wrong on given frames only."""

    def __init__(self, model):
        super().__init__()
        self.model, self.cfg, self.null_text = model, model.cfg, model.null_text

    def forward(self, x, t, text, mask, given, **kw):
        return self.model(x, t, text, mask, given, **kw) + 1000 * mask


def test_loss_skips_given_frames(encode):
    model, x0 = tiny_dit(), torch.randn(SHAPE)
    mask = torch.zeros(2, 1, 3, 1, 1)
    mask[:, :, 0] = 1
    text = encode(["a", "b"])
    losses = [
        flow_loss(m, x0, text, mask, generator=torch.Generator().manual_seed(3))
        for m in (model, Spiky(model))
    ]
    assert torch.allclose(*losses)


class Oracle:
    """Answers the true velocity of x0 plus a fixed error: loss terms without training."""

    def __init__(self, x0: torch.Tensor, error: torch.Tensor):
        self.x0, self.error, self.cfg = x0, error, tiny_dit().cfg

    def __call__(self, x_t, t, text, mask, given):
        t = t.view(-1, 1, 1, 1, 1)
        noise = (x_t - (1 - t) * self.x0) / t
        return noise - self.x0 + self.error


def test_the_edge_term_charges_errors_that_jump_between_patches(encode):
    x0, text = torch.randn(SHAPE), encode(["a", "b"])
    blocks = torch.randn(2, C, 3, 2, 3).repeat_interleave(2, 3).repeat_interleave(2, 4)
    smooth = torch.ones(SHAPE)  # the same error everywhere: no jumps at all
    smooth *= blocks.square().mean().sqrt()  # as large as the blocky one, on average

    def loss(error, edge):
        gen = torch.Generator().manual_seed(1)
        return flow_loss(Oracle(x0, error), x0, text, generator=gen, edge=edge).item()

    assert loss(blocks, 0.0) == pytest.approx(loss(smooth, 0.0), rel=1e-4)
    assert loss(smooth, 1.0) == pytest.approx(loss(smooth, 0.0), rel=1e-4)
    assert loss(blocks, 1.0) > 1.5 * loss(blocks, 0.0)
    mask = torch.zeros(2, 1, 3, 1, 1)
    mask[:, :, 1:] = 1  # only frame 0 is made: the jumps of given frames do not count
    spiky = blocks.clone()
    spiky[:, :, 1:] *= 100
    gen = [torch.Generator().manual_seed(2) for _ in range(2)]
    a, b = (flow_loss(Oracle(x0, e), x0, text, mask, generator=g, edge=1.0)
            for e, g in zip((blocks, spiky), gen, strict=True))  # fmt: skip
    assert torch.allclose(a, b)


def test_a_voxel_weight_makes_the_loss_a_weighted_mean(encode):
    x0, text = torch.randn(SHAPE), encode(["a", "b"])
    error = torch.zeros(SHAPE)
    error[:, :, :, :1] = 2.0  # wrong in the first latent row only (a quarter of the voxels)
    weight = torch.ones(2, 1, 3, 4, 6)
    weight[:, :, :, :1] = 7.0  # that row weighs 7: 7 / (7 + 3) of the weight

    def loss(w):
        gen = torch.Generator().manual_seed(4)
        return flow_loss(Oracle(x0, error), x0, text, generator=gen, weight=w).item()

    assert loss(None) == pytest.approx(4.0 / 4, rel=1e-5)
    assert loss(torch.ones(2, 1, 3, 4, 6)) == pytest.approx(loss(None), rel=1e-6)
    assert loss(weight) == pytest.approx(4.0 * 7 / 10, rel=1e-5)


def moving_blobs(direction: int, frames: int = 3, size: int = 8) -> torch.Tensor:
    """(C, T, H, W): a bright blob crossing the frame left→right (+1) or right→left (-1)."""
    ys, xs = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    out = torch.zeros(C, frames, size, size)
    for t in range(frames):
        cx = size / 2 + direction * (t - frames // 2) * 2
        out[:, t] = torch.exp(-((xs - cx) ** 2 + (ys - size / 2) ** 2) / 4) * torch.tensor(
            [2.0, -1, 1, 0]
        ).view(C, 1, 1)
    return out


def test_flow_loss_decreases_when_training(encode):
    torch.manual_seed(0)
    model = VideoDiT(
        DiTConfig(in_channels=C, patch=(1, 2, 2), width=64, depth=2, heads=2, text_dim=16)
    )
    prompts = ["a ball moving right", "a ball moving left"] * 4
    latents = torch.stack([moving_blobs(1), moving_blobs(-1)] * 4)  # (8, C, 3, 8, 8)
    text = encode(prompts)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3)

    def evaluate() -> float:
        return flow_loss(model, latents, text, generator=torch.Generator().manual_seed(99)).item()

    before = evaluate()
    gen = torch.Generator().manual_seed(0)
    for _ in range(40):
        opt.zero_grad()
        flow_loss(model, latents, text, text_dropout=0.1, generator=gen).backward()
        opt.step()
    assert evaluate() < 0.6 * before


# ---------------------------------------------------------------------------
# schedulers on a known flow: Gaussian data N(mu, sigma²) has a closed-form velocity
# ---------------------------------------------------------------------------

MU, SIGMA = 2.0, 0.5


class GaussianFlow:
    """The exact velocity field of x_t = (1 - t) x0 + t ε with x0 ~ N(MU, SIGMA²)."""

    cfg = DiTConfig(patch=(1, 1, 1))

    def __call__(self, x, t, text, mask, given, **kw):
        t = t.view(-1, 1, 1, 1, 1)
        s = ((1 - t) ** 2 * SIGMA**2 + t**2).sqrt()
        ds = (t - (1 - t) * SIGMA**2) / s
        return -MU + ds * (x - (1 - t) * MU) / s


def _solve(method: str, steps: int) -> float:
    """Max error of the sampled x0 against the exact transport MU + SIGMA·ε."""
    shape, gen = (1, 1, 1, 4, 4), torch.Generator().manual_seed(0)
    text = TextBatch(torch.zeros(1, 1, 1), torch.ones(1, 1, dtype=torch.bool), torch.zeros(1, 1))
    cfg = SamplerConfig(steps=steps, method=method, guidance=1.0, shift=3.0)
    x = sample(GaussianFlow(), text, shape, config=cfg, generator=gen)
    exact = MU + SIGMA * torch.randn(shape, generator=torch.Generator().manual_seed(0))
    return (x - exact).abs().max().item()


def test_heun_beats_euler_and_both_converge():
    euler = [_solve("euler", n) for n in (4, 16)]
    heun = [_solve("heun", n) for n in (4, 16)]
    assert euler[1] < euler[0] / 2 and heun[1] < heun[0] / 8  # first vs second order
    assert heun[0] < euler[0] / 3 and heun[1] < 0.01


@pytest.mark.parametrize("method,evaluations", [("euler", 8), ("heun", 16)])
def test_scheduler_protocol(method, evaluations):
    sched = FlowMatchScheduler(method)
    sched.set_timesteps(8, shift=2.0)
    assert len(sched.timesteps) == evaluations and sched.timesteps[0] == 1.0
    x = torch.zeros(1)
    for _ in sched.timesteps:
        x = sched.step(torch.ones(1), x)
    assert sched.sample_time == 0.0 and torch.allclose(x, torch.tensor([-1.0], dtype=x.dtype))


# ---------------------------------------------------------------------------
# guidance and the loop
# ---------------------------------------------------------------------------


def test_guidance_one_is_the_conditional_prediction(encode):
    model, x = tiny_dit(), torch.randn(SHAPE)
    text, cond = encode(["a red ball", "a blue cube falls"]), no_condition(SHAPE)
    v_text = model(x, torch.full((2,), 0.6), text)
    assert torch.equal(guided_velocity(model, x, 0.6, text, model.null_text(2), 1.0, cond), v_text)
    for uncond in (model.null_text(2), encode(["blurry", "dark"])):  # null text, negative prompt
        v_uncond = model(x, torch.full((2,), 0.6), uncond)
        guided = guided_velocity(model, x, 0.6, text, uncond, 3.0, cond)
        assert torch.allclose(guided, v_uncond + 3.0 * (v_text - v_uncond), atol=1e-4)


def test_sampling_is_deterministic_per_seed(encode):
    model, text = tiny_dit(), encode(["a red ball", "rain"])
    cfg = SamplerConfig(steps=3, guidance=3.0)
    runs = [
        sample(model, text, SHAPE, config=cfg, generator=torch.Generator().manual_seed(s))
        for s in (1, 1, 2)
    ]
    assert torch.equal(runs[0], runs[1]) and not torch.allclose(runs[0], runs[2])


def test_negative_prompt_changes_the_result(encode):
    model, text = tiny_dit(), encode(["a red ball", "rain"])
    cfg = SamplerConfig(steps=2, guidance=3.0)
    runs = [
        sample(
            model, text, SHAPE, config=cfg, negative=neg, generator=torch.Generator().manual_seed(0)
        )
        for neg in (None, encode(["blue", "sun"]))
    ]
    assert not torch.allclose(*runs)


def test_progress_and_cancellation(encode):
    model, text, seen = tiny_dit(), encode(["a", "b"]), []
    sample(
        model,
        text,
        SHAPE,
        config=SamplerConfig(steps=3, method="heun"),
        on_step=lambda k, n: seen.append((k, n)),
    )
    assert seen == [(k, 6) for k in range(1, 7)]
    calls = iter(range(100))
    with pytest.raises(SamplingCancelled, match="after 2 of 3"):
        sample(
            model,
            text,
            SHAPE,
            config=SamplerConfig(steps=3),
            should_cancel=lambda: next(calls) == 2,
        )


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_on_a_gpu_the_loss_draws_its_noise_there_and_repeats_per_seed(encode):
    model, x0 = tiny_dit().cuda(), torch.randn(SHAPE).cuda()
    text = TextBatch(*(x.cuda() for x in encode(["a", "b"]).fields()))

    def loss(seed):
        return flow_loss(model, x0, text, generator=torch.Generator().manual_seed(seed))

    assert torch.equal(loss(3), loss(3)) and not torch.equal(loss(3), loss(4))
