import numpy as np
import pytest

from reelforge.types import Clip, GenerationSpec, InvalidInputError, Keyframe


def _frames(t=3, h=4, w=6):
    return np.zeros((t, h, w, 3), np.uint8)


def test_clip_reports_its_shape_and_duration():
    clip = Clip(_frames(24), fps=12, audio=np.zeros(48_000 * 2, np.float32))
    assert (clip.num_frames, clip.height, clip.width, clip.duration) == (24, 4, 6, 2.0)
    assert clip.audio.shape == (1, 96_000) and clip.has_audio  # mono promoted to (1, S)
    assert not Clip(_frames(), fps=1).has_audio


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"frames": np.zeros((3, 4, 6), np.uint8)}, "frames"),
        ({"frames": _frames().astype(np.float32)}, "frames"),
        ({"frames": _frames(t=0)}, "frames"),
        ({"fps": 0}, "fps"),
        ({"audio": np.zeros((3, 10), np.float32)}, "audio"),
    ],
)
def test_bad_clips_name_the_field(kwargs, param):
    args = {"frames": _frames(), "fps": 12.0, **kwargs}
    with pytest.raises(InvalidInputError) as e:
        Clip(**args)
    assert e.value.param == param


def test_keyframes_and_specs():
    key = Keyframe(0, np.zeros((4, 6, 3), np.uint8))
    assert key.frames.shape == (1, 4, 6, 3)
    with pytest.raises(InvalidInputError):
        Keyframe(0, _frames(), strength=2.0)
    spec = GenerationSpec("a red ball", num_frames=48, fps=12, keyframes=[key])
    assert spec.seconds == 4.0
