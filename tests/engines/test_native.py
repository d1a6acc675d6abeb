"""The native engine end to end on tiny random weights: shapes, given frames, seeds,
refusals before any work, upscaling, cancellation, remix and inpaint."""

import json

import numpy as np
import pytest
import torch

import reelforge.engines.native as native
from reelforge.engines import Engine, GenerationCancelled, get_engine
from reelforge.engines.frames import resize, to_frames, to_video
from reelforge.engines.native import NativeEngine, discarded_evaluations
from reelforge.engines.native_weights import EngineConfig, save_random_weights
from reelforge.model.sampler import SamplerConfig
from reelforge.model.vae import load_vae, save_vae, with_decoder_lookahead
from reelforge.types import (
    Clip,
    GenerationSpec,
    InvalidInputError,
    Keyframe,
    NotFoundError,
    UnsupportedError,
)


def spec(**kw) -> GenerationSpec:
    return GenerationSpec(**{"prompt": "a red ball bounces", "width": 128, "height": 72,
                             "num_frames": 7, "fps": 12.0, "seed": 1, **kw})  # fmt: skip


def roundtrip(engine, frames: np.ndarray) -> np.ndarray:
    """What the VAE gives back for frames (1 + 4k, H, W, 3) encoded at the clip's start."""
    vae = engine.weights().vae
    with torch.no_grad():
        return to_frames(vae.decode(vae.encode(to_video(frames)).mean))


# ---------------------------------------------------------------------------
# Text to video
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(128, 72), (72, 128), (64, 64)])
def test_every_aspect_gives_the_requested_shape_and_metadata(engine, width, height):
    clip = engine.generate(spec(width=width, height=height, expanded_prompt="A red ball bounces."))
    assert clip.frames.shape == (7, height, width, 3) and clip.fps == 12.0
    m = clip.metadata
    assert (m["prompt"], m["expanded_prompt"]) == ("a red ball bounces", "A red ball bounces.")
    assert (m["engine"], m["model"], m["mode"], m["seed"]) == ("native", "random-test", "t2v", 1)
    assert (m["steps"], m["guidance"], m["upscaled"]) == (4, 4.0, False)
    json.dumps(m)  # travels with the clip: JSON-serialisable


def test_same_seed_same_clip_and_other_seeds_differ(engine):
    a, b = engine.generate(spec(seed=5)), engine.generate(spec(seed=5))
    assert np.array_equal(a.frames, b.frames)
    assert not np.array_equal(a.frames, engine.generate(spec(seed=6)).frames)


def test_prompt_negative_and_guidance_change_the_clip(engine):
    base = engine.generate(spec()).frames
    assert not np.array_equal(base, engine.generate(spec(prompt="a blue cube rolls")).frames)
    assert not np.array_equal(base, engine.generate(spec(negative_prompt="rain")).frames)
    assert not np.array_equal(base, engine.generate(spec(guidance=1.0)).frames)


def test_larger_sizes_are_the_native_clip_upscaled(engine):
    native_clip = engine.generate(spec(seed=3))
    big = engine.generate(spec(seed=3, width=256, height=144))
    assert big.frames.shape == (7, 144, 256, 3)
    assert big.metadata["upscaled"] and big.metadata["native_size"] == [128, 72]
    assert np.array_equal(big.frames, resize(native_clip.frames, (256, 144)))
    near = engine.generate(spec(width=854, height=480, num_frames=1))  # 16:9 within 1%
    assert near.frames.shape == (1, 480, 854, 3)


