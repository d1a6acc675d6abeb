"""Every API route needs a key: `Authorization: Bearer KEY` (as the SDK sends it), or the
web studio's session cookie (api/session.py), which a browser gets by signing in with a
key. A bearer key wins when both are sent.

Cookie requests that change something must come from the studio's own pages: the cookie
is SameSite=Strict, and an `Origin` naming another site is refused as well (a defence for
browsers that ignore SameSite)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from reelforge.studio import Studio
from reelforge.studio.accounts import User
from reelforge.studio.errors import PermissionDeniedError

SESSION_COOKIE = "reelforge_session"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


async def current_user(request: Request) -> User:
    studio: Studio = request.app.state.studio
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    token = request.cookies.get(SESSION_COOKIE)
    if scheme.lower() != "bearer" and token:
        _check_origin(request)
        return await run_in_threadpool(studio.session_user, token)
    return await run_in_threadpool(
        studio.authenticate, key.strip() if scheme.lower() == "bearer" else None
    )


def _check_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    if request.method in SAFE_METHODS or not origin:
        return
    if urlsplit(origin).netloc != request.headers.get("host"):
        raise PermissionDeniedError(
            f"a signed-in request from another site ({origin}) is refused", param="origin"
        )
