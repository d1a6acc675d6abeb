from collections import Counter

import numpy as np
import pytest

from reelforge.types import InvalidInputError
from reelforge.world.physics import simulate
from reelforge.world.sampler import sample_scene
from reelforge.world.scene import CAMERA_MOVES, GROUNDS, MOTIONS, SHAPES, TIMES_OF_DAY, WEATHERS

SCENES = [sample_scene(s) for s in range(600)]


def test_same_seed_same_scene_and_seeds_differ():
    assert sample_scene(42) == sample_scene(42)
    assert len({s.to_json() for s in SCENES}) == len(SCENES)


def test_the_distribution_covers_the_whole_world():
    objects = [o for s in SCENES for o in s.objects]
    assert {o.motion.kind for o in objects} == set(MOTIONS)
    assert {o.shape for o in objects} == set(SHAPES)
    assert {s.camera.move for s in SCENES} == set(CAMERA_MOVES)
    assert {s.ground for s in SCENES} == set(GROUNDS)
    assert {s.weather for s in SCENES} == set(WEATHERS)
    assert {s.lighting.start for s in SCENES} == set(TIMES_OF_DAY)
    assert any(s.lighting.end for s in SCENES) and any(s.occluder for s in SCENES)
    counts = Counter(len(s.objects) for s in SCENES)
    assert set(counts) == {1, 2, 3, 4}


def test_colours_never_hide_in_their_setting():
    for s in SCENES:
        for o in s.objects:
            if s.ground == "snow" or s.weather == "snow":
                assert o.color != "white"
            if "night" in (s.lighting.start, s.lighting.end):
                assert o.color != "black"


@pytest.mark.parametrize("aspect", [16 / 9, 9 / 16])
def test_dynamic_objects_never_start_overlapping(aspect):
    for s in SCENES[:150]:
        sim = simulate(s, 0.05, aspect)
        start_hits = [e for e in sim.impacts if e.kind == "collision" and e.time < 0.02]
        assert not start_hits, s


def test_tracking_follows_a_moving_object():
    tracked = [s for s in SCENES if s.camera.move == "tracking"]
    assert tracked
    for s in tracked:
        assert s.objects[s.camera.target].motion.direction in ("left", "right")


def test_negative_seed_is_refused():
    with pytest.raises(InvalidInputError):
        sample_scene(-1)


def test_start_positions_spread_across_the_frame():
    xs = np.array([o.x for s in SCENES for o in s.objects])
    assert xs.min() < -0.3 and xs.max() > 0.3
