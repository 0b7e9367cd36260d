"""What every Google handler needs: routers that render Google errors, the caller's account from the bearer token
(with scope and rate checks), and query and body parsing in Google's terms."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import Message, Receive, Scope, Send

from app.sandbox.google.backend import GoogleAccount, GoogleBackend
from app.sandbox.google.discovery import clean_body
from app.sandbox.google.errors import (
    Api,
    GoogleApiError,
    bad_request,
    insufficient_scopes,
    invalid_json,
    rate_limited,
    unauthenticated,
)
from app.sandbox.google.wire import parse_rfc3339
from app.sandbox.state import SandboxState
from app.sandbox.tokens import Grant

_AUTH = "https://www.googleapis.com/auth/"
#: api -> (scopes that allow reading, scopes that allow writing), per each API's authorization scopes.
SCOPES: dict[Api, tuple[frozenset[str], frozenset[str]]] = {
    "people": (
        frozenset({_AUTH + "contacts", _AUTH + "contacts.readonly"}),
        frozenset({_AUTH + "contacts"}),
    ),
    "calendar": (
        frozenset(
            {
                _AUTH + "calendar",
                _AUTH + "calendar.readonly",
                _AUTH + "calendar.events",
                _AUTH + "calendar.events.readonly",
                _AUTH + "calendar.events.owned",
                _AUTH + "calendar.events.owned.readonly",
            }
        ),
        frozenset({_AUTH + "calendar", _AUTH + "calendar.events", _AUTH + "calendar.events.owned"}),
    ),
    "tasks": (frozenset({_AUTH + "tasks", _AUTH + "tasks.readonly"}), frozenset({_AUTH + "tasks"})),
    "gmail": (
        frozenset(
            {
                "https://mail.google.com/",
                _AUTH + "gmail.modify",
                _AUTH + "gmail.readonly",
                _AUTH + "gmail.metadata",
            }
        ),
        frozenset({"https://mail.google.com/", _AUTH + "gmail.modify", _AUTH + "gmail.insert"}),
    ),
}
GMAIL_METADATA_SCOPE = _AUTH + "gmail.metadata"
#: Scopes of a Gmail add-on that reach only the open message, through its per-message token.
GMAIL_ADDON_SCOPES = frozenset(
    {
        _AUTH + "gmail.addons.current.message.readonly",
        _AUTH + "gmail.addons.current.message.metadata",
        _AUTH + "gmail.addons.current.message.action",
    }
)
GMAIL_MESSAGE_TOKEN_HEADER = "x-goog-gmail-access-token"


#: Google's client libraries send a GET whose URL is too long (over 2048 characters) as a POST with this header and
#: the query form-encoded in the body (google-api-python-client ``HttpRequest.execute``, the Java ``MethodOverride``
#: and .NET ``MaxUrlLengthInterceptor``); Google's front end serves it as the GET.
METHOD_OVERRIDE_HEADER = b"x-http-method-override"


def overridden_method(scope: Scope) -> str | None:
    """The method a POST asks to be served as (``X-HTTP-Method-Override``), or None."""
    if scope.get("type") != "http" or scope.get("method") != "POST":
        return None
    for key, value in scope.get("headers", []):
        if key.lower() == METHOD_OVERRIDE_HEADER:
            return bytes(value).decode("latin-1").strip().upper() or None
    return None


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(bytes(message.get("body", b"")))
        if not message.get("more_body"):
            return b"".join(chunks)


async def served_as(scope: Scope, receive: Receive, method: str) -> tuple[Scope, Receive]:
    """The request as the method it asks to be served as; a GET's form-encoded body becomes its query string."""
    served = {**scope, "method": method}
    if method != "GET":
        return served, receive
    body = await _read_body(receive)
    served["query_string"] = b"&".join(part for part in (scope.get("query_string", b""), body) if part)
    served["headers"] = [(key, value) for key, value in scope.get("headers", []) if key.lower() != b"content-type"]
    return served, _no_body


def google_router(api: Api) -> APIRouter:
    """A router whose handlers may raise :class:`GoogleApiError` (rendered in ``api``'s format), and that serves a
    POST carrying ``X-HTTP-Method-Override`` as the method it names."""

    class _GoogleRoute(APIRoute):
        def matches(self, scope: Scope) -> tuple[Match, Scope]:
            method = overridden_method(scope)
            return super().matches({**scope, "method": method} if method is not None else scope)

        async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
            method = overridden_method(scope)
            if method is not None:
                scope, receive = await served_as(scope, receive, method)
            await super().handle(scope, receive, send)

        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def render_errors(request: Request) -> Response:
                try:
                    return await handler(request)
                except GoogleApiError as error:
                    return error.response(api)
                except RequestValidationError:
                    return bad_request("Invalid request parameters.", reason="invalid").response(api)

            return render_errors

    return APIRouter(route_class=_GoogleRoute, include_in_schema=False)


