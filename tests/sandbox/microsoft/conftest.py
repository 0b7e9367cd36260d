"""Graph clients built the way the connector builds them (httpx with the rebasing transport), on the live sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

import httpx
import pytest

from app.connectors.vendor_http import RebasingTransport
from app.sandbox.microsoft.backend import MicrosoftBackend
from app.sandbox.microsoft.models import Mailbox
from tests.sandbox.conftest import LiveSandbox

ALEX = "alex.morgan@example.com"
SAM = "sam.taylor@example.com"
JORDAN = "jordan.lee@example.com"
PRIYA = "priya.shah@example.com"
GRAPH = "https://graph.microsoft.com/v1.0"

T = TypeVar("T")


@dataclass
class Graph:
    """An httpx client for one sandbox user's Graph calls, and handles on the sandbox behind it."""

    sandbox: LiveSandbox
    email: str
    client: httpx.Client

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        """GET a Graph path (``/me/contacts``) or a full link (``@odata.nextLink``)."""
        return self.client.get(url, **kwargs)

    def post(self, url: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        """POST JSON."""
        return self.client.post(url, json=body, **kwargs)

    def patch(self, url: str, body: Any, **kwargs: Any) -> httpx.Response:
        """PATCH JSON."""
        return self.client.patch(url, json=body, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        """DELETE."""
        return self.client.delete(url, **kwargs)

    def all_pages(self, url: str, **kwargs: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Follow ``@odata.nextLink`` to the end; the items and the last page."""
        items: list[dict[str, Any]] = []
        page: dict[str, Any] = {}
        while url:
            response = self.get(url, **kwargs)
            assert response.status_code == 200, response.text
            page = response.json()
            items.extend(page["value"])
            url = page.get("@odata.nextLink", "")
        return items, page

    @property
    def backend(self) -> MicrosoftBackend:
        """The emulator's state."""
        return self.sandbox.state.backend("microsoft", MicrosoftBackend)

    @property
    def mailbox(self) -> Mailbox:
        """This user's mailbox."""
        mailbox = self.backend.mailbox(self.email)
        assert mailbox is not None
        return mailbox

    def control(self, method: str, path: str, body: Any = None) -> httpx.Response:
        """Call the sandbox control API."""
        with httpx.Client(base_url=self.sandbox.base_url) as client:
            return client.request(method, f"/_sandbox{path}", json=body)

    def settings(self, **sections: dict[str, Any]) -> None:
        """Change emulator settings through the control API."""
        response = self.control("PATCH", "/microsoft/settings", sections)
        assert response.status_code == 200, response.text

    def advance(self, delta: timedelta) -> None:
        """Move the sandbox clock forward (and get a fresh access token, as a client would after an hour)."""
        self.sandbox.state.clock.advance(delta)
        self.client.headers["Authorization"] = f"Bearer {self.sandbox.token('microsoft', self.email)}"


@contextmanager
def open_graph(sandbox: LiveSandbox, email: str) -> Iterator[Graph]:
    """A Graph client for ``email``."""
    token = sandbox.token("microsoft", email)
    with httpx.Client(
        transport=RebasingTransport(sandbox.base_url),
        base_url=GRAPH,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ) as client:
        yield Graph(sandbox, email, client)


@pytest.fixture
def graph(sandbox: LiveSandbox) -> Iterator[Graph]:
    """Alex Morgan's Graph client (a Microsoft demo user)."""
    with open_graph(sandbox, ALEX) as client:
        yield client


@pytest.fixture
def sam(sandbox: LiveSandbox) -> Iterator[Graph]:
    """Sam Taylor's Graph client."""
    with open_graph(sandbox, SAM) as client:
        yield client


def assert_graph_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Assert Graph's error format: status, ``error.code``, a message and the inner error's request ids."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["message"]
    inner = error["innerError"]
    assert set(inner) >= {"date", "request-id", "client-request-id"}
    assert response.headers["request-id"]
    return dict(error)


def run_async(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine on a fresh event loop in its own thread (other tests may leave a loop running here)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work()).result(timeout=60)
