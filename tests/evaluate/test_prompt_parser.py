"""parse_prompt: synonyms, counts, word order, motion attached to the right object,
unknown words reported instead of guessed."""

from __future__ import annotations

import json

import pytest

from reelforge.evaluate import ObjectConstraint, parse_prompt


def _objects(text: str) -> list[dict]:
    return [o.model_dump(exclude_defaults=True) for o in parse_prompt(text).objects]


@pytest.mark.parametrize(
    "text",
    [
        "at sunset a red ball bounces to the right",
        "red ball bouncing rightward, sunset",
        "A crimson sphere hopping towards the right during golden hour",
        "sunset: bouncing to the right, a red ball",
    ],
)
def test_word_order_and_synonyms_give_the_same_constraints(text):
    c = parse_prompt(text)
    assert c.objects == (
        ObjectConstraint(color="red", shape="ball", motion="bounce", direction="right"),
    )
    assert c.time_of_day == "sunset"
    assert c.unknown == ()


@pytest.mark.parametrize(
    ("text", "count", "at_least"),
    [
        ("two red balls", 2, False),
        ("a pair of red balls", 2, False),
        ("3 red balls", 3, False),
        ("red balls", 2, True),
        ("a red ball and a red ball", 2, False),
        ("a red ball", 1, False),
    ],
)
def test_counts(text, count, at_least):
    (obj,) = parse_prompt(text).objects
    assert (obj.color, obj.shape, obj.count, obj.at_least) == ("red", "ball", count, at_least)


def test_each_motion_goes_to_its_own_object():
    assert _objects("a red ball rolls left while a blue cube stays still") == [
        {"color": "red", "shape": "ball", "motion": "roll", "direction": "left"},
        {"color": "blue", "shape": "cube", "motion": "stay"},
    ]
    assert _objects("a green star flies right and a yellow cone falls") == [
        {"color": "green", "shape": "star", "motion": "fly", "direction": "right"},
        {"color": "yellow", "shape": "cone", "motion": "fall"},
    ]


def test_a_shared_verb_moves_every_object_it_follows():
    assert _objects("a red ball and a blue cube bounce") == [
        {"color": "red", "shape": "ball", "motion": "bounce"},
        {"color": "blue", "shape": "cube", "motion": "bounce"},
    ]


def test_motion_inside_the_noun_phrase_and_references_back():
    assert _objects("a bouncing red ball") == [
        {"color": "red", "shape": "ball", "motion": "bounce"}
    ]
    assert _objects("a red ball and a blue cube. the cube rolls left") == [
        {"color": "red", "shape": "ball"},
        {"color": "blue", "shape": "cube", "motion": "roll", "direction": "left"},
    ]


def test_size_material_and_orbit_sense():
    assert _objects("a small wooden ring orbiting anticlockwise") == [
        {"shape": "ring", "size": "small", "material": "wood", "motion": "orbit",
         "direction": "counterclockwise"},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "camera"),
    [
        ("the camera pans left over a red ball", "pan_left"),
        ("panning to the right, a cube rolls", "pan_right"),
        ("the camera moves up as a ball rises", "tilt_up"),
        ("slow push-in on a blue cylinder", "push_in"),
        ("zoom out from a star", "pull_out"),
        ("tracking shot of a rolling ball", "tracking"),
        ("static camera, a cube sits still", "static"),
    ],
)
def test_camera_moves(text, camera):
    assert parse_prompt(text).camera == camera


def test_scene_settings_and_a_change_of_light():
    c = parse_prompt("a ball rolls across the sand in the rain, dusk turning to night")
    assert (c.ground, c.weather, c.time_of_day, c.time_of_day_end) == (
        "sand",
        "rain",
        "sunset",
        "night",
    )
    c = parse_prompt("a red cube on the snow at noon")
    assert (c.ground, c.weather) == ("snow", None)
    c = parse_prompt("it is snowing on a meadow as night falls")
    assert (c.weather, c.ground, c.time_of_day_end) == ("snow", "grass", "night")


def test_unknown_words_are_reported_not_guessed():
    c = parse_prompt("a cinematic 4k shot of a purple elephant dancing next to a green star")
    assert _objects("a purple elephant next to a green star") == [
        {"color": "green", "shape": "star"}
    ]
    assert "purple elephant" in c.unknown
    assert "dancing" in c.unknown
    assert not {"a", "cinematic", "4k", "shot", "of", "next", "to"} & set(c.unknown)


def test_constraints_are_json():
    c = parse_prompt("two red balls bounce left at night")
    data = json.loads(json.dumps(c.to_dict()))
    assert data["objects"][0]["count"] == 2
    assert type(c).model_validate(data) == c


def test_a_direction_after_a_comma_belongs_to_the_clause_before_it():
    c = parse_prompt(
        "A small blue pyramid falls to the ground, moving to the right. A pink ball flies."
    )
    assert [(o.shape, o.motion, o.direction) for o in c.objects] == [
        ("pyramid", "fall", "right"),
        ("ball", "fly", None),
    ]
    # after a full stop it waits for the next object instead
    c = parse_prompt("A red ball bounces. Moving to the left, a blue cube rolls.")
    assert [(o.shape, o.direction) for o in c.objects] == [("ball", None), ("cube", "left")]
