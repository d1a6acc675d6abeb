"""The studio's editing routes (/v1/studio/...) and the extension's direction, through a
real server making real clips with the shipped default model: each result's length,
the source frames it keeps, what it costs, its Content Credentials, and refusals that
name the field to change."""

from __future__ import annotations

import numpy as np
import openai
import pytest
from openai.types import Video

from api.media_helpers import clip_of
from api.server import Server, new_user
from reelforge.edit import seam_ratios
from reelforge.provenance.c2pa_sign import verify
from reelforge.provenance.identity import local_trust_anchors
from reelforge.provenance.invisible import detect
from reelforge.provenance.manifest import describe
from reelforge.provenance.payload import id32
from reelforge.types import Clip

A = "a red ball bounces to the right at sunset"
B = "a blue cube slides to the left on snow at noon"
FPS = 12


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """SQLite only: these routes store their parameters in the same JSON column that
    test_videos_api exercises on both backends."""
    srv = Server(tmp_path_factory.mktemp("server-edits"))
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def pro(server):
    return server.client(server.key(new_user(), "pro"))


def _made(client: openai.OpenAI, prompt: str) -> Video:
    video = client.videos.create_and_poll(prompt=prompt, size="128x72", seconds="2")
    assert video.status == "completed", video.error
    return video


@pytest.fixture(scope="module")
def a(pro):
    return _made(pro, A)


@pytest.fixture(scope="module")
def b(pro):
    return _made(pro, B)


def _post(client: openai.OpenAI, route: str, body: dict) -> Video:
    return client.post(f"/studio/{route}", body=body, cast_to=Video)


def _finished(client: openai.OpenAI, route: str, body: dict) -> tuple[Video, np.ndarray]:
    video = client.videos.poll(_post(client, route, body).id)
    assert video.status == "completed", video.error
    frames = clip_of(client.videos.download_content(video.id).read()).frames
    return video, frames


def _frames(client: openai.OpenAI, video: Video) -> np.ndarray:
    return clip_of(client.videos.download_content(video.id).read()).frames


def _close(x: np.ndarray, y: np.ndarray) -> bool:
    """The same frames up to a re-encode."""
    return x.shape == y.shape and np.abs(x.astype(int) - y.astype(int)).mean() < 4


def _charged(server: Server) -> float:
    """Seconds charged on this server so far (its usage table)."""
    from sqlalchemy import func, select

    from reelforge.studio.db import connect, database_url, usage

    db = connect(database_url(server.data, None))
    with db.connect() as conn:
        return conn.execute(select(func.coalesce(func.sum(usage.c.seconds), 0.0))).scalar_one()


def test_a_trim_keeps_the_frames_of_its_span_and_costs_nothing(server, pro, a):
    before = _charged(server)
    video, frames = _finished(pro, "recuts", {"video_id": a.id, "start": 0.5, "end": 1.5})
    assert (video.seconds, video.size) == ("1", "128x72")
    assert _close(frames, _frames(pro, a)[6:18])
    assert _charged(server) == before


def test_a_recut_makes_a_span_again_and_extends_its_end(pro, a):
    body = {"video_id": a.id, "start": 0, "end": 2, "regenerate": [0.5, 1.0], "extend_end": 1}
    video, frames = _finished(pro, "recuts", body | {"negative_prompt": "fog, rain"})
    assert video.seconds == "3" and len(frames) == 36
    source = _frames(pro, a)
    assert _close(frames[:6], source[:6]) and _close(frames[12:24], source[12:24])


def test_a_loop_ends_where_it_starts(pro, a):
    video, frames = _finished(pro, "loops", {"video_id": a.id, "seconds": 1})
    assert video.seconds == "3" and len(frames) == 36
    assert _close(frames[:24], _frames(pro, a))
    wrap = np.concatenate([frames[-6:], frames[:6]])  # played on repeat
    within = np.abs(np.diff(frames.astype(float), axis=0)).mean(axis=(1, 2, 3))
    across = np.abs(wrap[6].astype(float) - wrap[5].astype(float)).mean()
    # Without the bridge the wrap is a jump of 6.5-8x the median frame step (the shipped
    # model's 2 s clips of this prompt, seeds 1-3); a bridge's wrap was 1.3-2.0x over
    # random job seeds (the bench's loop-on-repeat median 1.35; CI once saw 2.03).
    assert across <= 2.5 * np.median(within) + 1.0


def test_a_transition_carries_a_into_b(pro, a, b):
    body = {"video_id": a.id, "other_video_id": b.id, "seconds": 1}
    video, frames = _finished(pro, "blends", body)
    assert video.seconds == "5" and len(frames) == 60
    assert _close(frames[:24], _frames(pro, a)) and _close(frames[36:], _frames(pro, b))


def test_a_mix_has_the_length_of_its_first_video(pro, a, b):
    body = {"video_id": a.id, "other_video_id": b.id, "mode": "mix", "strength": "mild"}
    video, frames = _finished(pro, "blends", body)
    assert video.seconds == "2" and len(frames) == 24


