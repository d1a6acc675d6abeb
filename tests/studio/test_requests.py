"""Reading request fields: good values come back parsed, bad ones name their field."""

from __future__ import annotations

import pytest

from reelforge.studio.requests import STRENGTHS, prompt_of, seconds_of, size_of, strength_of
from reelforge.types import InvalidInputError


def refused(fn, *args, param: str, **kwargs) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as e:
        fn(*args, **kwargs)
    assert e.value.param == param
    return e.value


# -- prompt -------------------------------------------------------------------------------


def test_prompt_is_stripped():
    assert prompt_of("  a red kite \n", 100) == "a red kite"


@pytest.mark.parametrize("value", [None, "", "   ", 5, ["a"]])
def test_prompt_must_be_a_non_empty_string(value):
    refused(prompt_of, value, 100, param="prompt")


def test_prompt_length_limit_counts_the_stripped_text():
    assert prompt_of(" " + "a" * 10 + " ", 10) == "a" * 10
    error = refused(prompt_of, "a" * 11, 10, param="prompt")
    assert "11 characters" in str(error)


def test_prompt_param_is_the_callers():
    with pytest.raises(InvalidInputError, match=r"remix\.prompt must be") as e:
        prompt_of("", 10, param="remix.prompt")
    assert e.value.param == "remix.prompt"


# -- size ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "parsed"),
    [("1280x720", (1280, 720)), ("720X1280", (720, 1280)), (" 480 x 854 ", (480, 854))],
)
def test_size_parses(value, parsed):
    assert size_of(value) == parsed


@pytest.mark.parametrize(
    "value", ["1280", "1280x", "x720", "1280*720", "-1x5", "0x720", 1280, None]
)
def test_size_refuses_the_rest(value):
    refused(size_of, value, param="size")


# -- seconds ------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "parsed"), [("8", 8), (" 8 ", 8), (8, 8), ("12", 12)])
def test_seconds_parse(value, parsed):
    assert seconds_of(value) == parsed


@pytest.mark.parametrize("value", ["0", 0, -4, "-4", "4.5", 4.5, "four", "", None, True])
def test_seconds_refuse_the_rest(value):
    refused(seconds_of, value, param="seconds")


def test_seconds_param_is_the_callers():
    with pytest.raises(InvalidInputError) as e:
        seconds_of("x", param="extend_seconds")
    assert e.value.param == "extend_seconds"


# -- strength -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "parsed"),
    [("mild", STRENGTHS["mild"]), (" Strong ", STRENGTHS["strong"]), ("0.3", 0.3), (1, 1.0)],
)
def test_strength_parses(value, parsed):
    assert strength_of(value, 0.5) == pytest.approx(parsed)


def test_strength_absent_is_the_default():
    assert strength_of(None, 0.42) == 0.42


@pytest.mark.parametrize("value", ["heavy", "1.5", -0.1, "nan", [0.5], ""])
def test_strength_refuses_the_rest(value):
    refused(strength_of, value, 0.5, param="strength")
