"""Fixtures for the Salesforce contact store's tests: the live sandbox with an org holding the users and no records."""

from __future__ import annotations

import pytest

from tests.connectors.salesforce.support import OrgHands
from tests.sandbox.conftest import LiveSandbox, live_sandbox  # noqa: F401 (the session's sandbox server)


@pytest.fixture
def live(live_sandbox: LiveSandbox) -> LiveSandbox:  # noqa: F811
    """The sandbox reset to the demo users and an org without records."""
    live_sandbox.reset(0)
    return live_sandbox


@pytest.fixture
def hands(live: LiveSandbox) -> OrgHands:
    """People's hands on the org."""
    return OrgHands(live)
