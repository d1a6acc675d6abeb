"""The web studio's JSON routes on a real server: cookie sign-in and sign-out, publish
and the feed across users, remixing another user's clip (lineage kept), the clip page's
details, the account (usage, keys), export as a zip, and deleting an account."""

from __future__ import annotations

import io
import json
import time
import zipfile

import httpx
import pytest

from api.server import new_user
from web.keys import make_key

PROMPT = "a red ball bounces to the right at sunset"


class Person:
    """A user with a key and a browser-like client (cookies kept)."""

    def __init__(self, server, plan: str = "pro"):
        self.name = new_user()
        self.key = make_key(server, self.name, plan)
        self.base = server.base_url.removesuffix("/v1")
        self.bearer = httpx.Client(
            base_url=self.base, headers={"authorization": f"Bearer {self.key}"}, timeout=60
        )
        self.browser = httpx.Client(base_url=self.base, timeout=60)

    def sign_in(self) -> httpx.Response:
        return self.browser.post("/v1/studio/session", json={"api_key": self.key})

    def finished(self, video_id: str, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            video = self.bearer.get(f"/v1/videos/{video_id}").json()
            if video["status"] in ("completed", "failed"):
                return video
            time.sleep(0.2)
        raise AssertionError(f"{video_id} did not finish")

    def make_clip(self, prompt: str = PROMPT) -> dict:
        made = self.bearer.post("/v1/videos", json={"prompt": prompt, "seconds": "1"})
        assert made.status_code == 200, made.text
        video = self.finished(made.json()["id"])
        assert video["status"] == "completed", video["error"]
        return video


@pytest.fixture(scope="module")
def ada(server):
    return Person(server)


@pytest.fixture(scope="module")
def ada_clip(ada):
    return ada.make_clip()


def test_sign_in_sets_an_http_only_cookie_that_works_until_sign_out(server):
    person = Person(server)
    assert person.browser.get("/v1/videos").status_code == 401
    bad = person.browser.post("/v1/studio/session", json={"api_key": "rf-wrong"})
    assert bad.status_code == 401 and "not valid" in bad.json()["error"]["message"]
    signed = person.sign_in()
    assert signed.status_code == 200, signed.text
    cookie = signed.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert signed.json()["user"] == {"name": person.name, "plan": "pro"}
    assert person.browser.get("/v1/videos").status_code == 200
    assert person.browser.get("/v1/studio/session").json()["user"]["name"] == person.name
    out = person.browser.delete("/v1/studio/session")
    assert out.status_code == 200
    assert person.browser.get("/v1/videos").status_code == 401


def test_a_signed_out_cookie_is_dead_on_the_server_too(server):
    person = Person(server)
    person.sign_in()
    token = person.browser.cookies["reelforge_session"]
    person.browser.delete("/v1/studio/session")
    replay = httpx.get(f"{person.base}/v1/videos", cookies={"reelforge_session": token}, timeout=30)
    assert replay.status_code == 401
    assert "session has ended" in replay.json()["error"]["message"]


def test_a_cookie_request_from_another_site_is_refused(server):
    person = Person(server)
    person.sign_in()
    forged = person.browser.post(
        "/v1/videos", json={"prompt": PROMPT}, headers={"origin": "https://evil.example"}
    )
    assert forged.status_code == 403 and forged.json()["error"]["param"] == "origin"


def test_publish_shows_a_clip_in_everyone_s_feed_and_another_user_remixes_it(server, ada, ada_clip):
    bob = Person(server)
    assert bob.bearer.get(f"/v1/studio/feed/{ada_clip['id']}").status_code == 404
    published = ada.bearer.post(f"/v1/studio/videos/{ada_clip['id']}/publish")
    assert published.status_code == 200 and published.json()["published"] is True
    feed = bob.bearer.get("/v1/studio/feed").json()["data"]
    assert feed[0]["id"] == ada_clip["id"]
    assert (feed[0]["owner"], feed[0]["mine"]) == (ada.name, False)
    thumb = bob.bearer.get(f"/v1/studio/feed/{ada_clip['id']}/content?variant=thumbnail")
    assert thumb.status_code == 200 and thumb.content[8:12] == b"WEBP"
    # Bob may not reach Ada's clip through the private routes.
    assert (
        bob.bearer.post(f"/v1/videos/{ada_clip['id']}/remix", json={"prompt": "x"}).status_code
        == 404
    )
    remix = bob.bearer.post(
        f"/v1/studio/feed/{ada_clip['id']}/remix", json={"prompt": "the same ball at night"}
    )
    assert remix.status_code == 200, remix.text
    assert remix.json()["remixed_from_video_id"] == ada_clip["id"]
    done = bob.finished(remix.json()["id"])
    assert done["status"] == "completed", done["error"]
    page = bob.bearer.get(f"/v1/studio/videos/{done['id']}").json()
    assert page["parents"][0]["id"] == ada_clip["id"]
    assert page["parents"][0]["owner"] == ada.name and page["parents"][0]["relation"] == "remix"
    # Unpublished: gone from the feed; Bob's remix keeps naming its parent.
    assert ada.bearer.delete(f"/v1/studio/videos/{ada_clip['id']}/publish").status_code == 200
    ids = [v["id"] for v in bob.bearer.get("/v1/studio/feed").json()["data"]]
    assert ada_clip["id"] not in ids
    assert bob.bearer.get(f"/v1/studio/feed/{ada_clip['id']}/content").status_code == 404
    parent = bob.bearer.get(f"/v1/studio/videos/{done['id']}").json()["parents"][0]
    assert parent == {"id": ada_clip["id"], "relation": "remix", "available": False, "owner": None}


def test_the_feed_is_newest_first_across_users(server, ada, ada_clip):
    bob = Person(server)
    bob_clip = bob.make_clip("a blue cube slides left on snow")
    ada.bearer.post(f"/v1/studio/videos/{ada_clip['id']}/publish")
    bob.bearer.post(f"/v1/studio/videos/{bob_clip['id']}/publish")
    data = ada.bearer.get("/v1/studio/feed?limit=2").json()
    assert [v["id"] for v in data["data"]] == [bob_clip["id"], ada_clip["id"]]
    older = ada.bearer.get(f"/v1/studio/feed?limit=1&before={data['data'][0]['published_at']}")
    assert older.json()["data"][0]["id"] == ada_clip["id"]


def test_only_a_completed_clip_of_one_s_own_can_be_published(server, ada, ada_clip):
    bob = Person(server)
    assert bob.bearer.post(f"/v1/studio/videos/{ada_clip['id']}/publish").status_code == 404
    queued = ada.bearer.post("/v1/videos", json={"prompt": PROMPT, "seconds": "1"}).json()
    early = ada.bearer.post(f"/v1/studio/videos/{queued['id']}/publish")
    if early.status_code != 200:  # it may already have finished on a fast machine
        assert early.status_code == 409 and "only a completed" in early.json()["error"]["message"]


def test_the_clip_page_has_kind_expansion_provenance_and_download(ada, ada_clip):
    page = ada.bearer.get(f"/v1/studio/videos/{ada_clip['id']}").json()
    assert page["kind"] == "create" and page["prompt"] == PROMPT
    assert page["expanded_prompt"] and page["expanded_prompt"] != PROMPT
    assert page["provenance"]["state"] in ("trusted", "valid")
    assert page["download"] == "clean" and page["parents"] == []


def test_the_account_shows_plan_usage_jobs_and_keys_and_manages_keys(server):
    person = Person(server, "plus")
    person.make_clip()
    account = person.bearer.get("/v1/studio/account").json()
    assert account["plan"]["name"] == "plus" and account["plan"]["max_seconds"] == 10
    assert account["usage"]["seconds_used"] == 1.0
    assert account["usage"]["seconds_left"] == 599.0
    assert account["jobs"]["concurrency"] == 1 and account["jobs"]["total"] == 1
    assert "1920x1080" not in account["choices"]["sizes"]["16:9"]
    assert account["choices"]["seconds"] == [4, 8]
    assert len(account["keys"]) == 1
    made = person.bearer.post("/v1/studio/keys").json()
    assert made["key"].startswith("rf-")
    second = httpx.Client(base_url=person.base, timeout=30)
    assert second.post("/v1/studio/session", json={"api_key": made["key"]}).status_code == 200
    assert len(person.bearer.get("/v1/studio/account").json()["keys"]) == 2
    assert person.bearer.delete(f"/v1/studio/keys/{made['id']}").status_code == 200
    assert second.get("/v1/videos").status_code == 401  # its session ended with the key
    again = person.bearer.delete(f"/v1/studio/keys/{made['id']}")
    assert again.status_code == 404


def test_export_is_a_zip_of_clips_prompts_and_metadata(ada, ada_clip):
    response = ada.bearer.get("/v1/studio/export")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        names = set(zf.namelist())
        records = json.loads(zf.read("videos.json"))
        prompts = zf.read("prompts.txt").decode()
    assert {f"clips/{ada_clip['id']}.mp4", f"clips/{ada_clip['id']}.webp"} <= names
    assert {"account.json", "README.txt"} <= names
    mine = next(r for r in records if r["id"] == ada_clip["id"])
    assert mine["prompt"] == PROMPT and mine["clip"] == f"clips/{ada_clip['id']}.mp4"
    assert PROMPT in prompts


def test_deleting_an_account_needs_its_name_and_then_removes_everything(server):
    person = Person(server)
    clip = person.make_clip()
    person.bearer.post(f"/v1/studio/videos/{clip['id']}/publish")
    refused = person.bearer.request("DELETE", "/v1/studio/account", json={"confirm": "yes"})
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "confirm"
    assert person.bearer.get(f"/v1/videos/{clip['id']}").status_code == 200
    done = person.bearer.request("DELETE", "/v1/studio/account", json={"confirm": person.name})
    assert done.status_code == 200 and done.json()["videos"] == 1
    assert person.bearer.get("/v1/videos").status_code == 401
    other = Person(server)
    assert other.bearer.get(f"/v1/studio/feed/{clip['id']}").status_code == 404
    assert not (server.data / "files" / "videos" / clip["id"]).exists()


def test_the_studio_routes_are_in_the_openapi_document_and_the_page_is_served(server):
    base = server.base_url.removesuffix("/v1")
    paths = httpx.get(f"{base}/openapi.json", timeout=30).json()["paths"]
    for path in (
        "/v1/studio/session",
        "/v1/studio/feed",
        "/v1/studio/feed/{video_id}/remix",
        "/v1/studio/videos/{video_id}/publish",
        "/v1/studio/account",
        "/v1/studio/keys",
        "/v1/studio/export",
    ):
        assert path in paths, path
    page = httpx.get(f"{base}/", timeout=30)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert httpx.get(f"{base}/v1/nothing", timeout=30).json()["error"]["code"] == "http_error"


def test_a_stitch_lists_every_source_as_a_parent(ada, ada_clip):
    other = ada.make_clip("a blue cube slides left on snow")
    made = ada.bearer.post("/v1/studio/stitches", json={"video_ids": [ada_clip["id"], other["id"]]})
    if made.status_code == 404:
        pytest.skip("this build has no /v1/studio/stitches route yet")
    assert made.status_code == 200, made.text
    done = ada.finished(made.json()["id"])
    assert done["status"] == "completed", done["error"]
    parents = ada.bearer.get(f"/v1/studio/videos/{done['id']}").json()["parents"]
    assert [(p["id"], p["relation"]) for p in parents] == [
        (ada_clip["id"], "stitch"),
        (other["id"], "stitch"),
    ]


def test_an_expired_session_is_refused(server):
    from sqlalchemy import select, update

    from reelforge.studio.db import sessions, users

    person = Person(server)
    person.sign_in()
    assert person.browser.get("/v1/videos").status_code == 200
    with server._db.begin() as conn:  # make_key's connection to the server's database
        mine = select(users.c.id).where(users.c.name == person.name).scalar_subquery()
        conn.execute(update(sessions).where(sessions.c.user_id == mine).values(expires_at=0))
    expired = person.browser.get("/v1/videos")
    assert expired.status_code == 401 and "sign in again" in expired.json()["error"]["message"]
