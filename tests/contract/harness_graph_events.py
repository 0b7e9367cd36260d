"""The Graph event store under the contract suite: Alex Morgan's default calendar on the live sandbox."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from app.connectors.microsoft.events_store import GraphEventStore
from app.connectors.selection import SelectionMethod
from tests.connectors.microsoft.calendar_hands import CalendarUser
from tests.sandbox.conftest import LiveSandbox


class GraphEventsHarness:
    """:class:`GraphEventStore` (automatic selection, no private events, no series) with an Outlook user's hands."""

    supports_preconditions = True
    edit_field = "location"

    def __init__(self, sandbox: LiveSandbox) -> None:
        self.user = CalendarUser(sandbox)
        self.store: GraphEventStore = self.user.store(SelectionMethod.AUTOMATIC)

    def sample(self, n: int, **extra: object) -> dict[str, object]:
        fields = self.user.timed(
            1 + n % 20, hour=8 + n % 9, subject=f"Contract review {n}", location=f"Room {n}", notes=f"Agenda {n}"
        )
        fields.update(extra)
        return fields

    def add(self, fields: Mapping[str, object]) -> str:
        return self.user.add(fields)

    def add_outside(self, fields: Mapping[str, object]) -> str:
        item_id = self.user.add(fields)
        self.user.move_outside(item_id)
        return item_id

    def edit(self, item_id: str, changes: Mapping[str, object]) -> None:
        self.user.edit(item_id, changes)

    def remove(self, item_id: str) -> None:
        self.user.remove(item_id)

    def leave_scope(self, item_id: str) -> None:
        self.user.move_outside(item_id)

    def expire_cursor(self) -> None:
        self.user.expire_delta_tokens()

    def calls(self) -> int:
        return self.user.calls()


def make_harness(request: pytest.FixtureRequest) -> GraphEventsHarness:
    """A Graph event store over an empty calendar of a fresh mailbox."""
    harness = GraphEventsHarness(request.getfixturevalue("live_sandbox"))
    request.addfinalizer(harness.user.close)
    return harness
