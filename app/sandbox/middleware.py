"""The ASGI middleware in front of every emulated vendor host: fault injection first, then the call log.

Requests whose first path segment is not a known vendor host (``/_sandbox/...``, ``/docs``) pass through untouched.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.sandbox.calls import CALL_USER_SCOPE_KEY
from app.sandbox.faults import FaultRule
from app.sandbox.hosts import host_of, provider_for_path
from app.sandbox.state import SandboxState
from app.sandbox.tokens import Provider
from app.sandbox.vendor_errors import default_error_body, vendor_response_headers

#: Query parameters whose values never reach the call log.
_SECRET_PARAMETERS = frozenset(
    {
        "access_token",
        "refresh_token",
        "id_token",
        "token",
        "oauth_token",
        "code",
        "code_verifier",
        "client_secret",
        "client_assertion",
        "assertion",
        "password",
    }
)


def route_path(scope: Scope) -> str:
    """The request path inside the sandbox app, whether it is served alone or mounted under a prefix."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if root_path and path.startswith(root_path):
        return path[len(root_path) :] or "/"
    return path


def redact_query(query: str) -> str:
    """The query string with the values of token-like parameters replaced by ``REDACTED``."""
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(key, "REDACTED" if key.lower() in _SECRET_PARAMETERS else value) for key, value in pairs])


def _bearer_token(headers: Headers) -> str | None:
    authorization = headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() in ("bearer", "oauth") and token.strip():
        return token.strip()
    gmail_token = headers.get("x-goog-gmail-access-token")
    return gmail_token.strip() if gmail_token else None


class VendorCallMiddleware:
    """Applies fault rules to vendor calls and records every one of them in the sandbox's call log."""

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = route_path(scope)
        provider = provider_for_path(path)
        if provider is None:
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()
        at = self.state.clock.now()
        method: str = scope["method"]
        headers = Headers(scope=scope)
        token = _bearer_token(headers)
        grant = self.state.tokens.any_grant(token) if token else None
        status = 500
        rule = self.state.faults.fire(provider, method, path)
        recorded = False

        def record_call() -> None:
            nonlocal recorded
            if recorded:
                return
            recorded = True
            user = grant.email if grant is not None else scope.get(CALL_USER_SCOPE_KEY)
            self.state.calls.record(
                time=at,
                provider=provider,
                user=user,
                method=method,
                path=path,
                query=redact_query(scope.get("query_string", b"").decode("latin-1")),
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
                injected=rule is not None and rule.spec.status is not None,
                fault_id=rule.id if rule is not None else None,
            )

        async def recording_send(message: Message) -> None:
            # Recorded before the last body chunk leaves, so a client that has its answer finds it in the log.
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                record_call()
            await send(message)

        try:
            if rule is not None and rule.spec.delay_seconds > 0:
                await asyncio.sleep(rule.spec.delay_seconds)
            if rule is not None and rule.spec.status is not None:
                status = rule.spec.status
                response = self._fault_response(rule, provider, path, headers)
                await response(scope, receive, recording_send)
                return
            await self.app(scope, receive, recording_send)
        finally:
            record_call()

    def _fault_response(self, rule: FaultRule, provider: Provider, path: str, headers: Mapping[str, str]) -> Response:
        spec = rule.spec
        assert spec.status is not None
        request_id = str(uuid.uuid4())
        body = spec.body
        if body is None:
            body = default_error_body(
                provider,
                host_of(path),
                spec.status,
                now=self.state.clock.now(),
                code=spec.code,
                message=spec.message,
                request_headers=headers,
                request_id=request_id,
            )
        response_headers = vendor_response_headers(provider, request_id, headers)
        response_headers.update(dict(spec.headers))
        return Response(
            content=json.dumps(body, ensure_ascii=False),
            status_code=spec.status,
            headers=response_headers,
            media_type="application/json",
        )
