"""The Google Calendar events store under the contract suite, on the live sandbox."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from app.connectors.google.events_store import GoogleEventStore
from tests.connectors.google.calendar_hands import CalendarHands, outside, timed_sample
from tests.sandbox.conftest import LiveSandbox


class GoogleEventsHarness:
    """:class:`GoogleEventStore` for Priya (an empty calendar), with her hands in Google Calendar."""

    supports_preconditions = True
    edit_field = "location"

    def __init__(self, hands: CalendarHands) -> None:
        self.hands = hands
        self.window = hands.window()
        self.store: GoogleEventStore = hands.event_store(window=self.window)

    def sample(self, n: int, **extra: object) -> dict[str, object]:
        return timed_sample(self.window, n, **extra)

    def add(self, fields: Mapping[str, object]) -> str:
        return self.hands.add_event(fields)

    def add_outside(self, fields: Mapping[str, object]) -> str:
        return self.hands.add_event(outside(fields))

    def edit(self, item_id: str, changes: Mapping[str, object]) -> None:
        self.hands.edit_event(item_id, changes)

    def remove(self, item_id: str) -> None:
        self.hands.remove_event(item_id)

    def leave_scope(self, item_id: str) -> None:
        self.hands.shift_event(item_id, 400)

    def expire_cursor(self) -> None:
        self.hands.expire_sync_tokens()

    def calls(self) -> int:
        return self.hands.calls()


def make_harness(request: pytest.FixtureRequest) -> GoogleEventsHarness:
    """Priya's events store on an emptied sandbox."""
    live: LiveSandbox = request.getfixturevalue("live_sandbox")
    live.reset("empty")
    hands = CalendarHands(live)
    request.addfinalizer(hands.close)
    return GoogleEventsHarness(hands)
