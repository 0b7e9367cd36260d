"""The Salesforce contact store under the contract suite: Alex Morgan's own contacts ("mine") on the sandbox org.

Out of scope means owned by someone else (Priya Shah; Contact sharing lets Alex see it). What every Salesforce
harness shares is :class:`SalesforceOrgHarness`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import pytest

from app.connectors.salesforce.contacts_store import SalesforceContactStore
from tests.connectors.salesforce.support import ALEX, PRIYA, OrgHands, api_calls, make_store
from tests.contract.harness import ContactHarness
from tests.sandbox.conftest import LiveSandbox


class SalesforceOrgHarness:
    """What the Salesforce stores' harnesses share: the sandbox org, reset to the demo users and no records.

    Salesforce's sObject Collections take no precondition, so a stale etag is not refused. Cursors expire the way a
    Salesforce watermark does: the sandbox clock moves past the 15 days the Recycle Bin keeps deleted rows.
    """

    supports_preconditions = False

    def __init__(self, live: LiveSandbox) -> None:
        live.reset(0)  # the demo users and the org, no records
        self.live = live

    def expire_cursor(self) -> None:
        self.live.state.clock.advance(timedelta(days=16))

    def calls(self) -> int:
        return api_calls(self.live)


class SalesforceHarness(ContactHarness, SalesforceOrgHarness):
    """:class:`SalesforceContactStore` for Alex ("mine"), with hands on the sandbox org."""

    def __init__(self, live: LiveSandbox) -> None:
        super().__init__(live)
        self.hands = OrgHands(live)
        self.store: SalesforceContactStore = make_store(live, ALEX)

    def add(self, fields: Mapping[str, object]) -> str:
        return self.hands.add(fields, owner=ALEX)

    def add_outside(self, fields: Mapping[str, object]) -> str:
        return self.hands.add(fields, owner=PRIYA)

    def edit(self, item_id: str, changes: Mapping[str, object]) -> None:
        self.hands.edit(item_id, changes)

    def remove(self, item_id: str) -> None:
        self.hands.remove(item_id)

    def leave_scope(self, item_id: str) -> None:
        self.hands.update(item_id, {"OwnerId": self.hands.caller(PRIYA).user_id}, by=ALEX)


def make_harness(request: pytest.FixtureRequest) -> SalesforceHarness:
    """Alex's contacts on a freshly reset sandbox org."""
    live: LiveSandbox = request.getfixturevalue("live_sandbox")
    return SalesforceHarness(live)
