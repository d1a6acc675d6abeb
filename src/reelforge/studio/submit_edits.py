"""The studio's editing jobs: re-cut, loop, blend, fill, stitch and storyboard requests
checked and queued (create, remix, edit and extend, the OpenAI routes, are submit.py).

Sources are the caller's own completed videos, by id. The checks of submit.py run before
anything is stored: the plan (the result's size, and the seconds the engine makes), what
the engine can do, moderation of every prompt (and of storyboard images), the quota. A
job is charged the seconds the engine makes: a plain trim or a stitch makes nothing and
costs nothing. Its `seconds` is the expected length; the worker sets the exact one.

`body` is the request as plain data whose types the API has checked (api/edits.py);
what depends on the sources (spans inside the clip, sizes, modes) is checked here.
"""

from __future__ import annotations

from reelforge import edit
from reelforge.studio import moderation, uploads
from reelforge.studio.accounts import User
from reelforge.studio.context import Context
from reelforge.studio.requests import prompt_of, size_of
from reelforge.studio.sources import video_clip
from reelforge.studio.submit import (
    Job,
    check_engine,
    check_plan,
    completed_source,
    engine_with,
    queue_job,
    seconds_text,
    take_negative,
)
from reelforge.types import InvalidInputError, UnsupportedError

EPS = 1e-6
REGENERATE_MODES = ("inpaint", "interpolate")  # either lets an engine remake given frames


def recut(ctx: Context, user: User, body: dict) -> dict:
    """Trim to [start, end]; optionally make a span inside it again and add seconds at
    either end."""
    source = completed_source(ctx, user, body["video_id"], "video_id", "re-cut")
    length = float(source.seconds)
    start, end = body["start"], length if body["end"] is None else body["end"]
    if not start < end <= length + EPS:
        raise InvalidInputError(
            f"the re-cut {start:g}-{end:g} s must be a span inside the video's {length:g} s",
            param="end" if end > length else "start",
        )
    made = body["extend_start"] + body["extend_end"]
    if body["regenerate"] is not None:
        a, b = body["regenerate"]
        if not start <= a < b <= end + EPS:
            raise InvalidInputError(
                f"regenerate {a:g}-{b:g} s must be a span inside the re-cut {start:g}-{end:g} s",
                param="regenerate",
            )
        _engine_with_any(ctx, source, REGENERATE_MODES)
        made += b - a
    if body["extend_start"] or body["extend_end"]:
        engine_with(ctx, source.engine, "extend", source.model)
    seconds = end - start + body["extend_start"] + body["extend_end"]
    return _queue(ctx, user, source, "recut", body, seconds, made)


def loop(ctx: Context, user: User, body: dict) -> dict:
    """The video, then a bridge of `seconds` from its end back into its start."""
    source = completed_source(ctx, user, body["video_id"], "video_id", "looped")
    engine = engine_with(ctx, source.engine, "interpolate", source.model)
    check_engine(engine, *size_of(source.size), body["seconds"])
    seconds = float(source.seconds) + body["seconds"]
    return _queue(ctx, user, source, "loop", body, seconds, body["seconds"])


def blend(ctx: Context, user: User, body: dict) -> dict:
    """`transition`: A, a generated bridge of `seconds`, then B. `mix`: A's length of A's
    content turning into B's."""
    a = completed_source(ctx, user, body["video_id"], "video_id", "blended")
    b = completed_source(ctx, user, body["other_video_id"], "other_video_id", "blended")
    if a.id == b.id:
        raise InvalidInputError("pick a second, different video to blend", param="other_video_id")
    if body["mode"] == "transition":
        engine = engine_with(ctx, a.engine, "interpolate", a.model)
        check_engine(engine, *size_of(a.size), body["seconds"])
        seconds = float(a.seconds) + body["seconds"] + float(b.seconds)
        made = body["seconds"]
    else:
        engine_with(ctx, a.engine, "remix", a.model)
        seconds = made = float(a.seconds)
    body = {**body, "source_video_ids": [a.id, b.id]}
    prompt = None if body["prompt"] else f"{a.prompt} → {b.prompt}"
    return _queue(ctx, user, a, "blend", body, seconds, made, prompt)


def fill(ctx: Context, user: User, body: dict) -> dict:
    """The listed frames, and (with `detect`) the black, frozen or corrupt ones, made
    again from their neighbours. The clip is read now, so a video with nothing to fill
    is refused at once rather than queued."""
    source = completed_source(ctx, user, body["video_id"], "video_id", "filled")
    _engine_with_any(ctx, source, REGENERATE_MODES)
    clip = video_clip(ctx, source.id, "video_id")
    outside = [i for i in body["frames"] if not 0 <= i < clip.num_frames]
    if outside:
        raise InvalidInputError(
            f"frames {outside} are outside the video (0..{clip.num_frames - 1})", param="frames"
        )
    todo = set(body["frames"])
    if body["detect"]:
        todo |= {d.index for d in edit.detect_damage(clip)}
    if not todo:
        raise InvalidInputError(
            f"no black, frozen or corrupt frames were found in video {source.id}",
            param="frames",
            hint="list the frames to make again in `frames`",
        )
    if len(todo) == clip.num_frames:
        raise InvalidInputError(
            "every frame is marked: nothing is left to fill from", param="frames"
        )
    return _queue(ctx, user, source, "fill", body, float(source.seconds), len(todo) / clip.fps)


