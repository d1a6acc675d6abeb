"""`/v1/videos`: what the `openai` SDK's `client.videos` sends, route by route."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from reelforge.api.auth import current_user
from reelforge.api.forms import read_body
from reelforge.studio import Studio
from reelforge.studio.accounts import User
from reelforge.studio.requests import Upload, VideoRef
from reelforge.types import InvalidInputError

router = APIRouter(prefix="/v1/videos", tags=["videos"])
UserDep = Annotated[User, Depends(current_user)]
POLL_HEADER = "openai-poll-after-ms"


def _studio(request: Request) -> Studio:
    return request.app.state.studio


def paced(request: Request, response: Response, video: dict) -> dict:
    """Tell pollers when to ask again while the video is not finished."""
    if video["status"] in ("queued", "in_progress"):
        response.headers[POLL_HEADER] = str(_studio(request).config.server.poll_after_ms)
    return video


async def _body(request: Request, upload: str):
    """The request's (fields, files); `upload` is the route's file field (see read_body)."""
    return await read_body(request, _studio(request).config.server.max_upload_bytes, upload)


@router.post("", summary="Create a video from a prompt (and optionally a first frame)")
async def create_video(request: Request, response: Response, user: UserDep) -> dict:
    fields, files = await _body(request, "input_reference")
    reference = files.get("input_reference") or fields.get("input_reference")
    if isinstance(reference, str):
        raise InvalidInputError(
            "input_reference must be an image file, {image_url} or {file_id}",
            param="input_reference",
        )
    video = await run_in_threadpool(_studio(request).create_video, user, fields, reference)
    return paced(request, response, video)


@router.get("", summary="List your videos, newest first")
async def list_videos(
    request: Request,
    user: UserDep,
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    order: str = "desc",
) -> dict:
    return await run_in_threadpool(_studio(request).list_videos, user, after, limit, order)


@router.post("/edits", summary="Edit a video with a prompt")
async def edit_video(request: Request, response: Response, user: UserDep) -> dict:
    fields, files = await _body(request, "video")
    ref = _video_ref(fields, files)
    video = await run_in_threadpool(_studio(request).edit_video, user, fields, ref)
    return paced(request, response, video)


@router.post("/extensions", summary="Extend a video by more seconds")
async def extend_video(request: Request, response: Response, user: UserDep) -> dict:
    fields, files = await _body(request, "video")
    ref = _video_ref(fields, files)
    video = await run_in_threadpool(_studio(request).extend_video, user, fields, ref)
    return paced(request, response, video)


@router.post("/characters", summary="Create a character from a short video")
async def create_character(request: Request, user: UserDep) -> dict:
    fields, files = await _body(request, "video")
    studio = _studio(request)
    return await run_in_threadpool(studio.create_character, user, fields, files.get("video"))


@router.get("/characters/{character_id}", summary="Get a character")
async def get_character(request: Request, character_id: str, user: UserDep) -> dict:
    return await run_in_threadpool(_studio(request).get_character, user, character_id)


@router.get("/{video_id}", summary="Get a video job")
async def get_video(request: Request, response: Response, video_id: str, user: UserDep) -> dict:
    video = await run_in_threadpool(_studio(request).get_video, user, video_id)
    return paced(request, response, video)


@router.delete("/{video_id}", summary="Delete a video (a queued or running one is cancelled)")
async def delete_video(request: Request, video_id: str, user: UserDep) -> dict:
    return await run_in_threadpool(_studio(request).delete_video, user, video_id)


@router.get("/{video_id}/content", summary="Download the video, thumbnail or spritesheet")
async def video_content(
    request: Request, video_id: str, user: UserDep, variant: str = "video"
) -> FileResponse:
    path, media_type = await run_in_threadpool(
        _studio(request).video_content, user, video_id, variant
    )
    return FileResponse(path, media_type=media_type, filename=f"{video_id}{path.suffix}")


@router.post("/{video_id}/remix", summary="Remix a completed video with a new prompt")
async def remix_video(request: Request, response: Response, video_id: str, user: UserDep) -> dict:
    fields, _ = await _body(request, "body")
    video = await run_in_threadpool(_studio(request).remix_video, user, video_id, fields)
    return paced(request, response, video)


def _video_ref(fields: dict, files: dict[str, Upload]) -> VideoRef:
    """`video` as a file part, or {id} (JSON object or `video[id]` form field)."""
    if "video" in files:
        return VideoRef(upload=files["video"])
    value = fields.get("video")
    if isinstance(value, dict) and isinstance(value.get("id"), str) and value["id"]:
        return VideoRef(video_id=value["id"])
    raise InvalidInputError(
        "video is required: a video file, or {id} of one of your completed videos",
        param="video",
    )