# ---------------------------------------------------------------------------
# Refusals: before any work, naming what is supported
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "names"),
    [
        ({"width": 100, "height": 75}, ["4:3", "128x72", "72x128", "64x64"]),  # no such aspect
        ({"width": 32, "height": 18}, ["smallest", "128x72"]),  # below the native size
        ({"width": 1280, "height": 720}, ["8x", "128x72"]),  # past the upscale limit
        ({"num_frames": 26}, ["at most 25 frames", "2.08 s"]),  # too long
        ({"fps": 24.0}, ["12 fps"]),
        ({"characters": ["ada"]}, ["characters", "t2v, i2v"]),
    ],
)
def test_unsupported_requests_are_refused_before_any_work(weights, monkeypatch, changes, names):
    calls = []
    monkeypatch.setattr(native, "sample", lambda *a, **k: calls.append("sample"))
    engine = get_engine("native", weights=weights)
    progress = []
    with pytest.raises(UnsupportedError) as e:
        engine.generate(spec(**changes), on_progress=lambda f, m: progress.append(m))
    assert all(n in str(e.value) for n in names), str(e.value)
    assert calls == progress == [] and engine._weights is None  # nothing loaded, nothing run


@pytest.mark.parametrize(
    "changes",
    [
        {"width": 0},
        {"steps": 0},
        {"keyframes": [Keyframe(5, np.zeros((3, 72, 128, 3), np.uint8))]},  # past the end
        {"mask": np.ones(7, bool)},  # a mask without a source
    ],
)
def test_malformed_specs_are_invalid_input(engine, changes):
    with pytest.raises(InvalidInputError):
        engine.check(spec(**changes))


def test_a_missing_weights_folder_is_named(tmp_path):
    folder = tmp_path / "no-weights-here"
    with pytest.raises(NotFoundError) as e:
        get_engine("native", weights=folder)
    assert str(folder) in str(e.value) and "engine.json" in str(e.value)
    assert e.value.hint and "--weights" in e.value.hint


def test_a_bad_engine_json_is_refused_by_key(tmp_path, weights):
    folder = save_random_weights(tmp_path / "w")
    data = json.loads((folder / "engine.json").read_text())
    (folder / "engine.json").write_text(json.dumps({**data, "stepz": 3}))
    with pytest.raises(InvalidInputError, match="stepz"):
        get_engine("native", weights=folder)
    del data["sizes"]
    (folder / "engine.json").write_text(json.dumps(data))
    with pytest.raises(InvalidInputError, match='needs "sizes"'):
        get_engine("native", weights=folder)
    with pytest.raises(InvalidInputError, match="not a multiple of 8"):
        save_random_weights(tmp_path / "odd", sizes={"16:9": [[102, 62]]})


def test_a_lookahead_vae_generates_and_refuses_decode_chunks(tmp_path):
    folder = save_random_weights(tmp_path / "w")
    vae = with_decoder_lookahead(load_vae(folder / "vae.safetensors"), 1)
    save_vae(vae, folder / "vae.safetensors")
    clip = get_engine("native", weights=folder).generate(
        GenerationSpec("a red ball", width=128, height=72, num_frames=9, fps=12, steps=2)
    )
    assert clip.frames.shape == (9, 72, 128, 3)
    data = json.loads((folder / "engine.json").read_text())
    (folder / "engine.json").write_text(json.dumps({**data, "decode_chunk": 2}))
    with pytest.raises(InvalidInputError, match="decode_chunk"):
        get_engine("native", weights=folder)


# ---------------------------------------------------------------------------
# Compute dtype
# ---------------------------------------------------------------------------


def _linear_output_dtypes(engine, **changes) -> set[torch.dtype]:
    """The dtypes the transformer's linear layers answered in during one generation."""
    seen: set[torch.dtype] = set()
    linears = [m for m in engine.weights().dit.modules() if isinstance(m, torch.nn.Linear)]
    hooks = [m.register_forward_hook(lambda _m, _i, out: seen.add(out.dtype)) for m in linears]
    try:
        engine.generate(spec(**changes))
    finally:
        for h in hooks:
            h.remove()
    return seen


@pytest.fixture(scope="module")
def low(weights):
    return NativeEngine(weights, dtype="bfloat16")


