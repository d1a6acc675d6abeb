"""`/v1/studio/session`: the web studio's sign-in. A person gives an API key once and
gets an httpOnly, SameSite=Strict cookie; every route then accepts that cookie as it
accepts the key (api/auth.py). Signing out ends the session on the server too."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from reelforge.api.auth import SESSION_COOKIE, current_user
from reelforge.api.forms import read_body
from reelforge.studio import Studio
from reelforge.studio.accounts import User
from reelforge.studio.session import SESSION_DAYS

router = APIRouter(prefix="/v1/studio/session", tags=["studio"])
UserDep = Annotated[User, Depends(current_user)]


def _studio(request: Request) -> Studio:
    return request.app.state.studio


def _session(user: User) -> dict:
    return {"object": "session", "user": {"name": user.name, "plan": user.plan}}


@router.post("", summary="Sign in with an API key: sets the session cookie")
async def sign_in(request: Request, response: Response) -> dict:
    studio = _studio(request)
    fields, _ = await read_body(request, studio.config.server.max_upload_bytes, "body")
    token, user = await run_in_threadpool(studio.open_session, fields.get("api_key"))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_DAYS * 86400,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return _session(user)


@router.get("", summary="Who is signed in (401 when no one is)")
async def whoami(user: UserDep) -> dict:
    return _session(user)


@router.delete("", summary="Sign out: ends the session and clears the cookie")
async def sign_out(request: Request, response: Response) -> dict:
    await run_in_threadpool(_studio(request).close_session, request.cookies.get(SESSION_COOKIE))
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return {"object": "session", "signed_out": True}
