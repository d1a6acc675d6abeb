"""The ltx engine over a tiny random LTX-Video checkpoint built here (tiny_diffusers.py):
loaded through the real loading code, compared with LTXConditionPipeline called directly.

Parity tolerance: none. On the CPU the engine's uint8 frames equal the pipeline's own
output (float frames in [0, 1] → round(255·x)) bit for bit, for the same seed and inputs.
"""

import numpy as np
import pytest

diffusers = pytest.importorskip(
    "diffusers", reason="the ltx engine needs diffusers: pip install 'reelforge[diffusers]'"
)

import torch  # noqa: E402
from diffusers import LTXConditionPipeline  # noqa: E402
from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition  # noqa: E402

from engines import tiny_diffusers  # noqa: E402
from reelforge.engines import GenerationCancelled, get_engine  # noqa: E402
from reelforge.engines.diffusers_common import pil, to_uint8  # noqa: E402
from reelforge.engines.ltx import DEFAULTS  # noqa: E402
from reelforge.types import Clip, GenerationSpec, Keyframe, UnsupportedError  # noqa: E402

FPS = 24.0
EXACT = {"image_cond_noise_scale": 0.0}  # given latents kept as encoded (no t² noise)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tiny_diffusers.ltx(tmp_path_factory.mktemp("ltx"))


@pytest.fixture(scope="module")
def engine(folder):
    return get_engine("ltx", path=str(folder), device="cpu", resolution=32, steps=2)


@pytest.fixture(scope="module")
def exact(folder):
    """The engine with given latents kept exactly as the VAE encodes them."""
    return get_engine("ltx", path=folder, device="cpu", resolution=32, steps=2, options=EXACT)


@pytest.fixture(scope="module")
def pipe(folder):
    p = LTXConditionPipeline.from_pretrained(folder, local_files_only=True)
    p.set_progress_bar_config(disable=True)
    p.vae.enable_tiling()  # as the engine places it (vae_tiling defaults on)
    return p


@pytest.fixture(scope="module")
def frames():
    """uint8 (9, 32, 32, 3): a bright square drifting right over a gradient."""
    y, x = np.mgrid[0:32, 0:32]
    out = np.stack([np.stack([4 * x, 4 * y, 128 + 0 * x], -1)] * 9).astype(np.uint8)
    for t in range(9):
        out[t, 10:20, 2 + 2 * t : 12 + 2 * t] = 240
    return out


def spec(num_frames=9, seed=3, **kw):
    return GenerationSpec("a red ball bounces", 32, 32, num_frames, FPS, seed, **kw)


def direct(pipe, num_frames, conditions=None, options=DEFAULTS["options"], seed=3, **kw):
    """LTXConditionPipeline called as a user would, with the engine's defaults."""
    out = pipe(
        prompt="a red ball bounces",
        negative_prompt=DEFAULTS["negative_prompt"],
        width=32,
        height=32,
        num_frames=num_frames,
        frame_rate=FPS,
        num_inference_steps=2,
        guidance_scale=DEFAULTS["guidance"],
        generator=torch.Generator("cpu").manual_seed(seed),
        output_type="np",
        conditions=conditions,
        **options,
        **kw,
    ).frames[0]
    return to_uint8(out)


def reconstruction(pipe, frames):
    """The tiny VAE's own reconstruction of `frames` (uint8), decoded causally."""
    video = pipe.video_processor.preprocess_video([pil(f) for f in frames])
    with torch.no_grad():
        latents = pipe.vae.encode(video).latent_dist.mode()
        decoded = pipe.vae.decode(latents).sample
    return to_uint8(pipe.video_processor.postprocess_video(decoded, output_type="np")[0])


# ---------------------------------------------------------------------------
# Capabilities from the folder's configs
# ---------------------------------------------------------------------------


def test_capabilities_come_from_the_model_config(engine):
    caps = engine.capabilities
    assert caps.frame_rule == "1+8k"  # the tiny VAE compresses time 8x, as LTX-Video's does
    assert caps.sizes == {"1:1": ((32, 32),), "7:4": ((56, 32),), "4:7": ((32, 56),)}
    assert caps.modes == ("t2v", "i2v", "extend", "interpolate", "remix")
    assert caps.fps == (FPS,)


def test_requests_are_snapped_on_the_frame_rule_or_refused_with_the_sizes(engine):
    assert engine.check(spec(num_frames=12)).frames == 17  # 12 frames: 17 made, 12 kept
    with pytest.raises(UnsupportedError, match="supported: 1:1 at 32x32; 7:4 at 56x32"):
        engine.check(GenerationSpec("x", width=48, height=27, num_frames=9, fps=FPS))
    with pytest.raises(UnsupportedError, match="larger than this engine makes"):
        engine.check(GenerationSpec("x", width=96, height=96, num_frames=9, fps=FPS))
    with pytest.raises(UnsupportedError, match="supported: 24 fps"):
        engine.check(GenerationSpec("x", width=32, height=32, num_frames=9, fps=12))
    with pytest.raises(UnsupportedError, match="inpaint is not supported"):
        src = Clip(np.zeros((9, 32, 32, 3), np.uint8), FPS)
        engine.check(spec(source=src, mask=np.ones(9, bool)))


# ---------------------------------------------------------------------------
# Parity with the pipeline called directly
# ---------------------------------------------------------------------------


def test_text_to_video_equals_the_pipeline_for_the_same_seed(engine, pipe):
    clip = engine.generate(spec(num_frames=12))  # 17 frames made, the first 12 kept
    assert clip.frames.shape == (12, 32, 32, 3)
    np.testing.assert_array_equal(clip.frames, direct(pipe, 17)[:12])
    assert clip.metadata["engine"] == "ltx" and clip.metadata["generated_frames"] == 17
    other = engine.generate(spec(num_frames=12, seed=4))
    assert np.abs(other.frames.astype(int) - clip.frames).mean() > 1  # the seed matters


