"""Fixtures for sandbox tests: one live sandbox server per test session, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from app.connectors.vendor_http import rebasing_requests_session
from app.sandbox.app import create_sandbox_app, create_sandbox_state, reset_sandbox
from app.sandbox.state import SandboxState, Seed
from app.sandbox.tokens import Provider
from tests.live_server import serve_in_thread


@dataclass
class LiveSandbox:
    """A running sandbox: its base URL and its state (inspect it directly in assertions)."""

    base_url: str
    state: SandboxState

    def token(self, provider: Provider, email: str) -> str:
        """A fresh access token for ``email`` at ``provider``."""
        return self.state.tokens.issue_access_token(provider, email)

    def reset(self, seed: Seed) -> None:
        """Refill the sandbox per ``seed``."""
        reset_sandbox(self.state, seed)

    def requests_session(self):  # type: ignore[no-untyped-def]
        """A requests session whose https calls land on this sandbox (for simple-salesforce)."""
        return rebasing_requests_session(self.base_url)


@pytest.fixture(scope="session")
def live_sandbox() -> Iterator[LiveSandbox]:
    """The session's sandbox server (state as the last test left it)."""
    state = create_sandbox_state("empty")
    with serve_in_thread(create_sandbox_app(state)) as base_url:
        yield LiveSandbox(base_url, state)


@pytest.fixture
def sandbox(live_sandbox: LiveSandbox) -> LiveSandbox:
    """The sandbox server, reset to the demo data for this test."""
    live_sandbox.reset("demo")
    return live_sandbox
