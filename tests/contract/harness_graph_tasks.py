"""The Graph task store under the contract suite: Alex Morgan's default To Do list on the live sandbox."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from app.connectors.microsoft.tasks_store import GraphTaskStore
from app.connectors.selection import DONT_SYNC_CATEGORY
from tests.connectors.microsoft.todo_hands import ToDoUser, chore
from tests.sandbox.conftest import LiveSandbox


class GraphTasksHarness:
    """:class:`GraphTaskStore` (automatic selection) with a To Do user's hands.

    Stale etags are refused: the store checks the etag against the task as read before writing, and the PATCH
    carries ``If-Match``, which the sandbox honours.
    """

    supports_preconditions = True
    edit_field = "notes"

    def __init__(self, sandbox: LiveSandbox) -> None:
        self.user = ToDoUser(sandbox)
        self.store: GraphTaskStore = self.user.store()

    def sample(self, n: int, **extra: object) -> dict[str, object]:
        return chore(n, **extra)

    def add(self, fields: Mapping[str, object]) -> str:
        return self.user.add(fields)

    def add_outside(self, fields: Mapping[str, object]) -> str:
        return self.user.add(fields, categories=[DONT_SYNC_CATEGORY])

    def edit(self, item_id: str, changes: Mapping[str, object]) -> None:
        self.user.edit(item_id, changes)

    def remove(self, item_id: str) -> None:
        self.user.remove(item_id)

    def leave_scope(self, item_id: str) -> None:
        self.user.categorise(item_id, [DONT_SYNC_CATEGORY])

    def expire_cursor(self) -> None:
        self.user.expire_delta_tokens()

    def calls(self) -> int:
        return self.user.calls()


def make_harness(request: pytest.FixtureRequest) -> GraphTasksHarness:
    """A Graph task store over the empty default list of a fresh mailbox."""
    harness = GraphTasksHarness(request.getfixturevalue("live_sandbox"))
    request.addfinalizer(harness.user.close)
    return harness