def test_fill_remakes_the_listed_frames_and_keeps_the_rest(pro, a):
    _, frames = _finished(pro, "fills", {"video_id": a.id, "frames": [10, 11]})
    source = _frames(pro, a)
    assert len(frames) == 24 and _close(frames[:8], source[:8]) and _close(frames[14:], source[14:])


def test_a_stitch_dissolves_costs_nothing_and_credits_both_sources(server, pro, a, b, tmp_path):
    before = _charged(server)
    body = {"video_ids": [a.id, b.id], "transition": "dissolve", "duration": 0.5}
    video, frames = _finished(pro, "stitches", body)
    assert video.seconds == "3.5" and len(frames) == 42
    assert _charged(server) == before
    path = tmp_path / "stitched.mp4"
    pro.videos.download_content(video.id).write_to_file(path)
    checked = verify(path, local_trust_anchors(server.data / "identity"))
    assert checked.state == "trusted", checked.reasons
    ingredients = describe(checked.manifest)["ingredients"]
    assert [(i["title"], i["relationship"]) for i in ingredients] == [
        (f"{a.id}.mp4", "componentOf"),
        (f"{b.id}.mp4", "componentOf"),
    ]
    # both sources carried their own marks; the stitch is marked again as its own job
    found = detect(clip_of(path.read_bytes()))
    assert found.found and found.payload.job == id32(video.id), found.to_dict()


def test_a_storyboard_continues_a_card_more_smoothly_than_it_cuts(pro):
    cards = [
        {"prompt": A, "seconds": 2},
        {"prompt": "the ball rolls to a stop", "seconds": 2},
        {"prompt": B, "seconds": 2, "cut": True},
    ]
    video, frames = _finished(pro, "storyboards", {"cards": cards, "size": "128x72"})
    assert (video.seconds, video.size) == ("6", "128x72") and len(frames) == 72
    joins = {"edit": {"joins": [[24, 24], [48, 48]]}}
    continued, cut = seam_ratios(Clip(frames, FPS, metadata=joins))
    assert continued < cut


def test_an_extension_backward_leads_into_the_source(pro, a):
    body = {"video": {"id": a.id}, "prompt": A, "seconds": "1", "direction": "backward"}
    video = pro.videos.poll(pro.post("/videos/extensions", body=body, cast_to=Video).id)
    assert video.status == "completed", video.error
    frames = _frames(pro, video)
    assert video.seconds == "3" and len(frames) == 36
    assert _close(frames[12:], _frames(pro, a))


@pytest.mark.parametrize(
    ("route", "body", "param"),
    [
        ("recuts", {"video_id": "A", "start": 1.5, "end": 5}, "end"),
        ("recuts", {"video_id": "A", "regenerate": [1.0, 0.5]}, "regenerate"),
        ("recuts", {"video_id": "A", "stat": 1}, "stat"),
        ("loops", {"video_id": "A", "seconds": 0}, "seconds"),
        ("blends", {"video_id": "A", "other_video_id": "A"}, "other_video_id"),
        ("blends", {"video_id": "A", "other_video_id": "B", "mode": "fade"}, "mode"),
        ("fills", {"video_id": "A", "detect": False}, "frames"),
        ("fills", {"video_id": "A", "frames": [99]}, "frames"),
        ("stitches", {"video_ids": ["A"]}, "video_ids"),
        ("storyboards", {"cards": []}, "cards"),
        ("storyboards", {"cards": [{"prompt": " ", "seconds": 2}]}, "cards[0].prompt"),
        ("loops", {"video_id": "A", "negative_prompt": "p0rn, nsfw"}, "negative_prompt"),
        ("fills", {"video_id": "A", "frames": [3], "negative_prompt": " "}, "negative_prompt"),
    ],
)
def test_bad_requests_are_refused_naming_the_field(pro, a, b, route, body, param):
    body = {k: _ids(v, a, b) for k, v in body.items()}
    with pytest.raises(openai.BadRequestError) as refused:
        _post(pro, route, body)
    assert refused.value.body["param"] == param, refused.value.body


def test_another_users_video_is_not_found(server, a):
    stranger = server.client(server.key(new_user(), "pro"))
    with pytest.raises(openai.NotFoundError):
        _post(stranger, "loops", {"video_id": a.id})


def test_an_over_long_storyboard_is_refused_by_the_plan(server):
    plus = server.client(server.key(new_user(), "plus"))
    cards = [{"prompt": A, "seconds": 6}, {"prompt": B, "seconds": 6, "cut": True}]
    with pytest.raises(openai.BadRequestError) as refused:
        _post(plus, "storyboards", {"cards": cards})
    assert "plus plan" in refused.value.body["message"]


def _ids(value, a: Video, b: Video):
    """The placeholders "A" and "B" of the parameter table as the real video ids."""
    names = {"A": a.id, "B": b.id}
    if isinstance(value, list):
        return [names.get(v, v) if isinstance(v, str) else v for v in value]
    return names.get(value, value) if isinstance(value, str) else value