def test_bfloat16_runs_the_transformer_in_bfloat16_and_keeps_its_promises(low, engine, frames):
    assert _linear_output_dtypes(low) == {torch.bfloat16}
    assert _linear_output_dtypes(engine) == {torch.float32}  # auto on the CPU
    a, b = low.generate(spec(seed=3)), low.generate(spec(seed=3))
    assert np.array_equal(a.frames, b.frames) and a.metadata["dtype"] == "bfloat16"
    full = engine.generate(spec(seed=3))
    assert full.metadata["dtype"] == "float32"
    assert not np.array_equal(a.frames, full.frames)  # other arithmetic, a near clip
    other = engine.generate(spec(seed=4))
    gap = np.abs(a.frames.astype(float) - full.frames).mean()
    assert gap < 0.25 * np.abs(other.frames.astype(float) - full.frames).mean(), gap
    kept = low.generate(spec(num_frames=9, keyframes=[Keyframe(0, frames[0])]))
    assert np.array_equal(kept.frames[0], frames[0])  # given frames come back exactly


@pytest.mark.parametrize(
    ("given", "mode"),
    [("first", "i2v"), ("last", "extend"), ("first_last", "interpolate"), ("loop", "loop"),
     ("remix", "remix"), ("inpaint", "inpaint")],
)  # fmt: skip
def test_every_mode_runs_in_bfloat16(low, frames, given, mode):
    source = Clip(frames, 12.0)
    changes = {
        "first": {"keyframes": [Keyframe(0, frames[0])]},
        "last": {"keyframes": [Keyframe(8, frames[8])]},
        "first_last": {"keyframes": [Keyframe(0, frames[0]), Keyframe(8, frames[8])]},
        "loop": {"loop": True},
        "remix": {"source": source, "source_strength": 0.5},
        "inpaint": {"source": source, "mask": np.arange(9) >= 6},
    }[given]
    clip = low.generate(spec(num_frames=9, **changes))
    assert clip.metadata["mode"] == mode and clip.frames.shape == (9, 72, 128, 3)


def test_a_bad_dtype_is_refused_with_the_choices(weights):
    with pytest.raises(InvalidInputError, match="auto, float32, bfloat16") as e:
        NativeEngine(weights, dtype="float16")
    assert e.value.param == "dtype"


def test_engine_config_round_trips_through_json():
    config = EngineConfig(sizes={"1:1": [[96, 96]]}, text_encoder="hash", shift=2.0)
    assert EngineConfig.from_json(config.to_json()) == config


def test_the_engine_meets_the_protocol(engine):
    assert isinstance(engine, Engine)
    caps = engine.capabilities
    assert caps.frame_rule == "1+4k" and caps.upscale and caps.max_frames == 25
    assert set(caps.modes) >= {"t2v", "i2v", "extend", "interpolate", "inpaint", "remix", "loop"}


# ---------------------------------------------------------------------------
# Progress and cancellation
# ---------------------------------------------------------------------------


