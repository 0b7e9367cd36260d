"""One error tree, two renderings: JSON under ``/api`` (and for the sandbox-free machine clients), a page elsewhere.

No stack trace or exception text from an unexpected error ever reaches a client; the log has it, under the
request id that the client also sees.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import CrmbridgeError, RateLimited

logger = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}
_HTTP_MESSAGES = {
    404: "There is nothing at this address.",
    405: "This address does not accept that method.",
}


def wants_json(path: str) -> bool:
    """Whether errors for ``path`` are rendered as JSON rather than as a page."""
    return path == "/api" or path.startswith("/api/") or path in ("/healthz", "/openapi.json")


def error_response(
    request: Request | None,
    *,
    status_code: int,
    code: str,
    message: str,
    path: str | None = None,
    details: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Render one error for the request (or a bare ``path``): a JSON document or the error page."""
    path = path if path is not None else (request.url.path if request else "/api")
    request_id = getattr(request.state, "request_id", None) if request else None
    out_headers = dict(headers or {})  # the X-Request-ID header is added by RequestIdMiddleware
    if wants_json(path) or request is None:
        body: dict[str, Any] = {"code": code, "message": message, "request_id": request_id}
        if details:
            body["details"] = details
        return JSONResponse({"error": body}, status_code=status_code, headers=out_headers)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status_code": status_code, "code": code, "message": message, "request_id": request_id},
        status_code=status_code,
        headers=out_headers,
    )


async def _crmbridge_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CrmbridgeError)
    headers = {}
    if isinstance(exc, RateLimited) and exc.retry_after is not None:
        headers["retry-after"] = str(exc.retry_after)
    if exc.status_code >= 500:
        logger.error("%s: %s", exc.code, exc.message)
    return error_response(request, status_code=exc.status_code, code=exc.code, message=exc.message, headers=headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) and exc.detail else None
    if message is None or message in ("Not Found", "Method Not Allowed"):
        message = _HTTP_MESSAGES.get(exc.status_code, "The request could not be completed.")
    return error_response(request, status_code=exc.status_code, code=code, message=message, headers=exc.headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details = [{"field": _field_name(error.get("loc", ())), "problem": error.get("msg", "")} for error in exc.errors()]
    summary = "; ".join(f"{item['field'] or 'body'}: {item['problem']}" for item in details[:5])
    return error_response(
        request,
        status_code=422,
        code="invalid_input",
        message=f"Some values are not acceptable: {summary}.",
        details=details,
    )


def _field_name(location: Sequence[Any]) -> str:
    # ("body", "contact", "email") -> "contact.email"; the "body"/"query" prefix says nothing to a person.
    parts = [str(part) for part in location]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    """Register the renderers for crmbridge errors, HTTP errors and invalid input on ``app``."""
    app.add_exception_handler(CrmbridgeError, _crmbridge_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)


class UnexpectedErrorMiddleware:
    """Turn any unhandled exception into a generic 500 in the house format, logged with its request id.

    It sits inside the request-id middleware, so the log line and the response carry the same id.
    """

    def __init__(self, app: ASGIApp, templates_app: FastAPI) -> None:
        self.app = app
        self.templates_app = templates_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response_started = False

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            logger.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if response_started:
                raise
            request = Request(scope, receive)
            request.scope["app"] = self.templates_app
            response = error_response(
                request, status_code=500, code=CrmbridgeError.code, message=CrmbridgeError.default_message
            )
            await response(scope, receive, send)
