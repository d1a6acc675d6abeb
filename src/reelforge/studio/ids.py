"""Identifiers in OpenAI's style: a prefix and 32 random hex digits."""

from __future__ import annotations

import secrets


def new_id(prefix: str) -> str:
    """ "video_3f2a..." (prefix "video_"), "file-9c1e..." (prefix "file-")."""
    return f"{prefix}{secrets.token_hex(16)}"
