"""Fixtures for accounts tests: the app wired to the test's live sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine

from app.main import create_app
from app.settings import Settings
from tests.sandbox.conftest import LiveSandbox, live_sandbox, sandbox  # noqa: F401  (fixtures)
from tests.sandbox.oauth_browser import vendor_client


@pytest.fixture
def sandbox_settings(settings: Settings, sandbox: LiveSandbox) -> Settings:  # noqa: F811
    """Sandbox-mode settings whose vendor calls go to this test's live sandbox."""
    return settings.model_copy(update={"sandbox_url": sandbox.base_url})


@pytest.fixture
def app_on_sandbox(sandbox_settings: Settings, engine: Engine) -> FastAPI:
    """The application, talking to the live sandbox."""
    return create_app(sandbox_settings, engine)


@pytest.fixture
def vendor(sandbox: LiveSandbox) -> Iterator[httpx.Client]:  # noqa: F811
    """A browser-like HTTP client on the sandbox's vendor pages."""
    with vendor_client(sandbox.base_url) as client:
        yield client
