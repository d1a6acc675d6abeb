"""Request bodies as the `openai` SDK (and curl) send them: JSON, or multipart form data
whose nested fields use brackets (`input_reference[image_url]=...`), with file parts.

Everything arrives as (fields, files): nested dicts of strings and Uploads. Bodies over
the upload limit are refused from their Content-Length before they are read.
"""

from __future__ import annotations

import json
import re

from fastapi import Request
from starlette.datastructures import UploadFile

from reelforge.studio.errors import TooLargeError
from reelforge.studio.requests import Upload
from reelforge.studio.uploads import megabytes
from reelforge.types import InvalidInputError

BRACKETS = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the other fields around a file
MAX_FIELD_BYTES = 1024 * 1024  # a text field (e.g. a data URL) may be this large


async def read_body(
    request: Request, max_bytes: int, upload: str = "file"
) -> tuple[dict, dict[str, Upload]]:
    """`upload` names the field that a body refused by its Content-Length is blamed on
    (the route's file field): the parts are not read, so which one is large is unknown."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes + FORM_OVERHEAD:
        raise TooLargeError(
            f"the request body is {megabytes(int(declared))}; uploads are limited to "
            f"{megabytes(max_bytes)}",
            param=upload,
        )
    if kind == "application/json":
        return await _json(request), {}
    if kind in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return await _form(request, max_bytes)
    raise InvalidInputError(
        f"unsupported Content-Type {kind or '(none)'!r}: send application/json or "
        "multipart/form-data",
        param="content-type",
    )


async def _json(request: Request) -> dict:
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InvalidInputError(
            f"the body is not valid JSON: {e}", param="body", hint="check quotes and commas"
        ) from None
    if not isinstance(body, dict):
        raise InvalidInputError("the JSON body must be an object", param="body")
    return body


async def _form(request: Request, max_bytes: int) -> tuple[dict, dict[str, Upload]]:
    try:
        form = await request.form(max_part_size=MAX_FIELD_BYTES)
    except Exception as e:  # multipart parser errors carry their own message
        raise InvalidInputError(f"the form data could not be read: {e}", param="body") from None
    fields: dict = {}
    files: dict[str, Upload] = {}
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            data = await value.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise TooLargeError(
                    f"{key} is over the {megabytes(max_bytes)} upload limit", param=key
                )
            files[key] = Upload(value.filename or key, value.content_type, data)
        else:
            _put(fields, key, value)
    return fields, files


def _put(fields: dict, key: str, value: str) -> None:
    """fields["a"]["b"] = value for the key "a[b]"."""
    match = BRACKETS.match(key)
    if match is None:
        raise InvalidInputError(f"malformed form field name {key!r}", param=key)
    path = [match[1], *re.findall(r"\[([^\[\]]*)\]", match[2])]
    node = fields
    for part in path[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise InvalidInputError(f"form field {key!r} conflicts with another", param=key)
    if isinstance(node.get(path[-1]), dict):  # "a" after "a[b]": would drop a[b]
        raise InvalidInputError(f"form field {key!r} conflicts with another", param=key)
    node[path[-1]] = value
