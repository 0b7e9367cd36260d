"""The Salesforce event store under the contract suite: Alex Morgan's own events in a window around the sandbox
clock, on the sandbox org.

Out of scope means outside the window; an event leaves scope when it is moved out of it. The store keeps the window it
was built with when cursors expire (see :class:`tests.contract.harness_salesforce.SalesforceOrgHarness`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import pytest

from app.connectors.salesforce.events_store import SalesforceEventStore
from tests.connectors.salesforce.activity_support import ActivityHands, event_at, make_event_store, window_of
from tests.contract.harness_salesforce import SalesforceOrgHarness
from tests.sandbox.conftest import LiveSandbox


class SalesforceEventsHarness(SalesforceOrgHarness):
    """:class:`SalesforceEventStore` for Alex, with hands on the sandbox org."""

    edit_field = "location"

    def __init__(self, live: LiveSandbox) -> None:
        super().__init__(live)
        self.hands = ActivityHands(live)
        self.window = window_of(live)
        self.store: SalesforceEventStore = make_event_store(live, window=self.window)

    def sample(self, n: int, **extra: object) -> dict[str, object]:
        start = self.window.start + timedelta(days=8 + n, hours=9)
        return event_at(start, n=n, **extra)

    def add(self, fields: Mapping[str, object]) -> str:
        return self.hands.add_event(fields)

    def add_outside(self, fields: Mapping[str, object]) -> str:
        start = self.window.end + timedelta(days=3, hours=9)
        return self.hands.add_event({**fields, **event_at(start)})

    def edit(self, item_id: str, changes: Mapping[str, object]) -> None:
        self.hands.edit_event(item_id, changes)

    def remove(self, item_id: str) -> None:
        self.hands.remove_record("Event", item_id)

    def leave_scope(self, item_id: str) -> None:
        self.hands.edit_event(item_id, event_at(self.window.end + timedelta(days=2, hours=9)))


def make_harness(request: pytest.FixtureRequest) -> SalesforceEventsHarness:
    """Alex's events on a freshly reset sandbox org."""
    live: LiveSandbox = request.getfixturevalue("live_sandbox")
    return SalesforceEventsHarness(live)
