"""The wan engine over tiny random Wan checkpoints built here (tiny_diffusers.py): Wan 2.1
text-to-video, Wan 2.2 TI2V, Wan 2.1 image-to-video (with its CLIP image encoder) and
VACE, each loaded through the real loading code and compared with its diffusers pipeline
called directly.

Parity tolerance: none. On the CPU the engine's uint8 frames equal the pipeline's own
output (float frames in [0, 1] → round(255·x)) bit for bit, for the same seed and inputs.
"""

import numpy as np
import pytest

diffusers = pytest.importorskip(
    "diffusers", reason="the wan engine needs diffusers: pip install 'reelforge[diffusers]'"
)

import torch  # noqa: E402
from PIL import Image  # noqa: E402

from engines import tiny_diffusers  # noqa: E402
from reelforge.engines import get_engine  # noqa: E402
from reelforge.engines.diffusers_common import pil, to_uint8  # noqa: E402
from reelforge.engines.wan import DEFAULTS  # noqa: E402
from reelforge.types import Clip, GenerationSpec, Keyframe, UnsupportedError  # noqa: E402

FPS = 16.0
SIZES = ["32x32", "64x32"]  # the tiny models' grid is 16: 1:1 and 2:1


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("wan")
    return {
        "t2v": tiny_diffusers.wan_t2v(root / "t2v"),
        "ti2v": tiny_diffusers.wan_t2v(root / "ti2v", expand_timesteps=True),
        "i2v": tiny_diffusers.wan_i2v(root / "i2v"),
        "vace": tiny_diffusers.wan_vace(root / "vace"),
    }


def wan(path, **kw):
    return get_engine("wan", path=path, device="cpu", sizes=SIZES, steps=2, **kw)


@pytest.fixture(scope="module")
def engines(folders):
    """t2v with an i2v folder beside it; TI2V alone; t2v with a VACE folder."""
    return {
        "t2v+i2v": wan(folders["t2v"], i2v_path=str(folders["i2v"])),
        "ti2v": wan(folders["ti2v"]),
        "t2v+vace": wan(folders["t2v"], vace_path=folders["vace"]),
    }


def direct(cls_name, folder, seed=3, **kw):
    """The pipeline class called directly on `folder`, with the engine's defaults."""
    cls = getattr(diffusers, cls_name)
    dtypes = {"default": torch.float32, "vae": getattr(torch, DEFAULTS["vae_dtype"])}
    pipe = cls.from_pretrained(folder, dtype=dtypes, local_files_only=True)
    pipe.set_progress_bar_config(disable=True)
    pipe.vae.enable_tiling()
    out = pipe(
        prompt="a red ball bounces",
        width=64,
        height=32,
        num_inference_steps=2,
        guidance_scale=DEFAULTS["guidance"],
        generator=torch.Generator("cpu").manual_seed(seed),
        output_type="np",
        **kw,
    ).frames[0]
    return to_uint8(out)


@pytest.fixture(scope="module")
def frames():
    """uint8 (9, 32, 64, 3): a bright square drifting right over a gradient."""
    y, x = np.mgrid[0:32, 0:64]
    out = np.stack([np.stack([2 * x, 4 * y, 128 + 0 * x], -1)] * 9).astype(np.uint8)
    for t in range(9):
        out[t, 10:20, 4 + 4 * t : 14 + 4 * t] = 240
    return out


def spec(num_frames=9, seed=3, **kw):
    return GenerationSpec("a red ball bounces", 64, 32, num_frames, FPS, seed, **kw)


# ---------------------------------------------------------------------------
# Capabilities: from each folder's configs, never from its name
# ---------------------------------------------------------------------------


def test_each_folder_brings_the_modes_its_model_makes(folders, engines):
    assert wan(folders["t2v"]).capabilities.modes == ("t2v", "remix")
    assert wan(folders["i2v"]).capabilities.modes == ("i2v",)
    assert engines["t2v+i2v"].capabilities.modes == ("t2v", "i2v", "remix")
    assert engines["ti2v"].capabilities.modes == ("t2v", "i2v")  # Wan 2.2 TI2V: one model, both
    assert engines["t2v+vace"].capabilities.modes == (
        "t2v", "i2v", "extend", "interpolate", "inpaint", "remix",
    )  # fmt: skip
    caps = engines["ti2v"].capabilities
    assert caps.frame_rule == "1+4k" and caps.sizes == {"1:1": ((32, 32),), "2:1": ((64, 32),)}


