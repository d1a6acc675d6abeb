"""`/v1/files` (upload, get, delete) and `/v1/models`: the parts of the OpenAI API that
video clients lean on (an `input_reference` may name an uploaded file by `file_id`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from reelforge.api.auth import current_user
from reelforge.api.forms import read_body
from reelforge.studio import Studio
from reelforge.studio.accounts import User
from reelforge.types import InvalidInputError

router = APIRouter(prefix="/v1", tags=["files"])
UserDep = Annotated[User, Depends(current_user)]


def _studio(request: Request) -> Studio:
    return request.app.state.studio


@router.post("/files", summary="Upload a file (e.g. an image to use as input_reference)")
async def upload_file(request: Request, user: UserDep) -> dict:
    studio = _studio(request)
    fields, files = await read_body(request, studio.config.server.max_upload_bytes)
    if "file" not in files:
        raise InvalidInputError("file (a file part) is required", param="file")
    return await run_in_threadpool(studio.upload_file, user, files["file"], fields.get("purpose"))


@router.get("/files/{file_id}", summary="Get an uploaded file's metadata")
async def get_file(request: Request, file_id: str, user: UserDep) -> dict:
    return await run_in_threadpool(_studio(request).get_file, user, file_id)


@router.delete("/files/{file_id}", summary="Delete an uploaded file")
async def delete_file(request: Request, file_id: str, user: UserDep) -> dict:
    return await run_in_threadpool(_studio(request).delete_file, user, file_id)


@router.get("/models", summary="The model names this server accepts", tags=["models"])
async def list_models(request: Request, user: UserDep) -> dict:
    names = _studio(request).ctx.engines.models()
    data = [{"id": n, "object": "model", "created": 0, "owned_by": "reelforge"} for n in names]
    return {"object": "list", "data": data}
