"""The shared size and length policy, the mode a spec asks for, and the registry."""

import numpy as np
import pytest

from reelforge.engines import Capabilities, get_engine, list_engines, mode_of
from reelforge.types import Clip, GenerationSpec, Keyframe, NotFoundError, UnsupportedError

CAPS = Capabilities(
    modes=("t2v", "i2v"),
    sizes={"16:9": ((256, 144), (128, 72)), "9:16": ((72, 128),), "1:1": ((96, 96),)},
    fps=(12.0,),
    max_frames=49,
    frame_step=4,
    upscale=True,
    max_upscale=4.0,
)


@pytest.mark.parametrize(
    ("size", "native"),
    [
        ((256, 144), (256, 144)),  # native: as is
        ((128, 72), (128, 72)),
        ((192, 108), (128, 72)),  # between two natives: the larger that fits, upscaled
        ((1024, 576), (256, 144)),  # 4x: the limit
        ((1920, 1080), None),  # past 4x
        ((96, 54), None),  # below the smallest
        ((100, 100), (96, 96)),
        ((400, 300), None),  # 4:3: no native size
    ],
)
def test_sizes_map_to_the_native_size_that_makes_them(size, native):
    if native is None:
        with pytest.raises(UnsupportedError) as e:
            CAPS.native_size(*size)
        assert "16:9 at 256x144 or 128x72; 9:16 at 72x128; 1:1 at 96x96" in str(e.value)
    else:
        assert CAPS.native_size(*size) == native


def test_without_upscaling_only_native_sizes_are_made():
    caps = Capabilities(("t2v",), {"1:1": ((64, 64),)}, (24.0,), 9)
    assert caps.native_size(64, 64) == (64, 64)
    with pytest.raises(UnsupportedError, match="larger than this engine makes"):
        caps.native_size(65, 65)


@pytest.mark.parametrize(("frames", "made"), [(1, 1), (2, 5), (5, 5), (48, 49), (49, 49)])
def test_frame_counts_round_up_to_the_frame_rule(frames, made):
    assert CAPS.generated_frames(frames) == made
    assert CAPS.frame_rule == "1+4k"


def test_plan_checks_length_fps_and_mode():
    plan = CAPS.plan(GenerationSpec("x", 512, 288, num_frames=48, fps=12))
    assert (plan.native, plan.frames, plan.size, plan.upscaled) == (
        (256, 144),
        49,
        (512, 288),
        True,
    )
    with pytest.raises(UnsupportedError, match="at most 49 frames"):
        CAPS.plan(GenerationSpec("x", 256, 144, num_frames=50, fps=12))
    with pytest.raises(UnsupportedError, match="remix is not supported; supported modes: t2v, i2v"):
        CAPS.plan(GenerationSpec("x", 256, 144, source=Clip(np.zeros((1, 2, 2, 3), np.uint8), 12)))
    with pytest.raises(UnsupportedError, match="supported aspects: 16:9, 9:16, 1:1"):
        CAPS.default_size("4:3")


def test_mode_of_a_spec():
    one, three = np.zeros((1, 8, 8, 3), np.uint8), np.zeros((3, 8, 8, 3), np.uint8)
    src = Clip(three, 12)

    def mode(**kw):
        return mode_of(GenerationSpec("x", num_frames=9, **kw))

    assert mode() == "t2v"
    assert mode(keyframes=[Keyframe(0, one)]) == "i2v"
    assert mode(keyframes=[Keyframe(0, three)]) == "extend"
    assert mode(keyframes=[Keyframe(6, three)]) == "extend"  # leads into the end
    assert mode(keyframes=[Keyframe(0, one), Keyframe(8, one)]) == "interpolate"
    assert mode(source=src) == "remix"
    assert mode(source=src, mask=np.ones(9, bool)) == "inpaint"
    assert mode(loop=True) == "loop"
    assert mode(characters=["ada"]) == "characters"


def test_registry_lists_and_refuses_by_name():
    assert [e.name for e in list_engines()] == ["native", "ltx", "wan"]
    with pytest.raises(NotFoundError, match="available: native, ltx, wan"):
        get_engine("sora")
