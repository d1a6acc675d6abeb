"""Remix as a user sees it: the clip's length, size, fps and sound kept, named strengths,
and a weaker remix staying closer to the clip."""

import numpy as np
import pytest

from reelforge.edit.extend import Sampling
from reelforge.edit.remix import STRENGTHS, remix, strength_of
from reelforge.engines.frames import resize
from reelforge.engines.native import NativeEngine
from reelforge.engines.native_weights import save_random_weights
from reelforge.types import Clip, InvalidInputError
from reelforge.world.clip import render_clip
from reelforge.world.sampler import sample_scene


@pytest.mark.parametrize(
    ("given", "value"), [("subtle", 0.35), ("Mild", 0.55), ("0.2", 0.2), (1, 1.0)]
)
def test_strengths_by_name_or_number(given, value):
    assert strength_of(given) == value


@pytest.mark.parametrize("given", ["wild", "1.5", -0.1])
def test_bad_strengths_are_refused_naming_the_choices(given):
    with pytest.raises(InvalidInputError) as caught:
        strength_of(given)
    assert caught.value.param == "strength"


def test_a_remix_of_an_upload_keeps_its_shape_and_sound(tmp_path):
    world = render_clip(sample_scene(3), 128, 72, 12.0, 1.0)
    frames = resize(np.repeat(world.frames, 2, axis=0), (160, 90))
    upload = Clip(frames, 24.0, world.audio, world.sample_rate, {"source": "up.mp4"})
    engine = NativeEngine(save_random_weights(tmp_path))
    out = remix(upload, engine, "a blue cube at night", "strong", sampling=Sampling(steps=2))
    assert out.frames.shape == upload.frames.shape and out.fps == 24.0
    assert np.array_equal(out.audio, upload.audio)
    assert out.metadata["operation"] == "remix" and out.metadata["edit"]["strength"] == 0.8
    assert out.metadata["mode"] == "remix" and out.metadata["parents"][0]["source"] == "up.mp4"


def test_a_subtle_remix_stays_closer_to_the_clip_than_a_strong_one():
    clip = render_clip(sample_scene(7), 128, 72, 12.0, 1.0, audio=False)
    engine = NativeEngine()

    def distance(strength):
        out = remix(clip, engine, "a blue cube at night", strength, sampling=Sampling(steps=4))
        return np.abs(out.frames.astype(float) - clip.frames).mean()

    assert distance(STRENGTHS["subtle"]) < distance(STRENGTHS["strong"])
