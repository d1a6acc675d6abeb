"""`/v1/studio/...`: the editing operations beyond the OpenAI routes (re-cut, loop,
blend, fill, stitch, storyboard). Each takes JSON naming the caller's completed videos
and answers a Video object, a job polled like any other (`GET /v1/videos/{id}`)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from reelforge.api.auth import current_user
from reelforge.api.videos import paced
from reelforge.studio import Studio
from reelforge.studio.accounts import User

router = APIRouter(prefix="/v1/studio", tags=["studio edits"])
UserDep = Annotated[User, Depends(current_user)]
Seconds = Annotated[float, Field(gt=0, le=60)]
Prompt = Annotated[
    str | None, Field(description="What the new frames show; default: the source's prompt")
]
NegativePrompt = Annotated[
    str | None, Field(description="What the new frames should not show (moderated too)")
]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt field is an error, not ignored


class RecutRequest(_Request):
    video_id: str
    start: float = Field(0.0, ge=0, description="Seconds into the video where the cut starts")
    end: float | None = Field(None, gt=0, description="Where it ends; default: the end")
    regenerate: tuple[float, float] | None = Field(
        None, description="A span [from, to] in the video's seconds, inside the cut, made again"
    )
    extend_start: float = Field(0.0, ge=0, le=60, description="Seconds added before the cut")
    extend_end: float = Field(0.0, ge=0, le=60, description="Seconds added after it")
    prompt: Prompt = None
    negative_prompt: NegativePrompt = None


class LoopRequest(_Request):
    video_id: str
    seconds: Seconds = Field(1.0, description="Length of the bridge from the end to the start")
    prompt: Prompt = None
    negative_prompt: NegativePrompt = None


class BlendRequest(_Request):
    video_id: str
    other_video_id: str
    mode: Literal["transition", "mix"] = Field(
        "transition",
        description="transition: A, a generated bridge, then B; mix: A's content turning into B's",
    )
    seconds: Seconds = Field(1.0, description="The transition's bridge length")
    strength: float | Literal["subtle", "mild", "strong"] = Field(
        0.6, description="How far the mix redraws the cross-fade (0..1)"
    )
    prompt: Prompt = None
    negative_prompt: NegativePrompt = None


class FillRequest(_Request):
    video_id: str
    frames: list[Annotated[int, Field(ge=0)]] = Field(
        default_factory=list, description="Frame indices to make again"
    )
    detect: bool = Field(True, description="Also find black, frozen and corrupt frames")
    prompt: Prompt = None
    negative_prompt: NegativePrompt = None


class StitchRequest(_Request):
    video_ids: list[str] = Field(min_length=2, max_length=20)
    transition: Literal["cut", "dissolve", "fade", "match"] = "cut"
    duration: float = Field(0.5, ge=0, le=5, description="Seconds of each dissolve or fade")


class StoryboardCard(_Request):
    prompt: str
    seconds: Seconds
    start: float | None = Field(None, ge=0, description="Default: when the card before ends")
    cut: bool = Field(False, description="Start fresh instead of continuing the card before")
    image_file_id: str | None = Field(None, description="An uploaded image (/v1/files) to show")


class StoryboardRequest(_Request):
    cards: list[StoryboardCard] = Field(min_length=1, max_length=24)
    size: str | None = Field(None, description="WIDTHxHEIGHT; default: the plan's size")
    model: str | None = None
    seed: int | None = Field(None, ge=0)
    consent: bool = Field(False, description="People shown in card images consented")
    negative_prompt: NegativePrompt = None


def _studio(request: Request) -> Studio:
    return request.app.state.studio


async def _submit(request: Request, response: Response, user: User, kind: str, body) -> dict:
    video = await run_in_threadpool(_studio(request).edit_job, user, kind, body.model_dump())
    return paced(request, response, video)


@router.post("/recuts", summary="Re-cut a video: trim, make a span again, extend the ends")
async def recut(request: Request, response: Response, body: RecutRequest, user: UserDep):
    return await _submit(request, response, user, "recut", body)


@router.post("/loops", summary="Loop a video: a bridge from its end back into its start")
async def loop(request: Request, response: Response, body: LoopRequest, user: UserDep):
    return await _submit(request, response, user, "loop", body)


@router.post("/blends", summary="Blend two videos: a generated transition, or a mix")
async def blend(request: Request, response: Response, body: BlendRequest, user: UserDep):
    return await _submit(request, response, user, "blend", body)


@router.post("/fills", summary="Make missing or damaged frames again from their neighbours")
async def fill(request: Request, response: Response, body: FillRequest, user: UserDep):
    return await _submit(request, response, user, "fill", body)


@router.post("/stitches", summary="Join videos with cuts, dissolves, fades or match cuts")
async def stitch(request: Request, response: Response, body: StitchRequest, user: UserDep):
    return await _submit(request, response, user, "stitch", body)


@router.post("/storyboards", summary="Render timed cards as one multi-shot video")
async def storyboard(request: Request, response: Response, body: StoryboardRequest, user: UserDep):
    return await _submit(request, response, user, "storyboard", body)
