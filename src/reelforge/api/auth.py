"""Every API route needs a key: `Authorization: Bearer KEY` (as the SDK sends it)."""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from reelforge.studio import Studio
from reelforge.studio.accounts import User


async def current_user(request: Request) -> User:
    studio: Studio = request.app.state.studio
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    return await run_in_threadpool(
        studio.authenticate, key.strip() if scheme.lower() == "bearer" else None
    )
