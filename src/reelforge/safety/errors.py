"""The error a moderated request fails with."""

from __future__ import annotations

from reelforge.types import ReelforgeError


class ModerationBlocked(ReelforgeError):
    """A prompt, upload or output was refused by the moderation policy.

    `category` names the policy category (e.g. "sexual", "public_figures"); `rule` says
    which rule or layer decided. The API reports it as OpenAI's `moderation_blocked`; a
    blocked request costs the caller no quota.
    """

    code = "moderation_blocked"

    def __init__(
        self,
        message: str,
        *,
        category: str,
        rule: str | None = None,
        param: str | None = "prompt",
        hint: str | None = None,
    ):
        super().__init__(message, param=param, hint=hint)
        self.category = category
        self.rule = rule
