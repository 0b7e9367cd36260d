"""The People contact store under the contract suite, on the live sandbox (google-api-python-client over HTTP)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from app.connectors.google.contacts_store import PeopleContactStore
from tests.connectors.google.hands import SALESFORCE_CONTACTS, PeopleHands
from tests.contract.harness import ContactHarness
from tests.sandbox.conftest import LiveSandbox


class PeopleHarness(ContactHarness):
    """:class:`PeopleContactStore` for Priya (an empty address book), with her hands in Google Contacts."""

    supports_preconditions = True

    def __init__(self, hands: PeopleHands) -> None:
        self.hands = hands
        self.client = hands.client()
        self.store = PeopleContactStore(self.client)

    def add(self, fields: Mapping[str, object]) -> str:
        return self.hands.add(fields, self.hands.group(SALESFORCE_CONTACTS))

    def add_outside(self, fields: Mapping[str, object]) -> str:
        return self.hands.add(fields)

    def edit(self, item_id: str, changes: Mapping[str, object]) -> None:
        self.hands.edit(item_id, changes)

    def remove(self, item_id: str) -> None:
        self.hands.remove(item_id)

    def leave_scope(self, item_id: str) -> None:
        self.hands.leave(item_id, self.hands.group(SALESFORCE_CONTACTS))

    def expire_cursor(self) -> None:
        self.hands.expire_sync_tokens()

    def calls(self) -> int:
        return self.hands.calls()


def make_harness(request: pytest.FixtureRequest) -> PeopleHarness:
    """Priya's store on an emptied sandbox."""
    live: LiveSandbox = request.getfixturevalue("live_sandbox")
    live.reset("empty")
    hands = PeopleHands(live)
    harness = PeopleHarness(hands)
    request.addfinalizer(hands.close)
    return harness
