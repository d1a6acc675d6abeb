"""New jobs: create, remix, edit and extend requests checked and queued.

Every check runs before anything is stored: the prompt, the model, the plan's size and
length limits, what the engine can make (its own `check`, which does no work), the
references, moderation (the prompt, then faces in uploads without a consent
attestation), then the monthly quota. Then, in one transaction, the uploads are kept,
the job row is queued and its seconds are charged. A refused request costs nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, select, update

from reelforge.engines import Engine
from reelforge.studio import moderation, uploads
from reelforge.studio.accounts import User
from reelforge.studio.context import Context
from reelforge.studio.db import usage, users, videos
from reelforge.studio.errors import ConflictError, QuotaExceededError
from reelforge.studio.ids import new_id
from reelforge.studio.library import owned_video
from reelforge.studio.plans import PlanLimits
from reelforge.studio.requests import (
    Upload,
    VideoRef,
    choice_of,
    prompt_of,
    seconds_of,
    size_of,
    strength_of,
)
from reelforge.studio.views import video_object
from reelforge.types import GenerationSpec, InvalidInputError, Keyframe, UnsupportedError

DEFAULT_SECONDS = "4"
DIRECTIONS = ("forward", "backward")  # of an extension, the first is the default
REMIX_STRENGTH = 0.55  # "mild"
EDIT_STRENGTH = 0.7


@dataclass
class Job:
    """A checked request, ready to queue."""

    kind: str
    model: str
    engine: str
    prompt: str
    size: tuple[int, int]
    seconds: str  # as the Video object shows it
    charge: float  # seconds of quota it costs
    params: dict
    remixed_from: str | None = None
    upload: Upload | None = None  # kept with the job; its file id goes in params[upload_param]
    upload_param: str | None = None
    media: list[tuple[Upload, str]] = field(default_factory=list)  # (upload, param) to moderate
    consent: bool = False  # the request attests that people shown in its media consented
    negative: str | None = None  # words to leave out: moderated too (see _moderate)


def create(ctx: Context, user: User, fields: dict, reference: Upload | dict | None) -> dict:
    plan = ctx.config.plan(user.plan)
    limit = ctx.config.server.max_prompt_chars
    prompt = prompt_of(fields.get("prompt"), limit)
    model = fields.get("model") or ctx.config.server.default_model
    engine_name = ctx.engines.resolve(model)
    width, height = size_of(fields.get("size") or plan.default_size)
    seconds = seconds_of(fields.get("seconds") or DEFAULT_SECONDS)
    plan.check_size(width, height)
    plan.check_seconds(seconds)
    engine = ctx.engines.get(engine_name)
    fps = engine.capabilities.fps[0]
    job = Job("create", model, engine_name, prompt, (width, height), str(seconds), seconds, {})
    job.consent = moderation.consent_of(fields.get("consent"))
    take_negative(ctx, job, fields)
    keyframes = []
    if reference is not None:
        upload, file_id = _reference(ctx, user, reference)
        info = uploads.image_info(upload, "input_reference")
        if (info["width"], info["height"]) != (width, height):
            raise InvalidInputError(
                f"input_reference is {info['width']}x{info['height']}; it must match the "
                f"requested size {width}x{height}",
                param="input_reference",
            )
        keyframes = [Keyframe(0, _placeholder(1))]
        job.media.append((upload, "input_reference"))
        job.params["input_reference"] = file_id
        if file_id is None:
            job.upload, job.upload_param = upload, "input_reference"
    spec = GenerationSpec(
        prompt, width=width, height=height, num_frames=round(seconds * fps), fps=fps
    )
    spec.keyframes = keyframes
    engine.check(spec)
    return queue_job(ctx, user, plan, job)


def remix(ctx: Context, user: User, video_id: str, fields: dict) -> dict:
    return remix_of(ctx, user, completed_source(ctx, user, video_id, "video_id", "remixed"), fields)


def remix_of(ctx: Context, user: User, source, fields: dict) -> dict:
    """The caller's remix of `source` (a completed video's row: theirs, or a published
    one, see feed.py), charged to the caller, its lineage naming the source."""
    plan = ctx.config.plan(user.plan)
    prompt = prompt_of(fields.get("prompt"), ctx.config.server.max_prompt_chars)
    strength = strength_of(fields.get("strength"), REMIX_STRENGTH)
    engine = engine_with(ctx, source.engine, "remix", source.model)
    width, height = size_of(source.size)
    seconds = float(source.seconds)
    check_plan(plan, width, height, seconds)
    check_engine(engine, width, height, seconds)
    job = Job(
        "remix",
        source.model,
        source.engine,
        prompt,
        (width, height),
        source.seconds,
        seconds,
        {"source_video_id": source.id, "strength": strength},
        remixed_from=source.id,
    )
    take_negative(ctx, job, fields)
    return queue_job(ctx, user, plan, job)


def edit(ctx: Context, user: User, fields: dict, ref: VideoRef) -> dict:
    plan = ctx.config.plan(user.plan)
    prompt = prompt_of(fields.get("prompt"), ctx.config.server.max_prompt_chars)
    strength = strength_of(fields.get("strength"), EDIT_STRENGTH)
    job = _from_source(ctx, user, fields, ref, "edit", "remix")
    job.consent = moderation.consent_of(fields.get("consent"))
    job.prompt = prompt
    job.params["strength"] = strength
    take_negative(ctx, job, fields)
    check_plan(plan, *job.size, job.charge)
    check_engine(ctx.engines.get(job.engine), *job.size, job.charge)
    return queue_job(ctx, user, plan, job)


def extend(ctx: Context, user: User, fields: dict, ref: VideoRef) -> dict:
    """More seconds after the source (before it with `direction: "backward"`, a
    reelforge field); the source's frames are kept, so the Video's seconds is the total."""
    plan = ctx.config.plan(user.plan)
    prompt = prompt_of(fields.get("prompt"), ctx.config.server.max_prompt_chars)
    added = seconds_of(fields.get("seconds") or DEFAULT_SECONDS)
    direction = choice_of(fields.get("direction"), DIRECTIONS, "direction")
    plan.check_seconds(added)
    job = _from_source(ctx, user, fields, ref, "extend", "extend")
    job.consent = moderation.consent_of(fields.get("consent"))
    check_plan(plan, *job.size, 0)
    check_engine(ctx.engines.get(job.engine), *job.size, added)
    job.prompt = prompt
    job.params.update(added_seconds=added, direction=direction)
    take_negative(ctx, job, fields)
    job.seconds = seconds_text(float(job.seconds) + added)
    job.charge = added
    return queue_job(ctx, user, plan, job)


def take_negative(ctx: Context, job: Job, fields: dict) -> None:
    """reelforge's own `negative_prompt` field (what to leave out), for every request that
    makes frames; it is moderated like the prompt (see _moderate)."""
    if fields.get("negative_prompt") is not None:
        limit = ctx.config.server.max_prompt_chars
        negative = prompt_of(fields["negative_prompt"], limit, "negative_prompt")
        job.params["negative_prompt"] = job.negative = negative


# -- references ---------------------------------------------------------------------------


def _reference(ctx: Context, user: User, reference: Upload | dict) -> tuple[Upload, str | None]:
    """The image of `input_reference`: (bytes, file id when it is an existing file)."""
    param = "input_reference"
    if isinstance(reference, Upload):
        uploads.check_size(ctx, reference, param)
        return reference, None
    if not isinstance(reference, dict) or not (reference.keys() & {"file_id", "image_url"}):
        raise InvalidInputError(
            f"{param} must be an image file, {{image_url}} or {{file_id}}", param=param
        )
    if reference.get("file_id"):
        row = uploads.get_file(ctx, user, str(reference["file_id"]), param)
        return uploads.read_file(ctx, row), row.id
    upload = uploads.data_url(str(reference.get("image_url")), param)
    uploads.check_size(ctx, upload, param)
    return upload, None


def _from_source(ctx, user, fields, ref: VideoRef, kind: str, mode: str) -> Job:
    """A job over a source video (one of the user's, by id, or an upload)."""
    if ref.video_id is not None:
        source = completed_source(ctx, user, ref.video_id, "video", f"{kind}ed")
        engine_with(ctx, source.engine, mode, source.model)
        size = size_of(source.size)
        return Job(
            kind,
            source.model,
            source.engine,
            "",
            size,
            source.seconds,
            float(source.seconds),
            {"source_video_id": source.id},
        )
    if ref.upload is None:
        raise InvalidInputError(
            "video must be a video file or {id} of a completed video", param="video"
        )
    uploads.check_size(ctx, ref.upload, "video")
    info = uploads.video_info(ref.upload, "video")
    model = fields.get("model") or ctx.config.server.default_model
    engine_name = ctx.engines.resolve(model)
    engine_with(ctx, engine_name, mode, model)
    seconds = info["frames"] / info["fps"]
    job = Job(
        kind,
        model,
        engine_name,
        "",
        (info["width"], info["height"]),
        seconds_text(seconds),
        seconds,
        {},
    )
    job.upload, job.upload_param = ref.upload, "source_file_id"
    job.media.append((ref.upload, "video"))
    return job


def completed_source(ctx: Context, user: User, video_id: str, param: str, verb: str):
    row = owned_video(ctx, user, video_id, param)
    if row.status != "completed":
        state = "failed" if row.status == "failed" else f"is {row.status.replace('_', ' ')}"
        raise ConflictError(
            f"video {video_id} {state}; only a completed video can be {verb}", param=param
        )
    if row.assets_deleted_at is not None:
        raise ConflictError(f"video {video_id} has expired; its frames are gone", param=param)
    return row


def engine_with(ctx: Context, engine_name: str, mode: str, model: str) -> Engine:
    engine = ctx.engines.get(engine_name)
    if mode not in engine.capabilities.modes:
        raise UnsupportedError(
            f"model {model} cannot {mode} videos; it supports: "
            f"{', '.join(engine.capabilities.modes)}",
            param="model",
        )
    return engine


def check_plan(plan: PlanLimits, width: int, height: int, seconds: float) -> None:
    plan.check_size(width, height)
    plan.check_seconds(seconds)


def check_engine(engine: Engine, width: int, height: int, seconds: float) -> None:
    """The engine can make this size and length (the mode is checked separately)."""
    fps = engine.capabilities.fps[0]
    engine.capabilities.native_size(width, height)
    engine.capabilities.check_frames(round(seconds * fps), fps)


# -- queueing -----------------------------------------------------------------------------


def _moderate(ctx: Context, user: User, job: Job) -> None:
    """The prompt, then each image or video the request brings (the user's own finished
    videos were checked when they were made)."""
    moderation.check_prompt(ctx, user, job.prompt)
    if job.negative:  # a negative prompt is still text the model reads
        moderation.check_prompt(ctx, user, job.negative, "negative_prompt")
    for upload, param in job.media:
        if moderation.check_upload(ctx, user, upload, job.consent, param):
            job.params["input_faces"] = True  # the output check looks harder


def check_quota(conn, user_id: str, plan: PlanLimits, period: str, charge: float) -> None:
    """Refuse a charge over the plan's monthly seconds, holding the user's row locked until
    the caller's transaction ends, so that the caller's usage row is written before any
    other request of this user reads the month's sum. Without the lock two requests at once
    both read the sum before either wrote, and both were let through over the quota (on
    SQLite the driver begins the transaction only at the first write; on PostgreSQL READ
    COMMITTED reads never wait for writers)."""
    if plan.monthly_seconds <= 0:  # nothing to count: no lock, unlimited plans never wait
        return
    conn.execute(update(users).where(users.c.id == user_id).values(id=users.c.id))
    used = conn.execute(
        select(func.coalesce(func.sum(usage.c.seconds), 0.0)).where(
            usage.c.user_id == user_id, usage.c.period == period
        )
    ).scalar_one()
    if used + charge > plan.monthly_seconds:
        raise QuotaExceededError(
            f"the {plan.name} plan's {plan.monthly_seconds:g} seconds for {period} are "
            f"used up ({used:g} used; this request needs {charge:g})",
            hint="wait for next month, or ask the operator for a larger plan",
        )


def queue_job(ctx: Context, user: User, plan: PlanLimits, job: Job) -> dict:
    _moderate(ctx, user, job)
    now = time.time()
    period = dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y-%m")
    video_id = new_id("video_")
    job.params["seed"] = secrets.randbelow(2**31)
    with ctx.db.begin() as conn:
        check_quota(conn, user.id, plan, period, job.charge)
        if job.upload is not None:
            purpose = "input_reference" if job.kind == "create" else f"video_{job.kind}"
            file_id = uploads.store(conn, ctx, user, job.upload, purpose)
            job.params[job.upload_param] = file_id
            job.params["owned_files"] = [file_id]  # deleted with the video
        conn.execute(
            videos.insert().values(
                id=video_id,
                user_id=user.id,
                kind=job.kind,
                model=job.model,
                engine=job.engine,
                status="queued",
                progress=0,
                prompt=job.prompt,
                size=f"{job.size[0]}x{job.size[1]}",
                seconds=job.seconds,
                params=json.dumps(job.params),
                remixed_from_video_id=job.remixed_from,
                priority=plan.priority,
                concurrency=plan.concurrency,
                watermark=plan.watermark,
                retention_s=plan.retention_s,
                created_at=now,
                attempts=0,
            )
        )
        conn.execute(
            usage.insert().values(
                video_id=video_id,
                user_id=user.id,
                period=period,
                seconds=job.charge,
                created_at=now,
            )
        )
        row = conn.execute(select(videos).where(videos.c.id == video_id)).one()
    ctx.wake.set()
    return video_object(row)


# -- small helpers ------------------------------------------------------------------------


def _placeholder(frames: int) -> np.ndarray:
    """Stand-in keyframe pixels for `check`, which reads only where frames are given."""
    return np.zeros((frames, 1, 1, 3), np.uint8)


def seconds_text(seconds: float) -> str:
    return f"{round(seconds, 2):g}"
