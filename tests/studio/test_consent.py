"""The `consent` attestation as JSON and form fields send it."""

from __future__ import annotations

import pytest

from reelforge.studio.moderation import consent_of
from reelforge.types import InvalidInputError


@pytest.mark.parametrize("value", [True, "true", "True", "1", "yes", "on"])
def test_consent_given(value):
    assert consent_of(value) is True


@pytest.mark.parametrize("value", [None, False, "false", "0", "no", "off", ""])
def test_consent_not_given(value):
    assert consent_of(value) is False


@pytest.mark.parametrize("value", ["maybe", "2", {"a": 1}])
def test_anything_else_is_refused_naming_the_field(value):
    with pytest.raises(InvalidInputError) as caught:
        consent_of(value)
    assert caught.value.param == "consent"
