"""What the account page offers: the sizes and lengths of a plan."""

from __future__ import annotations

from reelforge.studio.account import SIZES, choices


def test_a_480p_plan_offers_sizes_up_to_480p_in_every_aspect():
    offered = choices(480, 10)
    assert offered["sizes"]["16:9"] == ["128x72", "640x360", "854x480"]
    assert offered["sizes"]["9:16"] == ["72x128", "360x640", "480x854"]
    assert offered["sizes"]["1:1"] == ["96x96", "480x480"]
    assert offered["seconds"] == [4, 8]


def test_a_1080p_plan_offers_every_size_and_a_short_plan_its_own_length():
    assert choices(1080, 20)["sizes"] == SIZES
    assert choices(1080, 3)["seconds"] == [3]
