"""The Graph contact store under the contract suite: Alex Morgan's "Salesforce Contacts" folder on the live sandbox."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from app.connectors.microsoft.contacts_store import GraphContactStore
from tests.connectors.microsoft.hands import OutlookUser
from tests.contract.harness import ContactHarness
from tests.sandbox.conftest import LiveSandbox


class GraphHarness(ContactHarness):
    """:class:`GraphContactStore` (automatic selection) with an Outlook user's hands."""

    supports_preconditions = True

    def __init__(self, sandbox: LiveSandbox) -> None:
        self.user = OutlookUser(sandbox)
        self.store: GraphContactStore = self.user.store()

    def add(self, fields: Mapping[str, object]) -> str:
        return self.user.add(fields)

    def add_outside(self, fields: Mapping[str, object]) -> str:
        return self.user.add(fields, folder="contacts")

    def edit(self, item_id: str, changes: Mapping[str, object]) -> None:
        self.user.edit(item_id, changes)

    def remove(self, item_id: str) -> None:
        self.user.remove(item_id)

    def leave_scope(self, item_id: str) -> None:
        self.user.move(item_id, "contacts")

    def expire_cursor(self) -> None:
        self.user.expire_delta_tokens()

    def calls(self) -> int:
        return self.user.calls()


def make_harness(request: pytest.FixtureRequest) -> GraphHarness:
    """A Graph store over an empty synced folder of a fresh mailbox."""
    harness = GraphHarness(request.getfixturevalue("live_sandbox"))
    request.addfinalizer(harness.user.close)
    return harness