def stitch(ctx: Context, user: User, body: dict) -> dict:
    """The videos joined in order with a transition at each join (nothing is generated)."""
    rows = [
        completed_source(ctx, user, video_id, "video_ids", "stitched")
        for video_id in body["video_ids"]
    ]
    total = sum(float(r.seconds) for r in rows)
    if body["transition"] == "dissolve":  # each join overlaps the clips by `duration`
        total -= body["duration"] * (len(rows) - 1)
    if total <= 0:
        raise InvalidInputError(
            f"dissolves of {body['duration']:g} s are longer than the videos", param="duration"
        )
    body = {**body, "source_video_ids": [r.id for r in rows]}
    prompt = " | ".join(r.prompt for r in rows)
    return _queue(ctx, user, rows[0], "stitch", body, total, 0.0, prompt)


def storyboard(ctx: Context, user: User, body: dict) -> dict:
    """Timed cards, each a shot that continues the one before unless it is a cut, made
    into one clip at `size`."""
    plan = ctx.config.plan(user.plan)
    model = body["model"] or ctx.config.server.default_model
    engine_name = ctx.engines.resolve(model)
    engine = ctx.engines.get(engine_name)
    width, height = size_of(body["size"] or plan.default_size)
    limit = ctx.config.server.max_prompt_chars
    cards = [
        {**card, "prompt": prompt_of(card["prompt"], limit, f"cards[{i}].prompt")}
        for i, card in enumerate(body["cards"])
    ]
    board = edit.Storyboard(
        tuple(edit.Card(c["prompt"], c["seconds"], c["start"], cut=c["cut"]) for c in cards)
    )
    spans = board.timeline()  # refuses cards out of order
    seconds = spans[-1][1]
    plan.check_size(width, height)
    plan.check_seconds(seconds)
    engine.capabilities.native_size(width, height)
    needed = {"t2v"}
    if any(not c["cut"] for c in cards[1:]):
        needed.add("extend")
    if any(c["image_file_id"] for c in cards):
        needed.add("i2v")
    for mode in sorted(needed):
        engine_with(ctx, engine_name, mode, model)
    job = Job(
        "storyboard",
        model,
        engine_name,
        " ".join(c["prompt"] for c in cards),
        (width, height),
        seconds_text(seconds),
        seconds,
        {"cards": cards, "board_seed": body["seed"]},
    )
    job.consent = body["consent"]
    take_negative(ctx, job, body)
    # Each card alone, then queue_job checks them joined: words
    # that are harmless apart may not be together (a child in one card, nudity in the next).
    for i, card in enumerate(cards):
        moderation.check_prompt(ctx, user, card["prompt"])
        if card["image_file_id"]:
            param = f"cards[{i}].image_file_id"
            row = uploads.get_file(ctx, user, card["image_file_id"], param)
            image = uploads.read_file(ctx, row)
            uploads.image_info(image, param)  # an image, readable
            job.media.append((image, param))
    return queue_job(ctx, user, plan, job)


OPERATIONS = {
    "recut": recut,
    "loop": loop,
    "blend": blend,
    "fill": fill,
    "stitch": stitch,
    "storyboard": storyboard,
}


# -- shared -------------------------------------------------------------------------------


def _queue(ctx, user, source, kind: str, body: dict, seconds: float, made: float, prompt=None):
    """A job over `source` (the first source): the plan's limits on its size and on the
    seconds the engine makes, then moderation, quota and the queue (submit.queue_job)."""
    plan = ctx.config.plan(user.plan)
    check_plan(plan, *size_of(source.size), made)
    if body.get("prompt") is not None:
        body = {**body, "prompt": prompt_of(body["prompt"], ctx.config.server.max_prompt_chars)}
    text = body.get("prompt") or prompt or source.prompt
    params = {k: v for k, v in body.items() if k != "video_id"}
    params["source_video_id"] = source.id
    size = size_of(source.size)
    job = Job(kind, source.model, source.engine, text, size, seconds_text(seconds), made, params)
    take_negative(ctx, job, body)
    return queue_job(ctx, user, plan, job)


def _engine_with_any(ctx: Context, source, modes: tuple[str, ...]) -> None:
    engine = ctx.engines.get(source.engine)
    if not set(modes) & set(engine.capabilities.modes):
        raise UnsupportedError(
            f"model {source.model} cannot make frames again ({' or '.join(modes)}); it "
            f"supports: {', '.join(engine.capabilities.modes)}",
            param="model",
        )
