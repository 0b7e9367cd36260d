"""Protections every response and request gets: security headers, a request size limit, and rate limits.

- Pages carry a Content-Security-Policy that allows scripts from this service and Office.js only, no other
  external resource, and framing only by Outlook (on the web, new Outlook, Office) and Gmail hosts.
- Request bodies larger than ``CRMBRIDGE_MAX_REQUEST_BYTES`` are refused with 413 in the house error format.
- Sign-in, connect and OAuth callback endpoints are rate limited per client address. The counters live in the
  server process, so with several workers each one counts on its own (the limit is per process).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.error_handlers import error_response
from app.errors import PayloadTooLarge, RateLimited

#: Where Office.js is served from (the one external script the pages may load).
OFFICE_JS_ORIGIN = "https://appsforoffice.microsoft.com"
#: Hosts that may frame crmbridge pages: Outlook on the web and the new Outlook (Microsoft 365 and
#: Outlook.com), Office on the web, and Gmail. Gmail add-ons of the HTTP runtime render cards, not frames;
#: mail.google.com is listed for the pages they open.
FRAME_ANCESTORS = (
    "https://outlook.office.com",
    "https://outlook.office365.com",
    "https://outlook.live.com",
    "https://outlook.cloud.microsoft",
    "https://*.office.com",
    "https://*.office365.com",
    "https://*.outlook.com",
    "https://*.officeapps.live.com",
    "https://mail.google.com",
)
#: FastAPI's interactive API documentation loads Swagger UI and ReDoc from this CDN with an inline script.
DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "font-src 'self' https://fonts.gstatic.com; worker-src blob:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)


def page_csp(form_targets: Iterable[str]) -> str:
    """The Content-Security-Policy of crmbridge's pages; forms may also lead to ``form_targets`` (the vendors'
    sign-in pages, since Chromium applies ``form-action`` to the redirect that follows a form post)."""
    form_action = " ".join(["'self'", *form_targets])
    return (
        f"default-src 'self'; script-src 'self' {OFFICE_JS_ORIGIN}; style-src 'self'; img-src 'self' data:; "
        f"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action {form_action}; "
        f"frame-ancestors 'self' {' '.join(FRAME_ANCESTORS)}"
    )


class SecurityHeadersMiddleware:
    """Adds the security headers to every response that does not set them itself.

    Paths under ``exempt_prefixes`` (the mounted sandbox, standing in for the vendors' own sites) get only
    ``nosniff`` and the referrer policy.
    """

    def __init__(
        self, app: ASGIApp, *, csp: str, exempt_prefixes: tuple[str, ...] = (), strict_transport: bool = False
    ) -> None:
        self.app = app
        self.csp = csp
        self.exempt_prefixes = exempt_prefixes
        self.strict_transport = strict_transport

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        added: list[tuple[bytes, bytes]] = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
        ]
        if not any(path == prefix or path.startswith(prefix + "/") for prefix in self.exempt_prefixes):
            csp = DOCS_CSP if path in DOCS_PATHS else self.csp
            added.append((b"content-security-policy", csp.encode()))
            if self.strict_transport:
                added.append((b"strict-transport-security", b"max-age=31536000"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((name, value) for name, value in added if name not in present),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):.0f} MiB" if limit >= 1024 * 1024 else f"{limit // 1024} KiB"


class BodySizeLimitMiddleware:
    """Refuses request bodies over ``max_bytes`` with 413, before reading them when Content-Length says so,
    and as soon as a streamed body goes over otherwise."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, exempt_prefixes: tuple[str, ...] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt_prefixes = exempt_prefixes
        self.message = f"The request is larger than this server accepts ({_size(max_bytes)})."

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or any(
            path == prefix or path.startswith(prefix + "/") for prefix in self.exempt_prefixes
        ):
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # FastAPI passes HTTP exceptions raised while reading the body on to the error handlers.
                    raise StarletteHTTPException(status_code=413, detail=self.message)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except StarletteHTTPException as exc:
            if exc.status_code != 413 or started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        error = PayloadTooLarge(self.message)
        response = error_response(
            request,
            status_code=error.status_code,
            code=error.code,
            message=error.message,
            headers={"connection": "close"},
        )
        await response(scope, receive, send)


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per client address: ``per_minute`` requests, refilled evenly over the minute.

    In memory and per process; it protects the sign-in and token endpoints from guessing and floods, not as an
    exact quota.
    """

    MAX_TRACKED = 10_000

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        """Count one request for ``key``; RateLimited (with the seconds to wait) when the bucket is empty."""
        with self._lock:
            now = self._clock()
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self.MAX_TRACKED:
                    self._forget_full(now)
                bucket = self._buckets[key] = _Bucket(self.capacity, now)
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens < 1.0:
                wait = math.ceil((1.0 - bucket.tokens) / self.rate)
                raise RateLimited(
                    f"Too many sign-in attempts from your address; wait {wait} seconds and try again.",
                    retry_after=wait,
                )
            bucket.tokens -= 1.0

    def _forget_full(self, now: float) -> None:
        for key, bucket in list(self._buckets.items()):
            if bucket.tokens + (now - bucket.updated) * self.rate >= self.capacity:
                del self._buckets[key]


def client_address(request: Request) -> str:
    """The caller's address (uvicorn puts a trusted proxy's X-Forwarded-For here)."""
    return request.client.host if request.client else "unknown"


def limit_auth_requests(request: Request) -> None:
    """Dependency: count the request against the caller's sign-in and token endpoint budget."""
    limiter: RateLimiter = request.app.state.auth_rate_limiter
    limiter.check(client_address(request))


AuthRateLimit = Annotated[None, Depends(limit_auth_requests)]
