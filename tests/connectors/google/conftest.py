"""Fixtures for the People connector: Priya's hands on an emptied live sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.connectors.google.hands import PRIYA, PeopleHands
from tests.sandbox.conftest import LiveSandbox, live_sandbox  # noqa: F401 (the session's sandbox server)


@pytest.fixture
def hands(live_sandbox: LiveSandbox) -> Iterator[PeopleHands]:  # noqa: F811
    """Priya, a Google demo user, with an empty address book."""
    live_sandbox.reset("empty")
    opened = PeopleHands(live_sandbox, PRIYA)
    yield opened
    opened.close()
