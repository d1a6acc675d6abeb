"""The service's own refusals, beside the core errors of `reelforge.types`.

The API turns each into an OpenAI-style error with its status code (api/errors.py).
"""

from __future__ import annotations

from reelforge.types import ReelforgeError


class AuthenticationError(ReelforgeError):
    """No key, or a key that is unknown or revoked."""

    code = "invalid_api_key"


class QuotaExceededError(ReelforgeError):
    """The plan's monthly seconds are used up."""

    code = "insufficient_quota"


class ConflictError(ReelforgeError):
    """The request does not fit the thing's current state (e.g. remixing a failed video)."""

    code = "conflict"


class TooLargeError(ReelforgeError):
    """An upload past the configured size limit."""

    code = "file_too_large"


class PermissionDeniedError(ReelforgeError):
    """A valid key without the right to do this (e.g. a non-admin reviewing)."""

    code = "permission_denied"
