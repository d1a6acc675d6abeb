"""Request bodies as clients send them: JSON, multipart and urlencoded forms with bracket
fields (`input_reference[image_url]`), file parts; size limits before and while reading.
Through a tiny app with the API's error handlers, so the refusals are the 400s a client
sees."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from reelforge.api.errors import install
from reelforge.api.forms import FORM_OVERHEAD, MAX_FIELD_BYTES, read_body

LIMIT = 1000  # bytes per upload in this app
URLENCODED = {"content-type": "application/x-www-form-urlencoded"}


def make_app(limit: int = LIMIT) -> FastAPI:
    app = FastAPI()
    install(app)

    @app.post("/body")
    async def body(request: Request) -> dict:
        fields, files = await read_body(request, limit)
        uploads = {
            k: {"filename": u.filename, "content_type": u.content_type, "bytes": len(u.data)}
            for k, u in files.items()
        }
        return {"fields": fields, "files": uploads}

    return app


@pytest.fixture(scope="module")
def client():
    with TestClient(make_app()) as c:
        yield c


def refused(response, param: str, code: str = "invalid_input") -> str:
    """The OpenAI-shaped 400; returns its message."""
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param
    assert error["code"] == code
    return error["message"]


# -- JSON ---------------------------------------------------------------------------------


def test_json_object_comes_back_as_is(client):
    body = {"prompt": "a kite", "input_reference": {"image_url": "data:image/png;base64,AA=="}}
    response = client.post("/body", json=body)
    assert response.status_code == 200
    assert response.json() == {"fields": body, "files": {}}


def test_malformed_json_is_refused(client):
    response = client.post(
        "/body", content=b'{"prompt": "a kite",}', headers={"content-type": "application/json"}
    )
    assert "not valid JSON" in refused(response, "body")


@pytest.mark.parametrize("raw", [b'["prompt"]', b'"a kite"', b"", b"null"])
def test_json_that_is_not_an_object_is_refused(client, raw):
    response = client.post("/body", content=raw, headers={"content-type": "application/json"})
    assert "must be an object" in refused(response, "body")


@pytest.mark.parametrize("kind", ["text/plain", None])
def test_other_content_types_are_refused(client, kind):
    headers = {"content-type": kind} if kind else {}
    response = client.post("/body", content=b"prompt=a kite", headers=headers)
    message = refused(response, "content-type")
    assert "application/json" in message and "multipart/form-data" in message


# -- forms and bracket fields ---------------------------------------------------------------


def test_urlencoded_brackets_nest(client):
    response = client.post(
        "/body",
        data={
            "prompt": "a kite",
            "input_reference[image_url]": "data:image/png;base64,AA==",
            "a[b][c]": "deep",
            "a[b][d]": "sibling",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["fields"] == {
        "prompt": "a kite",
        "input_reference": {"image_url": "data:image/png;base64,AA=="},
        "a": {"b": {"c": "deep", "d": "sibling"}},
    }


def test_multipart_fields_and_files(client):
    response = client.post(
        "/body",
        data={"prompt": "a kite", "input_reference[file_id]": "file-1"},
        files={"video": ("clip.mp4", b"\0" * 300, "video/mp4")},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "fields": {"prompt": "a kite", "input_reference": {"file_id": "file-1"}},
        "files": {"video": {"filename": "clip.mp4", "content_type": "video/mp4", "bytes": 300}},
    }


@pytest.mark.parametrize("name", ["a[b", "[b]", "a]b", "a[b]c", "a[b[c]]"])
def test_malformed_field_names_are_refused(client, name):
    response = client.post("/body", data={name: "x"})
    assert "malformed form field name" in refused(response, name)


@pytest.mark.parametrize(
    "pairs",
    [
        [("a", "1"), ("a[b]", "2")],
        [("a[b]", "2"), ("a", "1")],
        [("a[b]", "1"), ("a[b][c]", "2")],
        [("a[b][c]", "2"), ("a[b]", "1")],
    ],
)
def test_a_field_and_its_nested_fields_conflict(client, pairs):
    response = client.post("/body", content=urlencode(pairs), headers=URLENCODED)
    assert "conflicts with another" in refused(response, pairs[1][0])


# -- size limits ----------------------------------------------------------------------------


def test_declared_length_over_the_limit_is_refused_before_reading(client):
    # Not valid JSON either: had the body been read, the error would say so.
    raw = b"{" + b" " * (LIMIT + FORM_OVERHEAD + 10)
    response = client.post("/body", content=raw, headers={"content-type": "application/json"})
    assert "limited to" in refused(response, "file", code="file_too_large")


def test_file_part_over_the_limit_is_refused(client):
    response = client.post(
        "/body", files={"input_reference": ("a.png", b"\x89PNG" + b"\0" * LIMIT, "image/png")}
    )
    message = refused(response, "input_reference", code="file_too_large")
    assert "upload limit" in message


def test_file_part_at_the_limit_passes(client):
    response = client.post("/body", files={"input_reference": ("a.png", b"\0" * LIMIT)})
    assert response.json()["files"]["input_reference"]["bytes"] == LIMIT


def test_text_field_over_its_limit_is_refused():
    with TestClient(make_app(limit=4 * MAX_FIELD_BYTES)) as c:
        response = c.post(
            "/body",
            data={"prompt": "x"},
            files={"input_reference[image_url]": (None, "A" * (MAX_FIELD_BYTES + 10))},
        )
    assert "could not be read" in refused(response, "body")
