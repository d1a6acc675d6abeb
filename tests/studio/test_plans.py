"""A plan's limits: resolution by the short side (either orientation), clip length,
retention."""

from __future__ import annotations

import pytest

from reelforge.studio.plans import PlanLimits, read_plans
from reelforge.types import InvalidInputError

PLUS = PlanLimits("plus", max_short_side=480, max_seconds=10, concurrency=1, retention_days=30)


@pytest.mark.parametrize("size", [(854, 480), (480, 854), (480, 480), (64, 64), (4000, 300)])
def test_sizes_within_the_short_side_pass(size):
    PLUS.check_size(*size)


@pytest.mark.parametrize("size", [(1280, 720), (720, 1280), (481, 481)])
def test_sizes_above_the_short_side_are_refused(size):
    with pytest.raises(InvalidInputError, match=r"plus plan's 480p limit") as e:
        PLUS.check_size(*size)
    assert e.value.param == "size"
    assert f"{size[0]}x{size[1]}" in str(e.value)


def test_seconds_up_to_the_limit_pass():
    PLUS.check_seconds(10)
    PLUS.check_seconds(0.5)


@pytest.mark.parametrize("param", ["seconds", "extend.seconds"])
def test_seconds_over_the_limit_name_the_param(param):
    with pytest.raises(InvalidInputError, match=r"12 seconds .* plus plan's 10 s limit") as e:
        PLUS.check_seconds(12, param=param)
    assert e.value.param == param


def test_retention_in_seconds_and_zero_means_forever():
    assert PLUS.retention_s == 30 * 86400
    forever = PlanLimits("pro", max_short_side=1080, max_seconds=20, concurrency=5)
    assert forever.retention_s is None


def test_read_plans_refuses_an_empty_table():
    with pytest.raises(InvalidInputError, match="no plans"):
        read_plans({})


def test_read_plans_lists_known_keys_for_a_typo():
    with pytest.raises(InvalidInputError, match=r"known: .*max_seconds") as e:
        read_plans({"x": {"max_short_side": 1, "max_secs": 1, "concurrency": 1}})
    assert e.value.param == "plans"