def test_progress_rises_to_one_through_every_step(engine):
    seen = []
    engine.generate(spec(), on_progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert sum(m.startswith("sampling") for _, m in seen) == 4
    assert any(m == "decoding" for _, m in seen)


def test_cancelling_stops_between_steps(engine):
    steps = []
    with pytest.raises(GenerationCancelled):
        engine.generate(
            spec(),
            on_progress=lambda f, m: steps.append(m) if m.startswith("sampling") else None,
            should_cancel=lambda: len(steps) >= 2,
        )
    assert steps == ["sampling 1/4", "sampling 2/4"]


# ---------------------------------------------------------------------------
# Given frames
# ---------------------------------------------------------------------------


def test_image_to_video_keeps_the_first_frame_exactly(engine, frames):
    image = frames[0]
    clip = engine.generate(spec(num_frames=9, keyframes=[Keyframe(0, image)]))
    assert clip.metadata["mode"] == "i2v"
    assert np.array_equal(clip.frames[0], image)  # the image itself, not its VAE round trip
    t2v = engine.generate(spec(num_frames=9))
    assert not np.array_equal(clip.frames[1:], t2v.frames[1:])  # the rest follows from it


def test_an_image_of_another_shape_is_fitted(engine, frames):
    tall = np.ascontiguousarray(np.repeat(frames[0], 2, axis=0))  # 144x128: cropped, resized
    clip = engine.generate(spec(keyframes=[Keyframe(0, tall)], width=256, height=144))
    assert clip.frames.shape == (7, 144, 256, 3)


def test_extension_keeps_the_given_frames_at_the_start(engine, frames):
    clip = engine.generate(spec(num_frames=13, keyframes=[Keyframe(0, frames[:5])]))
    assert clip.metadata["mode"] == "extend"
    assert np.array_equal(clip.frames[:5], frames[:5])


def test_inpaint_keeps_the_frames_before_the_mask(engine, frames):
    source = Clip(frames, 12.0, metadata={"id": "clip-1"})
    mask = np.zeros(9, bool)
    mask[6:] = True  # regenerate latent frame 2 (pixel frames 5-8)
    clip = engine.generate(spec(num_frames=9, source=source, mask=mask))
    assert clip.metadata["mode"] == "inpaint" and clip.metadata["parents"] == ["clip-1"]
    assert np.array_equal(clip.frames[:6], frames[:6])  # every frame outside the mask


def test_remix_strength_spans_keep_to_ignore(engine, frames):
    source = Clip(frames, 12.0)
    kept = engine.generate(spec(num_frames=9, source=source, source_strength=0.0))
    assert np.array_equal(kept.frames, roundtrip(engine, frames))
    ignored = engine.generate(spec(num_frames=9, source=source, source_strength=1.0))
    assert np.array_equal(ignored.frames, engine.generate(spec(num_frames=9)).frames)
    half = engine.generate(spec(num_frames=9, source=source, source_strength=0.5))
    assert not np.array_equal(half.frames, kept.frames)
    assert not np.array_equal(half.frames, ignored.frames)


def test_remix_runs_only_the_steps_after_its_start(engine, frames):
    dit, calls = engine.weights().dit, []
    hook = dit.register_forward_hook(lambda *a: calls.append(1))
    try:
        engine.generate(spec(num_frames=9, source=Clip(frames, 12.0), source_strength=0.5))
    finally:
        hook.remove()
    skipped = discarded_evaluations(SamplerConfig(steps=4), (1, 4, 3, 9, 16), 0.5, (1, 1, 1))
    assert 0 < skipped < 4 and len(calls) == 4 - skipped


def test_discarded_evaluations_grow_as_strength_falls():
    config, shape = SamplerConfig(steps=20), (1, 4, 3, 9, 16)
    counts = [discarded_evaluations(config, shape, s, (1, 1, 1)) for s in (0.9, 0.6, 0.3)]
    assert counts == sorted(counts) and counts[0] < counts[-1] < 20


@pytest.mark.parametrize(
    ("changes", "mode"),
    [
        ({"keyframes": "first_last"}, "interpolate"),
        ({"keyframes": "last"}, "extend"),
        ({"loop": True}, "loop"),
        ({"loop": True, "keyframes": "first"}, "loop"),
    ],
)
def test_other_modes_run(engine, frames, changes, mode):
    keys = {
        "first": [Keyframe(0, frames[0])],
        "last": [Keyframe(8, frames[8])],
        "first_last": [Keyframe(0, frames[0]), Keyframe(8, frames[8])],
    }
    if "keyframes" in changes:
        changes = {**changes, "keyframes": keys[changes["keyframes"]]}
    clip = engine.generate(spec(num_frames=9, **changes))
    assert clip.metadata["mode"] == mode and clip.frames.shape == (9, 72, 128, 3)
