"""The Salesforce task store under the contract suite: Alex Morgan's own tasks on the sandbox org.

Out of scope means a logged email (TaskSubtype Email), or a task assigned to someone else: a task leaves scope when
Alex assigns it to Priya Shah. The org shares tasks (ReadWrite) so that Alex still sees the task he gave away, as
an org whose activities are shared does; with private tasks, the store learns of it at its daily reconcile.
See :class:`tests.contract.harness_salesforce.SalesforceOrgHarness` for what every Salesforce harness shares.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from app.connectors.salesforce.tasks_store import SalesforceTaskStore
from tests.connectors.salesforce.activity_support import ActivityHands, make_task_store
from tests.connectors.salesforce.support import ALEX, PRIYA
from tests.contract.harness_salesforce import SalesforceOrgHarness
from tests.sandbox.conftest import LiveSandbox


def task_sample(n: int, **extra: object) -> dict[str, object]:
    """A task in the projection."""
    fields: dict[str, object] = {
        "subject": f"Call back {n}",
        "notes": f"About the quote {n}",
        "due": f"2026-12-{n:02d}",
    }
    fields.update(extra)
    return fields


class SalesforceTasksHarness(SalesforceOrgHarness):
    """:class:`SalesforceTaskStore` for Alex, with hands on the sandbox org."""

    edit_field = "notes"

    def __init__(self, live: LiveSandbox) -> None:
        super().__init__(live)
        self.hands = ActivityHands(live)
        self.hands.share("Task")
        self.store: SalesforceTaskStore = make_task_store(live)

    def sample(self, n: int, **extra: object) -> dict[str, object]:
        return task_sample(n, **extra)

    def add(self, fields: Mapping[str, object]) -> str:
        return self.hands.add_task(fields)

    def add_outside(self, fields: Mapping[str, object]) -> str:
        return self.hands.add_task(fields, TaskSubtype="Email")

    def edit(self, item_id: str, changes: Mapping[str, object]) -> None:
        self.hands.edit_task(item_id, changes)

    def remove(self, item_id: str) -> None:
        self.hands.remove_record("Task", item_id)

    def leave_scope(self, item_id: str) -> None:
        self.hands.edit_task(item_id, {}, OwnerId=self.hands.caller(PRIYA).user_id, by=ALEX)


def make_harness(request: pytest.FixtureRequest) -> SalesforceTasksHarness:
    """Alex's tasks on a freshly reset sandbox org."""
    live: LiveSandbox = request.getfixturevalue("live_sandbox")
    return SalesforceTasksHarness(live)
