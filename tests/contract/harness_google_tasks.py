"""The Google Tasks store under the contract suite, on the live sandbox."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import pytest

from app.connectors.google.tasks_store import GoogleTaskStore
from tests.connectors.google.tasks_hands import TasksHands
from tests.sandbox.conftest import LiveSandbox

ELSEWHERE = "Personal"


def task_sample(n: int, **extra: object) -> dict[str, object]:
    """A task in the projection (Google Tasks holds no priority, so none is set)."""
    fields: dict[str, object] = {
        "subject": f"Follow up {n}",
        "notes": f"Call back about quote {n}",
        "due": "2026-12-0" + str(1 + n % 9),
    }
    fields.update(extra)
    return fields


class GoogleTasksHarness:
    """:class:`GoogleTaskStore` for Priya's default list (automatic selection), with her hands in Google Tasks."""

    supports_preconditions = True
    edit_field = "notes"

    def __init__(self, hands: TasksHands) -> None:
        self.hands = hands
        self.store: GoogleTaskStore = hands.task_store()

    def sample(self, n: int, **extra: object) -> dict[str, object]:
        return task_sample(n, **extra)

    def add(self, fields: Mapping[str, object]) -> str:
        return self.hands.add_task(fields)

    def add_outside(self, fields: Mapping[str, object]) -> str:
        return self.hands.add_task(fields, self.hands.task_list(ELSEWHERE))

    def edit(self, item_id: str, changes: Mapping[str, object]) -> None:
        self.hands.edit_task(item_id, changes)

    def remove(self, item_id: str) -> None:
        self.hands.remove_task(item_id)

    def leave_scope(self, item_id: str) -> None:
        self.hands.move_task(item_id, "@default", self.hands.task_list(ELSEWHERE))

    def expire_cursor(self) -> None:
        self.hands.clock_offset += timedelta(days=8)

    def calls(self) -> int:
        return self.hands.calls()


def make_harness(request: pytest.FixtureRequest) -> GoogleTasksHarness:
    """Priya's tasks store on an emptied sandbox."""
    live: LiveSandbox = request.getfixturevalue("live_sandbox")
    live.reset("empty")
    hands = TasksHands(live)
    request.addfinalizer(hands.close)
    return GoogleTasksHarness(hands)
