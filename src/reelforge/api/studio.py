"""`/v1/studio`: what the web studio needs beyond `/v1/videos`, open to API clients too
(bearer key) — a clip's page, publishing and the public feed (watch and remix others'
clips), the account (plan, usage, keys), exporting everything, deleting the account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from reelforge.api.auth import SESSION_COOKIE, current_user
from reelforge.api.forms import read_body
from reelforge.api.videos import paced
from reelforge.studio import Studio
from reelforge.studio.accounts import User

router = APIRouter(prefix="/v1/studio", tags=["studio"])
UserDep = Annotated[User, Depends(current_user)]


def _studio(request: Request) -> Studio:
    return request.app.state.studio


async def _fields(request: Request) -> dict:
    """A small JSON or form body (an empty one is no fields)."""
    if request.headers.get("content-length", "0") == "0":
        return {}
    fields, _ = await read_body(request, _studio(request).config.server.max_upload_bytes, "body")
    return fields


# -- clips ---------------------------------------------------------------------------------


@router.get("/videos/{video_id}", summary="A clip with its expansion, parents and provenance")
async def clip(request: Request, response: Response, video_id: str, user: UserDep) -> dict:
    video = await run_in_threadpool(_studio(request).clip_details, user, video_id)
    return paced(request, response, video)


@router.post("/videos/{video_id}/publish", summary="Publish a completed clip to the feed")
async def publish(request: Request, video_id: str, user: UserDep) -> dict:
    return await run_in_threadpool(_studio(request).publish_video, user, video_id)


@router.delete("/videos/{video_id}/publish", summary="Take a clip off the feed")
async def unpublish(request: Request, video_id: str, user: UserDep) -> dict:
    return await run_in_threadpool(_studio(request).unpublish_video, user, video_id)


# -- the feed ------------------------------------------------------------------------------


@router.get("/feed", summary="Published clips of every user, newest first")
async def feed(
    request: Request,
    user: UserDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 24,
    before: float | None = None,
) -> dict:
    return await run_in_threadpool(_studio(request).feed_page, user, before, limit)


@router.get("/feed/{video_id}", summary="One published clip")
async def feed_item(request: Request, video_id: str, user: UserDep) -> dict:
    return await run_in_threadpool(_studio(request).feed_item, user, video_id)


@router.get("/feed/{video_id}/content", summary="A published clip's video, thumbnail or sheet")
async def feed_content(
    request: Request, video_id: str, user: UserDep, variant: str = "video"
) -> FileResponse:
    path, media_type = await run_in_threadpool(_studio(request).feed_content, video_id, variant)
    return FileResponse(path, media_type=media_type, filename=f"{video_id}{path.suffix}")


@router.post("/feed/{video_id}/remix", summary="Remix a published clip (anyone's) as your own")
async def remix_published(
    request: Request, response: Response, video_id: str, user: UserDep
) -> dict:
    fields = await _fields(request)
    video = await run_in_threadpool(_studio(request).remix_published, user, video_id, fields)
    return paced(request, response, video)


# -- the account ---------------------------------------------------------------------------


@router.get("/account", summary="Plan, usage and quota left, jobs, keys, allowed choices")
async def account(request: Request, user: UserDep) -> dict:
    return await run_in_threadpool(_studio(request).account, user)


@router.delete("/account", summary="Delete the account and everything in it ({confirm: name})")
async def delete_account(request: Request, response: Response, user: UserDep) -> dict:
    fields = await _fields(request)
    result = await run_in_threadpool(_studio(request).delete_account, user, fields.get("confirm"))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return result


@router.post("/keys", summary="Make a new API key (shown once)")
async def create_key(request: Request, user: UserDep) -> dict:
    return await run_in_threadpool(_studio(request).create_own_key, user)


@router.delete("/keys/{key_id}", summary="Revoke one of your API keys")
async def revoke_key(request: Request, key_id: str, user: UserDep) -> dict:
    return await run_in_threadpool(_studio(request).revoke_own_key, user, key_id)


@router.get(
    "/export",
    summary="Everything you made as one zip: clips, prompts, metadata, uploads",
    response_class=FileResponse,
)
async def export(request: Request, user: UserDep) -> FileResponse:
    path = await run_in_threadpool(_studio(request).export_zip, user)
    return FileResponse(
        path,
        media_type="application/zip",
        filename=f"reelforge-{user.name}.zip",
        background=BackgroundTask(path.unlink, missing_ok=True),
    )
