"""Fixtures for scenario tests: the live sandbox (demo data), crmbridge's test database, every demo user connected."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from app.settings import Settings
from tests.sandbox.conftest import LiveSandbox, live_sandbox, sandbox  # noqa: F401 (fixtures)
from tests.scenarios.activity_world import ActivityWorld
from tests.scenarios.contact_world import ContactWorld


@pytest.fixture
def world(sandbox: LiveSandbox, engine: Engine, settings: Settings) -> ContactWorld:  # noqa: F811
    """The demo sandbox and crmbridge with every demo user connected; nothing synced yet."""
    return ContactWorld(state=sandbox.state, base_url=sandbox.base_url, engine=engine, settings=settings)


@pytest.fixture
def activities(sandbox: LiveSandbox, engine: Engine, settings: Settings) -> ActivityWorld:  # noqa: F811
    """The demo sandbox and crmbridge with every demo user connected, with calendar and task hands."""
    return ActivityWorld(state=sandbox.state, base_url=sandbox.base_url, engine=engine, settings=settings)
