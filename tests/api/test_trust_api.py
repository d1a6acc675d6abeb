"""Trust through the API, as a user and an admin see it, on SQLite and PostgreSQL:
blocked prompts (moderation_blocked naming the category, no quota spent), faces in
uploads needing consent, public figures refused even with consent, every MP4 signed
and carrying this installation's invisible mark, outputs with faces held for review,
and the admin's review queue and moderation log."""

from __future__ import annotations

import io

import httpx
import numpy as np
import openai
import pytest
from openai.types import Video
from PIL import Image

from api.media_helpers import clip_of, data_url, face_png
from api.server import new_user
from reelforge.provenance.c2pa_sign import verify
from reelforge.provenance.identity import ensure_local_identity, installation_id
from reelforge.provenance.invisible import detect
from reelforge.provenance.payload import id32
from reelforge.studio.account import ERASED

SEXUAL = "two adults having sex in a hotel room"


@pytest.fixture(scope="module")
def admin(server):
    return server.client(server.key(new_user(), "pro", admin=True))


def _raw(server, key_client: openai.OpenAI, method: str, path: str, **kwargs) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key_client.api_key}"}
    return httpx.request(method, f"{server.base_url}{path}", headers=headers, timeout=60, **kwargs)


def test_a_blocked_prompt_names_its_category_and_costs_nothing(server):
    client = server.client(server.key(new_user(), "tiny"))  # 3 seconds of quota
    for prompt in (SEXUAL, "tw0 adu1ts h@ving s e x in a hotel room"):
        with pytest.raises(openai.BadRequestError) as caught:
            client.videos.create(prompt=prompt, size="128x72", seconds="2")
        error = caught.value.body
        assert error["code"] == "moderation_blocked"
        assert "sexual" in error["message"] and error["param"] == "prompt"
        assert error["category"] == "sexual" and error["rule"]  # which rule decided
    assert client.videos.list().data == []  # nothing stored
    video = client.videos.create(prompt="a red ball bounces on the beach", seconds="2")
    assert video.status == "queued"  # the blocked requests spent none of the 3 seconds


def test_a_face_in_an_upload_needs_consent(server, pro):
    reference = ("face.png", face_png(), "image/png")
    with pytest.raises(openai.BadRequestError) as caught:
        pro.videos.create(prompt="a person waves", size="128x72", input_reference=reference)
    error = caught.value.body
    assert error["code"] == "moderation_blocked" and error["param"] == "input_reference"
    assert "consent" in error["message"]
    video = pro.videos.create(  # multipart: consent is a form field
        prompt="a person waves",
        size="128x72",
        seconds="1",
        input_reference=reference,
        extra_body={"consent": "true"},
    )
    assert video.status == "queued"
    body = {  # JSON: consent is a boolean
        "prompt": "a person waves",
        "size": "128x72",
        "seconds": "1",
        "input_reference": {"image_url": data_url(face_png())},
        "consent": True,
    }
    assert pro.post("/videos", body=body, cast_to=Video).status == "queued"


def test_public_figures_are_refused_even_with_consent_and_an_image(server, pro):
    with pytest.raises(openai.BadRequestError) as caught:
        pro.videos.create(
            prompt="Taylor Swift dancing on a stage",
            size="128x72",
            input_reference=("face.png", face_png(), "image/png"),
            extra_body={"consent": True},
        )
    assert caught.value.body["code"] == "moderation_blocked"
    assert "public_figures" in caught.value.body["message"]


def test_every_mp4_is_signed_and_carries_this_installations_mark(server, pro, tmp_path):
    video = pro.videos.create_and_poll(prompt="a blue cube slides left", size="256x144")
    assert video.status == "completed", video.error
    path = tmp_path / "clip.mp4"
    pro.videos.download_content(video.id).write_to_file(path)
    identity = ensure_local_identity(server.data / "identity")
    assert verify(path, identity.trust_anchors).state == "trusted"
    found = detect(clip_of(path.read_bytes()))
    assert found.found, found.to_dict()
    assert found.payload.installation == installation_id(identity)
    assert found.payload.job == id32(video.id)
    # An extension keeps its source's (marked) frames and is marked again: it reads as
    # the extension's own job.
    body = {"video": {"id": video.id}, "prompt": "it slides on", "seconds": "2"}
    extended = pro.videos.poll(pro.post("/videos/extensions", body=body, cast_to=Video).id)
    assert extended.status == "completed", extended.error
    again = detect(clip_of(pro.videos.download_content(extended.id).read()))
    assert again.found and again.payload.job == id32(extended.id), again.to_dict()