@dataclass
class GoogleCall:
    """An authenticated call: the sandbox, the Google backend, the caller's account and grant."""

    state: SandboxState
    backend: GoogleBackend
    account: GoogleAccount
    grant: Grant
    api: Api


def backend_of(request: Request) -> GoogleBackend:
    """The Google backend of the sandbox serving ``request``."""
    state: SandboxState = request.app.state.sandbox
    return state.backend("google", GoogleBackend)


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() in ("bearer", "oauth") and token.strip():
        return token.strip()
    return request.query_params.get("access_token") or request.query_params.get("oauth_token") or None


def authorize(request: Request, api: Api, *, write: bool = False) -> GoogleCall:
    """The call's account: 401 without a live Google token, 403 without a fitting scope, then the rate limit."""
    state: SandboxState = request.app.state.sandbox
    backend = state.backend("google", GoogleBackend)
    token = _bearer(request)
    if token is None:
        raise unauthenticated(api, missing=True)
    grant = state.tokens.resolve_access_token("google", token)
    if grant is None:
        raise unauthenticated(api, missing=False)
    if grant.scopes and api != "gmail":
        read, writes = SCOPES[api]
        if not set(grant.scopes) & (writes if write else read | writes):
            raise insufficient_scopes()
    settings = backend.settings
    if not backend.limiter.admit(grant.email, api, state.clock.now(), settings.requests_per_minute):
        raise rate_limited(settings.over_limit_status, settings.over_limit_reason)
    return GoogleCall(state, backend, backend.account(grant.email), grant, api)


def check_gmail_access(call: GoogleCall, request: Request, *, message_id: str | None, fmt: str | None) -> None:
    """Gmail's scope rules: full scopes read anything; ``gmail.metadata`` only headers; an add-on's
    ``gmail.addons.current.message.*`` scopes only the message named by its ``X-Goog-Gmail-Access-Token``."""
    scopes = set(call.grant.scopes)
    if not scopes:
        return
    read, _ = SCOPES["gmail"]
    if scopes & (read - {GMAIL_METADATA_SCOPE}):
        return
    if GMAIL_METADATA_SCOPE in scopes:
        if fmt in ("full", "raw") or (message_id is None and request.query_params.get("q")):
            kind = "format " + fmt.upper() if fmt else "'q' parameter"
            raise GoogleApiError(403, f"Metadata scope doesn't allow {kind}", "forbidden")
        return
    if not scopes & GMAIL_ADDON_SCOPES or message_id is None:
        raise insufficient_scopes()
    message_token = request.headers.get(GMAIL_MESSAGE_TOKEN_HEADER)
    if not message_token:
        raise insufficient_scopes()
    resolved = call.backend.resolve_message_token(message_token.strip())
    if resolved is None:
        raise unauthenticated("gmail", missing=False)
    if resolved.email != call.account.email or resolved.message_id != message_id:
        raise GoogleApiError(403, "The per-message access token does not grant access to this message.", "forbidden")
    if fmt in ("full", "raw") and scopes & GMAIL_ADDON_SCOPES == {_AUTH + "gmail.addons.current.message.metadata"}:
        raise GoogleApiError(403, f"Metadata scope doesn't allow format {fmt.upper()}", "forbidden")


def query_bool(request: Request, name: str) -> bool | None:
    """A boolean query parameter (``true``/``false``); None when absent; 400 when malformed."""
    value = request.query_params.get(name)
    if value is None:
        return None
    lowered = value.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise bad_request(f"Invalid value '{value}' for {name}.", reason="invalid", location=name)


def query_int(request: Request, name: str) -> int | None:
    """An integer query parameter; None when absent; 400 when malformed."""
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise bad_request(f"Invalid value '{value}' for {name}.", reason="invalid", location=name) from None


def query_time(request: Request, name: str) -> datetime | None:
    """An RFC 3339 query parameter as an aware datetime; None when absent; 400 when malformed."""
    value = request.query_params.get(name)
    if value is None:
        return None
    parsed = parse_rfc3339(value)
    if parsed is None:
        raise bad_request(f"Invalid value '{value}' for {name}.", reason="invalid", location=name)
    return parsed


def query_list(request: Request, name: str) -> list[str]:
    """Every value of a repeated query parameter."""
    return request.query_params.getlist(name)


def field_mask(value: str | None) -> frozenset[str]:
    """The paths of a comma-separated field mask (``person.`` prefixes dropped)."""
    if not value:
        return frozenset()
    return frozenset(part.strip().removeprefix("person.") for part in value.split(",") if part.strip())


async def json_body(request: Request, api: Api, schema_name: str, root: str) -> dict[str, Any]:
    """The request body checked against ``schema_name`` (an empty body is an empty object)."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise invalid_json("The body is not valid JSON.") from None
    return clean_body(api, schema_name, value, root=root)


def json_response(body: dict[str, Any], status_code: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON answer."""
    return JSONResponse(body, status_code=status_code, headers=headers)


def empty_response() -> Response:
    """204 No Content (Calendar and Tasks deletions)."""
    return Response(status_code=204)
