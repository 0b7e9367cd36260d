"""How the sandbox app reports errors: the control API as ``{"error": {"code", "message"}}``, vendor hosts in the
vendor's own format (for errors the emulators do not render themselves), anything else as FastAPI would."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.sandbox.deps import sandbox_state
from app.sandbox.hosts import host_of, provider_for_path
from app.sandbox.middleware import route_path
from app.sandbox.vendor_errors import default_error_body

logger = logging.getLogger(__name__)

CONTROL_PREFIX = "/_sandbox"

_GENERIC_DETAILS = frozenset({"Not Found", "Method Not Allowed", "Internal Server Error", "Bad Request"})
_HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 415: "unsupported_media_type"}


class ControlError(Exception):
    """A control API request that cannot be done; rendered as ``{"error": {"code", "message"}}``."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message


def control_error_response(status_code: int, code: str, message: str) -> JSONResponse:
    """The control API's error document."""
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status_code)


def _is_control(path: str) -> bool:
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


def _vendor_error(request: Request, status_code: int, message: str | None) -> Response | None:
    path = route_path(request.scope)
    provider = provider_for_path(path)
    if provider is None:
        return None
    now = sandbox_state(request).clock.now()
    body = default_error_body(provider, host_of(path), status_code, now=now, message=message)
    return JSONResponse(body, status_code=status_code)


async def _control_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ControlError)
    return control_error_response(exc.status_code, exc.code, exc.message)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail not in _GENERIC_DETAILS else None
    if _is_control(route_path(request.scope)):
        if exc.status_code == 404 and detail is None:
            detail = f"There is no control endpoint at {route_path(request.scope)}; see /docs for the control API."
        elif exc.status_code == 405 and detail is None:
            detail = f"{request.method} is not allowed on {route_path(request.scope)}."
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return control_error_response(exc.status_code, code, detail or "The request could not be completed.")
    vendor = _vendor_error(request, exc.status_code, detail)
    return vendor if vendor is not None else await http_exception_handler(request, exc)


def _describe(exc: RequestValidationError) -> str:
    problems = []
    for error in exc.errors()[:5]:
        location = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path"))
        problems.append(f"{location or 'body'}: {error.get('msg', 'invalid')}")
    return "Some values are not acceptable: " + "; ".join(problems) + "."


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if _is_control(route_path(request.scope)):
        return control_error_response(422, "invalid_input", _describe(exc))
    vendor = _vendor_error(request, 400, _describe(exc))
    return vendor if vendor is not None else await request_validation_exception_handler(request, exc)


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    logger.error("sandbox error on %s %s: %s", request.method, route_path(request.scope), type(exc).__name__)
    if _is_control(route_path(request.scope)):
        return control_error_response(500, "internal_error", "The sandbox failed to handle this request.")
    vendor = _vendor_error(request, 500, None)
    return vendor if vendor is not None else control_error_response(500, "internal_error", "Internal error.")


def install_error_handlers(app: FastAPI) -> None:
    """Register the sandbox's error renderers on ``app``."""
    app.add_exception_handler(ControlError, _control_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)
