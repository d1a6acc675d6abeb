"""The judge's calibration clips, rendered once per test session."""

from __future__ import annotations

import pytest
from calibration_scenes import SCENES, render

from reelforge.types import Clip


@pytest.fixture(scope="session")
def clips() -> list[Clip]:
    return [render(s) for s in SCENES]
