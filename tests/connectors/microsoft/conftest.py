"""Fixtures for the Graph connector's tests: the live sandbox and an Outlook user on a fresh, empty mailbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.connectors.microsoft.hands import OutlookUser
from tests.sandbox.conftest import LiveSandbox, live_sandbox  # noqa: F401 (the session's sandbox server)


@pytest.fixture
def outlook(live_sandbox: LiveSandbox) -> Iterator[OutlookUser]:  # noqa: F811
    """Alex Morgan on an empty sandbox, with an empty "Salesforce Contacts" folder."""
    user = OutlookUser(live_sandbox)
    yield user
    user.close()
