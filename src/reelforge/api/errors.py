"""Errors in OpenAI's shape, `{"error": {"message", "type", "param", "code"}}`, with the
status codes the `openai` SDK maps to its exception classes."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from reelforge.safety import ModerationBlocked
from reelforge.studio.errors import (
    AuthenticationError,
    ConflictError,
    PermissionDeniedError,
    QuotaExceededError,
    TooLargeError,
)
from reelforge.types import (
    InvalidInputError,
    MediaError,
    NotFoundError,
    ReelforgeError,
    UnsupportedError,
)

logger = logging.getLogger(__name__)

STATUS = [  # the first class that matches decides
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (QuotaExceededError, 429),
    (MediaError, 422),  # well-formed request, unreadable file
    (ModerationBlocked, 400),  # OpenAI's moderation_blocked; the message names the category
    (TooLargeError, 400),
    (InvalidInputError, 400),
    (UnsupportedError, 400),
]


def error_body(message: str, type_: str, param: str | None, code: str | None) -> dict:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def error_response(status: int, message: str, *, param=None, code=None, type_=None, **extra):
    """The error as OpenAI shapes it; `extra` fields (reelforge's own) join the object."""
    type_ = type_ or ("server_error" if status >= 500 else "invalid_request_error")
    headers = {"x-should-retry": "false"} if status == 429 else None
    body = error_body(message, type_, param, code)
    body["error"].update(extra)
    return JSONResponse(body, status, headers=headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ReelforgeError, _reelforge_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


async def _reelforge_error(request: Request, exc: ReelforgeError) -> JSONResponse:
    status = next((s for cls, s in STATUS if isinstance(exc, cls)), 500)
    type_ = "insufficient_quota" if status == 429 else None
    extra = {}
    if isinstance(exc, ModerationBlocked):  # reelforge's own fields: which rule decided
        extra = {"category": exc.category, "rule": exc.rule}
    return error_response(status, str(exc), param=exc.param, code=exc.code, type_=type_, **extra)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0] if exc.errors() else {}
    where = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")]
    param = ".".join(where) or None
    message = f"{param}: {first.get('msg', 'invalid value')}" if param else "invalid request"
    return error_response(400, message, param=param, code="invalid_value")


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    messages = {404: f"no route {request.method} {request.url.path}"}
    message = messages.get(exc.status_code, str(exc.detail))
    return error_response(exc.status_code, message, code="http_error")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unexpected error in %s %s", request.method, request.url.path)
    return error_response(500, "the server failed to handle the request", code="internal_error")
