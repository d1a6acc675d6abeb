"""Prompt expansion: short prompts rewritten in the rich-caption style, nothing invented,
nothing lost."""

import pytest

from reelforge.evaluate.prompt_parser import parse_prompt
from reelforge.prompting import expand_prompt, expand_spec
from reelforge.types import GenerationSpec
from reelforge.world.captions import short_prompts
from reelforge.world.sampler import sample_scene


@pytest.mark.parametrize(
    ("prompt", "expanded"),
    [
        (
            "red ball bouncing left at dusk, slow pan right",
            "Sunset. A red ball bounces to the left. The camera slowly pans to the right.",
        ),
        (
            "two big blue boxes tumble along quickly to the right on the beach in light rain",
            "Sandy ground in the rain. A large blue cube rolls quickly to the right. "
            "Another large blue cube rolls quickly to the right.",
        ),
        (
            "At midnight a little glass marble hovers high, the camera follows the marble, "
            "street lamps switch on",
            "Night. A small glass ball hovers high in the air. The camera follows the ball. "
            "Street lamps switch on as it gets dark.",
        ),
        (
            "the red cube knocks a green cone to the left twice, a tree crosses in front "
            "from left to right",
            "A red cube moves to the left. A green cone moves to the left. The red cube hits the "
            "green cone twice and knocks it to the left. A tree passes in front from left to "
            "right.",
        ),
        ("balls falling as night falls", "Night falls. Several balls fall to the ground."),
        ("6 pink stars orbit clockwise", "6 pink stars circle clockwise."),
    ],
)
def test_short_prompts_become_captions(prompt, expanded):
    e = expand_prompt(prompt)
    assert e.expanded == expanded
    assert parse_prompt(e.expanded) == e.understood == parse_prompt(prompt)


@pytest.mark.parametrize(
    "caption",
    [
        "Night over a wooden floor. A medium-sized purple glass ring circles slowly "
        "counterclockwise. The camera pans to the left. Street lamps glow.",
        "Dawn turning to noon over sandy ground. A large green metal cube flies quickly to the "
        "left and leaves the frame. A tree stands in the foreground. The camera holds still.",
        "Noon over open water in the rain. A large red wooden ball bounces in place and then "
        "comes to rest. A small white rubber cone rests on the ground. The red ball hits the "
        "white cone and bounces back. The camera follows the red ball.",
    ],
)
def test_a_rich_caption_expands_to_itself(caption):
    assert expand_prompt(caption).expanded == caption


def test_world_short_prompts_read_back_the_same_constraints():
    checked = 0
    for seed in range(40):
        for prompt in short_prompts(sample_scene(seed), count=3, seed=seed):
            e = expand_prompt(prompt)
            assert parse_prompt(e.expanded) == parse_prompt(prompt), (prompt, e.expanded)
            assert len(e.expanded) >= len(prompt.rstrip(".")) * 0.6
            checked += 1
    assert checked == 120


def test_nothing_is_invented():
    e = expand_prompt("a red ball")
    assert e.expanded == "A red ball."
    c = parse_prompt(e.expanded)
    assert c.time_of_day is None and c.ground is None and c.camera is None and c.weather is None


def test_unknown_words_pass_through_verbatim_at_the_end():
    e = expand_prompt("a Purple ELEPHANT dances at night, cinematic")
    assert e.unknown == ["Purple ELEPHANT dances"]
    assert e.expanded == "Night. Purple ELEPHANT dances."
    assert parse_prompt(e.expanded).unknown == parse_prompt(e.text).unknown

    e = expand_prompt("A red cube rolls left next to a cat playing the piano!")
    assert e.expanded.startswith("A red cube rolls to the left.")
    assert e.expanded.endswith("cat playing the piano.")
    assert e.unknown == ["cat playing the piano"]


def test_expand_spec_fills_the_expansion_only_when_asked():
    spec = expand_spec(GenerationSpec("red ball at dusk"))
    assert (spec.prompt, spec.expanded_prompt) == ("red ball at dusk", "Sunset. A red ball.")
    assert expand_spec(GenerationSpec("red ball", expand_prompt=False)).expanded_prompt is None
