"""Google API clients built exactly as the connector builds them, pointed at the live sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httplib2
import pytest
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.http import BatchHttpRequest

from tests.sandbox.conftest import LiveSandbox

PRIYA = "priya.shah@example.com"
ZOE = "zoe.lefevre@example.com"
#: Where each API lives under the addressing rule (rootUrl + servicePath of the shipped discovery documents).
ENDPOINTS = {
    "people": ("v1", "people.googleapis.com/"),
    "calendar": ("v3", "www.googleapis.com/calendar/v3/"),
    "tasks": ("v1", "tasks.googleapis.com/"),
    "gmail": ("v1", "gmail.googleapis.com/"),
}
#: The discovery documents' batchPath under each host.
BATCH_PATHS = {
    "people": "people.googleapis.com/batch",
    "calendar": "www.googleapis.com/batch/calendar/v3",
    "tasks": "tasks.googleapis.com/batch",
    "gmail": "gmail.googleapis.com/batch",
}


@dataclass
class Google:
    """Clients for one sandbox user."""

    sandbox: LiveSandbox
    email: str
    token: str
    _opened: list[Any] = field(default_factory=list)

    def service(self, api: str, *, token: str | None = None) -> Any:
        """A discovery-based client of ``api`` with ``static_discovery=True`` and the sandbox as ``api_endpoint``."""
        version, endpoint = ENDPOINTS[api]
        service = build(
            api,
            version,
            credentials=Credentials(token or self.token),  # type: ignore[no-untyped-call]
            static_discovery=True,
            cache_discovery=False,
            client_options={"api_endpoint": f"{self.sandbox.base_url}/{endpoint}"},
        )
        self._opened.append(service)
        return service

    def close(self) -> None:
        """Close the connections of every client built (httplib2 keeps them open)."""
        for service in self._opened:
            service.close()
        self._opened.clear()

    def advance(self, delta: timedelta) -> None:
        """Move the sandbox clock and take a fresh access token (the old one would have expired)."""
        self.sandbox.state.clock.advance(delta)
        self.token = self.sandbox.token("google", self.email)

    def batch(self, api: str, callback: Any = None) -> BatchHttpRequest:
        """A batch request to the API's batch path on the sandbox (``batch_uri``, as DESIGN.md prescribes)."""
        return BatchHttpRequest(callback=callback, batch_uri=f"{self.sandbox.base_url}/{BATCH_PATHS[api]}")

    def raw(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: str | None = None,
        token: str | None = None,
    ) -> tuple[httplib2.Response, bytes]:
        """A plain HTTP call to ``{base}/{path}`` with the user's bearer token (None token: no Authorization)."""
        sent = {"authorization": f"Bearer {token if token is not None else self.token}"} if token != "" else {}
        sent.update(headers or {})
        http = httplib2.Http()
        try:
            response, content = http.request(f"{self.sandbox.base_url}/{path}", method, body=body, headers=sent)
        finally:
            http.close()
        return response, bytes(content)


@pytest.fixture
def google(sandbox: LiveSandbox) -> Iterator[Google]:
    """Priya's clients (a Google demo user), on a freshly reset demo sandbox."""
    clients = Google(sandbox, PRIYA, sandbox.token("google", PRIYA))
    yield clients
    clients.close()