def test_image_and_keyframes_equal_the_pipeline_conditions(engine, pipe, frames):
    """i2v and interpolation: the first and last frames as conditions at 0 and 16."""
    keys = [Keyframe(0, frames[:1]), Keyframe(16, frames[-1:])]
    clip = engine.generate(spec(num_frames=17, keyframes=keys))
    conditions = [
        LTXVideoCondition(image=pil(frames[0]), frame_index=0),
        LTXVideoCondition(image=pil(frames[-1]), frame_index=16),
    ]
    np.testing.assert_array_equal(clip.frames, direct(pipe, 17, conditions))


def test_a_five_frame_extension_is_cut_into_runs_the_pipeline_keeps(engine, pipe, frames):
    """The studio extends from 5 frames; LTX keeps runs of 1 + 8k, so they go as images."""
    clip = engine.generate(spec(num_frames=17, keyframes=[Keyframe(0, frames[:5])]))
    conditions = [LTXVideoCondition(image=pil(frames[i]), frame_index=i) for i in range(5)]
    np.testing.assert_array_equal(clip.frames, direct(pipe, 17, conditions))


# ---------------------------------------------------------------------------
# Given frames come back (as the VAE reconstructs them)
# ---------------------------------------------------------------------------


def test_the_first_frame_comes_back_as_the_vae_reconstructs_it(exact, pipe, frames):
    """A random tiny VAE reconstructs badly (tens of levels off), so the reference is its
    own reconstruction of the image: the engine's frame 0 is within 1 level of it."""
    recon = reconstruction(pipe, frames[:1])[0]
    clip = exact.generate(spec(num_frames=17, keyframes=[Keyframe(0, frames[:1])]))
    assert np.abs(clip.frames[0].astype(int) - recon).max() <= 1
    free = exact.generate(spec(num_frames=17))  # without the image, frame 0 is elsewhere
    assert np.abs(free.frames[0].astype(int) - recon).mean() > 5
    vae_error = np.abs(recon.astype(int) - frames[0]).mean()
    assert np.abs(clip.frames[0].astype(int) - frames[0]).mean() <= vae_error + 1


def test_extension_frames_come_back_as_the_vae_reconstructs_them(exact, pipe, frames):
    """Nine given frames (1 + 8: two whole latent frames) are kept in place."""
    recon = reconstruction(pipe, frames)
    clip = exact.generate(spec(num_frames=20, keyframes=[Keyframe(0, frames)]))
    assert clip.frames.shape == (20, 32, 32, 3)
    assert np.abs(clip.frames[:9].astype(int) - recon).max() <= 1


def test_remix_keeps_the_source_at_strength_0_and_ignores_it_at_1(engine, pipe, frames):
    source = Clip(frames, FPS)
    kept = engine.generate(spec(source=source, source_strength=0.0))
    assert np.abs(kept.frames.astype(int) - reconstruction(pipe, frames)).max() <= 1
    ignored = engine.generate(spec(source=source, source_strength=1.0))
    np.testing.assert_array_equal(ignored.frames, engine.generate(spec()).frames)
    halfway = engine.generate(spec(source=source, source_strength=0.5))
    assert halfway.metadata["mode"] == "remix" and halfway.metadata["source_strength"] == 0.5


# ---------------------------------------------------------------------------
# Progress, cancellation, upscaling
# ---------------------------------------------------------------------------


def test_progress_is_reported_per_denoising_step(engine):
    seen = []
    engine.generate(spec(steps=3), on_progress=lambda f, m: seen.append((round(f, 2), m)))
    steps = [m for _, m in seen if m.startswith("denoising")]
    assert steps == ["denoising 1/3", "denoising 2/3", "denoising 3/3; decoding"]
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_configured_timesteps_of_a_distilled_model_set_the_steps(folder):
    """The distilled LTX models run fixed timesteps (`options.timesteps`, docs/ENGINES.md)."""
    timesteps = [1000, 993, 987, 981, 975, 909, 725, 0.03]
    fast = get_engine("ltx", path=folder, device="cpu", resolution=32, guidance=1.0,
                      options={"timesteps": timesteps})  # fmt: skip
    seen = []
    clip = fast.generate(spec(), on_progress=lambda f, m: seen.append(m))
    assert [m for m in seen if m.startswith("denoising")][-1] == "denoising 8/8; decoding"
    assert clip.metadata["steps"] == 8 and clip.metadata["guidance"] == 1.0


def test_cancel_stops_between_steps(engine):
    seen = []

    def cancel():
        return any(m.startswith("denoising 1/") for _, m in seen)

    with pytest.raises(GenerationCancelled, match="after step 1/3"):
        engine.generate(spec(steps=3), lambda f, m: seen.append((f, m)), cancel)
    assert [m for _, m in seen if m.startswith("denoising")] == ["denoising 1/3"]
    with pytest.raises(GenerationCancelled, match="before it started"):
        engine.generate(spec(), should_cancel=lambda: True)
    assert engine.generate(spec()).num_frames == 9  # the engine still works afterwards


def test_a_larger_size_of_a_native_aspect_is_upscaled(engine):
    clip = engine.generate(GenerationSpec("x", width=64, height=64, num_frames=9, fps=FPS, steps=2))
    assert clip.frames.shape == (9, 64, 64, 3)
    assert clip.metadata["native_size"] == [32, 32] and clip.metadata["upscaled"]
