import pytest

from reelforge.types import InvalidInputError
from reelforge.world.scene import Scene


def test_json_round_trip():
    scene = Scene.from_dict(
        {
            "seed": 3,
            "ground": "sand",
            "lighting": {"start": "sunset", "end": "night"},
            "weather": "rain",
            "camera": {"move": "tracking", "target": 1},
            "objects": [
                {
                    "shape": "star",
                    "color": "yellow",
                    "motion": {"kind": "fly", "direction": "left"},
                },
                {
                    "shape": "ring",
                    "color": "blue",
                    "motion": {"kind": "roll", "direction": "right"},
                },
            ],
            "occluder": {"kind": "tree", "speed": -1.0, "x": 0.6},
        }
    )
    assert Scene.from_json(scene.to_json()) == scene
    assert Scene.from_dict(scene.to_dict()) == scene


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"objects": [{"color": "mauve"}]}, "mauve"),
        ({"objects": [{"motion": {"kind": "roll", "direction": "clockwise"}}]}, "direction"),
        ({"objects": []}, "objects"),
        ({"objects": [{}] * 5}, "objects"),
        ({"camera": {"move": "tracking", "target": 2}}, "tracking"),
        ({"ground": "lava"}, "ground"),
        ({"objects": [{"x": 3}]}, "x"),
    ],
)
def test_invalid_scenes_say_what_is_wrong(data, needle):
    with pytest.raises(InvalidInputError) as e:
        Scene.from_dict(data)
    assert needle in str(e.value)
    assert e.value.param == "scene"


def test_malformed_json_is_an_input_error():
    with pytest.raises(InvalidInputError):
        Scene.from_json("{not json")


def test_a_motion_without_direction_takes_its_default():
    assert (
        Scene.from_dict({"objects": [{"motion": {"kind": "roll"}}]}).objects[0].motion.direction
        == "right"
    )
    assert (
        Scene.from_dict({"objects": [{"motion": {"kind": "orbit"}}]}).objects[0].motion.direction
        == "clockwise"
    )