def test_an_output_showing_a_face_waits_for_an_admin(server, pro, admin):
    """Image-to-video keeps the given first frame, so the astronaut's face is in the
    output: held for review (in_progress, review pending) until an admin decides."""
    user = server.client(server.key(new_user(), "plus"))
    reference = ("face.png", face_png(), "image/png")
    held = [
        user.videos.create(
            prompt="a person smiles",
            size="128x72",
            seconds="1",
            input_reference=reference,
            extra_body={"consent": True},
        )
        for _ in range(2)
    ]
    for video in held:
        polled = _wait_for_review(server, user, video.id)
        assert polled["status"] == "in_progress" and polled["review"] == "pending"
        assert _raw(server, user, "GET", f"/videos/{video.id}/content").status_code == 409

    assert _raw(server, user, "GET", "/admin/reviews").status_code == 403
    queue = _raw(server, admin, "GET", "/admin/reviews").json()["data"]
    ids = [entry["id"] for entry in queue]
    assert {v.id for v in held} <= set(ids)
    entry = next(e for e in queue if e["id"] == held[0].id)
    # its input showed a face: flagged whatever the detector makes of the redrawn frames
    assert entry["category"] == "likeness" and entry["rule"] == "faces:input"
    content = _raw(server, admin, "GET", f"/admin/reviews/{held[0].id}/content")
    assert content.status_code == 200 and content.content[4:8] == b"ftyp"

    approved, rejected = held
    assert _raw(server, admin, "POST", f"/admin/reviews/{approved.id}/approve").status_code == 200
    done = user.videos.retrieve(approved.id)
    assert done.status == "completed"
    assert user.videos.download_content(approved.id).read()[4:8] == b"ftyp"

    reply = _raw(
        server, admin, "POST", f"/admin/reviews/{rejected.id}/reject", json={"reason": "no"}
    )
    assert reply.status_code == 200
    failed = user.videos.retrieve(rejected.id)
    assert failed.status == "failed" and failed.error.code == "moderation_blocked"
    again = _raw(server, admin, "POST", f"/admin/reviews/{rejected.id}/approve")
    assert again.status_code == 409  # decided already

    log = _raw(server, admin, "GET", "/admin/moderation", params={"limit": 100}).json()["data"]
    actions = {(e["what"], e["action"], e["video_id"]) for e in log}
    assert ("review", "approve", approved.id) in actions
    assert ("review", "reject", rejected.id) in actions
    assert ("output", "review", approved.id) in actions


def test_the_moderation_log_records_who_asked_what_and_the_rule(server, admin):
    user_name = new_user()
    user = server.client(server.key(user_name, "pro"))
    with pytest.raises(openai.BadRequestError):
        user.videos.create(prompt=SEXUAL, size="128x72")
    log = _raw(server, admin, "GET", "/admin/moderation").json()["data"]
    entry = next(e for e in log if e["user"] == user_name)
    assert (entry["what"], entry["action"], entry["category"]) == ("prompt", "block", "sexual")
    assert entry["subject"] == SEXUAL and entry["rule"]


def test_deleting_an_account_erases_its_prompts_from_the_moderation_log(server, admin):
    user_name = new_user()
    user = server.client(server.key(user_name, "pro"))
    with pytest.raises(openai.BadRequestError):
        user.videos.create(prompt=SEXUAL, size="128x72")
    user.videos.create(prompt="a private idea: a teal kite over dunes", size="128x72")

    def log() -> list[dict]:
        return _raw(server, admin, "GET", "/admin/moderation", params={"limit": 100}).json()["data"]

    user_id = next(e["user_id"] for e in log() if e["user"] == user_name)
    prompts = [e["subject"] for e in log() if e["user_id"] == user_id]
    assert set(prompts) >= {SEXUAL, "a private idea: a teal kite over dunes"}
    gone = _raw(server, user, "DELETE", "/studio/account", json={"confirm": user_name})
    assert gone.status_code == 200, gone.text
    prompts = [e for e in log() if e["user_id"] == user_id and e["what"] == "prompt"]
    assert len(prompts) == 2 and all(e["subject"] == ERASED for e in prompts)
    (blocked,) = [e for e in prompts if e["action"] == "block"]
    assert blocked["category"] == "sexual" and blocked["rule"]  # the decision is kept


def test_the_review_command_lists_and_approves(server):
    user = server.client(server.key(new_user(), "pro"))
    video = user.videos.create(
        prompt="a person smiles",
        size="128x72",
        seconds="1",
        input_reference=("face.png", face_png(), "image/png"),
        extra_body={"consent": True},
    )
    _wait_for_review(server, user, video.id)
    listed = server.cli("review", "list")
    assert listed.returncode == 0 and video.id in listed.stdout, listed.stderr
    assert server.cli("review", "approve", video.id).returncode == 0
    assert user.videos.retrieve(video.id).status == "completed"
    again = server.cli("review", "approve", video.id)
    assert again.returncode == 2 and "not waiting for review" in " ".join(again.stderr.split())


def _wait_for_review(server, client, video_id: str, timeout: float = 120) -> dict:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = _raw(server, client, "GET", f"/videos/{video_id}").json()
        if body.get("review") == "pending" or body["status"] in ("completed", "failed"):
            assert body.get("review") == "pending", body
            return body
        time.sleep(0.2)
    raise AssertionError(f"video {video_id} was not held for review in {timeout} s")


def test_faces_checks_see_the_astronaut():
    """The fixture is what the tests above rely on: the offline detector finds it."""
    from reelforge.safety.faces import HaarFaceDetector

    image = np.array(Image.open(io.BytesIO(face_png())).convert("RGB"))
    assert len(HaarFaceDetector()(image)) >= 1
