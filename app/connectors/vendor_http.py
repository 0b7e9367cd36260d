"""Point vendor clients at another base address without changing them: ``https://HOST/PATH`` -> ``{base}/HOST/PATH``.

This is how the same connector code talks to the real vendors (no base: nothing is rewritten) and to the
sandbox (base = the sandbox's address). simple-salesforce keeps only the host of ``instance_url`` and always
builds ``https://`` URLs, so the rewrite has to happen in the transport: a requests adapter for it, an httpx
transport for our own calls.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import requests
from requests.adapters import HTTPAdapter


def rebase_url(url: str, base: str) -> str:
    """Map a vendor URL onto ``base`` under the addressing rule; URLs already under ``base`` are left alone."""
    base = base.rstrip("/")
    if url.startswith(base + "/"):
        return url
    parts = urlsplit(url)
    rebased = f"{base}/{parts.netloc}{parts.path or '/'}"
    return f"{rebased}?{parts.query}" if parts.query else rebased


class RebasingAdapter(HTTPAdapter):
    """A requests adapter that sends every ``https://`` request to ``base`` instead."""

    def __init__(self, base: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = base.rstrip("/")

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        """Rewrite the URL, then send as usual."""
        if request.url and not request.url.startswith(self.base + "/"):
            request.url = rebase_url(request.url, self.base)
        return super().send(request, *args, **kwargs)


def rebasing_requests_session(base: str | None) -> requests.Session:
    """A requests session for vendor calls; with ``base``, every https request goes there instead."""
    session = requests.Session()
    if base:
        session.mount("https://", RebasingAdapter(base))
    return session


class RebasingTransport(httpx.BaseTransport):
    """An httpx transport that sends vendor requests to ``base``, through an inner transport."""

    def __init__(self, base: str, inner: httpx.BaseTransport | None = None) -> None:
        self.base = base.rstrip("/")
        self.inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Rewrite the URL, then hand the request to the inner transport."""
        request.url = httpx.URL(rebase_url(str(request.url), self.base))
        return self.inner.handle_request(request)

    def close(self) -> None:
        """Close the inner transport."""
        self.inner.close()


class AsyncRebasingTransport(httpx.AsyncBaseTransport):
    """The asynchronous counterpart of :class:`RebasingTransport`."""

    def __init__(self, base: str, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.base = base.rstrip("/")
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Rewrite the URL, then hand the request to the inner transport."""
        request.url = httpx.URL(rebase_url(str(request.url), self.base))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the inner transport."""
        await self.inner.aclose()