def test_what_a_folder_cannot_make_is_refused_before_any_work(folders, engines):
    with pytest.raises(UnsupportedError, match="i2v is not supported; supported modes: t2v, remix"):
        wan(folders["t2v"]).check(spec(keyframes=[Keyframe(0, np.zeros((1, 32, 64, 3), np.uint8))]))
    with pytest.raises(UnsupportedError, match="keyframe strength 1"):
        key = Keyframe(0, np.zeros((1, 32, 64, 3), np.uint8), strength=0.5)
        engines["ti2v"].check(spec(keyframes=[key]))
    with pytest.raises(UnsupportedError, match="at most 81 frames"):
        engines["ti2v"].check(spec(num_frames=100))
    with pytest.raises(ValueError, match="holds a t2v model, not i2v or ti2v"):
        wan(folders["t2v"], i2v_path=folders["t2v"])


# ---------------------------------------------------------------------------
# Parity with the pipelines called directly
# ---------------------------------------------------------------------------


def test_text_to_video_equals_wan_pipeline(folders, engines):
    clip = engines["t2v+i2v"].generate(spec(num_frames=3))  # 5 made (1 + 4k), 3 kept
    assert clip.frames.shape == (3, 32, 64, 3)
    np.testing.assert_array_equal(
        clip.frames, direct("WanPipeline", folders["t2v"], num_frames=5)[:3]
    )


def test_image_to_video_equals_the_i2v_pipeline(folders, engines, frames):
    """Wan 2.1 I2V: the image latents and CLIP image features condition the transformer."""
    clip = engines["t2v+i2v"].generate(spec(5, keyframes=[Keyframe(0, frames[:1])]))
    expected = direct("WanImageToVideoPipeline", folders["i2v"], image=pil(frames[0]), num_frames=5)
    np.testing.assert_array_equal(clip.frames, expected)


def test_ti2v_first_frame_comes_back_as_the_vae_reconstructs_it(folders, engines, frames):
    """Wan 2.2 TI2V writes the image's latent in place and the Wan VAE decodes causally,
    so frame 0 is the tiny VAE's own reconstruction of the image (a random VAE's is far
    from the image itself) and the engine equals the pipeline."""
    engine = engines["ti2v"]
    clip = engine.generate(spec(5, keyframes=[Keyframe(0, frames[:1])]))
    expected = direct(
        "WanImageToVideoPipeline", folders["ti2v"], image=pil(frames[0]), num_frames=5
    )
    np.testing.assert_array_equal(clip.frames, expected)
    pipe = engine.pipeline("main", "WanImageToVideoPipeline")
    image = pipe.video_processor.preprocess(pil(frames[0]), 32, 64).unsqueeze(2)  # (1, 3, 1, h, w)
    with torch.no_grad():
        decoded = pipe.vae.decode(pipe.vae.encode(image).latent_dist.mode()).sample
    recon = to_uint8(pipe.video_processor.postprocess_video(decoded, output_type="np")[0])[0]
    assert np.abs(clip.frames[0].astype(int) - recon).max() <= 1
    free = engine.generate(spec(5))  # without the image, frame 0 is elsewhere
    assert np.abs(free.frames[0].astype(int) - recon).max() > 8


def test_vace_extension_and_inpainting_equal_the_vace_pipeline(folders, engines, frames):
    engine = engines["t2v+vace"]
    gray, white, black = (
        Image.new("RGB", (64, 32), (128,) * 3), Image.new("L", (64, 32), 255),
        Image.new("L", (64, 32), 0),
    )  # fmt: skip
    clip = engine.generate(spec(5, keyframes=[Keyframe(0, frames[:2])]))  # extend: 2 given
    video = [pil(f) for f in frames[:2]] + [gray] * 3
    mask = [black] * 2 + [white] * 3
    expected = direct("WanVACEPipeline", folders["vace"], video=video, mask=mask, num_frames=5)
    np.testing.assert_array_equal(clip.frames, expected)

    regenerate = np.array([False, True, True, False])  # inpaint frames 1-2 of 4 (5 made)
    clip = engine.generate(spec(4, source=Clip(frames[:4], FPS), mask=regenerate))
    video = [pil(frames[min(i, 3)]) for i in range(5)]  # the source, its last frame held
    mask = [black, white, white, black, white]  # the frame past the clip is made, then cut
    expected = direct("WanVACEPipeline", folders["vace"], video=video, mask=mask, num_frames=5)
    np.testing.assert_array_equal(clip.frames, expected[:4])


def test_remix_equals_the_video_to_video_pipeline(folders, engines, frames):
    clip = engines["t2v+vace"].generate(spec(5, source=Clip(frames[:5], FPS), source_strength=0.5))
    video = [pil(f) for f in frames[:5]]
    expected = direct("WanVideoToVideoPipeline", folders["t2v"], video=video, strength=0.5)
    np.testing.assert_array_equal(clip.frames, expected)
