"""`/v1/admin`: the review queue and the moderation log, for users with the admin role
(`reelforge keys create --user NAME --admin`); anyone else gets 403."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from reelforge.api.auth import current_user
from reelforge.api.forms import read_body
from reelforge.studio import Studio
from reelforge.studio.accounts import User

router = APIRouter(prefix="/v1/admin", tags=["admin"])
UserDep = Annotated[User, Depends(current_user)]


def _studio(request: Request) -> Studio:
    return request.app.state.studio


@router.get("/reviews", summary="Videos held for moderation review, oldest first")
async def list_reviews(request: Request, user: UserDep) -> dict:
    return await run_in_threadpool(_studio(request).pending_reviews, user)


@router.get("/reviews/{video_id}/content", summary="Download a held video to review it")
async def review_content(
    request: Request, video_id: str, user: UserDep, variant: str = "video"
) -> FileResponse:
    path, media_type = await run_in_threadpool(
        _studio(request).review_content, user, video_id, variant
    )
    return FileResponse(path, media_type=media_type, filename=f"{video_id}{path.suffix}")


@router.post("/reviews/{video_id}/approve", summary="Release a held video to its owner")
async def approve(request: Request, video_id: str, user: UserDep) -> dict:
    return await run_in_threadpool(_studio(request).approve_video, user, video_id)


@router.post("/reviews/{video_id}/reject", summary="Reject a held video (it fails, refunded)")
async def reject(request: Request, video_id: str, user: UserDep) -> dict:
    studio = _studio(request)
    fields: dict = {}
    if request.headers.get("content-length", "0") != "0":  # the reason is optional
        fields, _ = await read_body(request, studio.config.server.max_upload_bytes, "body")
    return await run_in_threadpool(studio.reject_video, user, video_id, fields.get("reason"))


@router.get("/moderation", summary="The moderation log: every decision, newest first")
async def moderation_log(
    request: Request,
    user: UserDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    before: int | None = None,
) -> dict:
    return await run_in_threadpool(_studio(request).moderation_log, user, limit, before)
