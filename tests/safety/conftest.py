"""One moderator (MiniLM loaded once) per test session, and policy variants in tmp."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from reelforge.safety import Moderator
from reelforge.safety.policy import DEFAULT_POLICY


@pytest.fixture(scope="session")
def moderator() -> Moderator:
    return Moderator.from_config().load()


@pytest.fixture
def policy_file(tmp_path) -> Callable[[Callable[[dict[str, Any]], None]], Path]:
    """A copy of the shipped policy, changed by `edit(data)`, written to tmp."""

    def write(edit: Callable[[dict[str, Any]], None]) -> Path:
        data = yaml.safe_load(DEFAULT_POLICY.read_text())
        data["examples"] = str(DEFAULT_POLICY.with_name(data["examples"]))
        data["head"]["file"] = str(DEFAULT_POLICY.with_name(data["head"]["file"]))
        edit(data)
        path = tmp_path / "policy.yaml"
        path.write_text(yaml.safe_dump(data))
        return path

    return write
