"""Test support for the Salesforce contact store: the rep's client against the live sandbox, and people's hands.

The hands act on the sandbox org's state directly, as a user (or the admin) would in Salesforce, so that they
never go through the store under test and never show in the call log the tests count.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from app.connectors.retry import RetryPolicy
from app.connectors.salesforce.client import SalesforceClient, SessionExpired
from app.connectors.salesforce.contacts_store import ContactScope, SalesforceContactStore
from app.sandbox.calls import CallFilter
from app.sandbox.salesforce.models import SalesforceOrg
from app.sandbox.salesforce.sharing import Caller
from tests.sandbox.conftest import LiveSandbox

T = TypeVar("T")

INSTANCE = "https://sandbox.my.salesforce.com"
ALEX, PRIYA, SAM = "alex.morgan@example.com", "priya.shah@example.com", "sam.taylor@example.com"
#: Retries without waiting.
NO_WAIT = RetryPolicy(sleep=lambda _seconds: None, jitter=lambda: 0.0)

# The projection's names as Contact fields, written out here rather than taken from the code under test.
_FIELDS = {
    "first_name": "FirstName",
    "last_name": "LastName",
    "email": "Email",
    "mobile_phone": "MobilePhone",
    "home_phone": "HomePhone",
    "title": "Title",
    "department": "Department",
    "street": "MailingStreet",
    "city": "MailingCity",
    "state": "MailingState",
    "postal_code": "MailingPostalCode",
    "country": "MailingCountry",
}


class SandboxCaller:
    """What ``RepSalesforce.call`` does, against the live sandbox: the rep's client, a new token after a 401."""

    def __init__(self, live: LiveSandbox, email: str) -> None:
        self.live = live
        self.email = email
        self._client: SalesforceClient | None = None

    def call(self, operation: Callable[[SalesforceClient], T]) -> T:
        try:
            return operation(self._ensure())
        except SessionExpired:
            self._client = None
            return operation(self._ensure())

    def _ensure(self) -> SalesforceClient:
        if self._client is None:
            self._client = SalesforceClient(
                instance_url=INSTANCE,
                access_token=self.live.token("salesforce", self.email),
                vendor_base_url=self.live.base_url,
            )
        return self._client


def seed_contacts(live: LiveSandbox, count: int) -> None:
    """Reset the sandbox with ``count`` generated records of every Salesforce object (owned round-robin by the
    org's users) and nothing at the other vendors (reseeding only the org keeps this to seconds)."""
    live.reset(0)
    org_of(live).reset(count, live.state.directory)


def org_of(live: LiveSandbox) -> SalesforceOrg:
    """The sandbox org."""
    return live.state.backend("salesforce", SalesforceOrg)


def user_id(live: LiveSandbox, email: str) -> str:
    """A sandbox user's Salesforce User Id."""
    person = live.state.directory.get(email)
    assert person is not None and person.salesforce_id is not None
    return person.salesforce_id


def make_store(
    live: LiveSandbox,
    email: str = ALEX,
    *,
    scope: ContactScope = ContactScope.MINE,
    list_view_id: str | None = None,
    retry: RetryPolicy = NO_WAIT,
) -> SalesforceContactStore:
    """The store as the lead wires it, for ``email``, on the sandbox clock."""
    return SalesforceContactStore(
        SandboxCaller(live, email),
        user_id=user_id(live, email),
        scope=scope,
        list_view_id=list_view_id,
        retry=retry,
        clock=live.state.clock.now,
    )


def contact_values(fields: Mapping[str, object]) -> dict[str, Any]:
    """Projection fields as Contact field values (None clears)."""
    values: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "phones":
            phones = list(value) if isinstance(value, tuple | list) else [value] if value else []
            values["Phone"] = phones[0] if phones else None
            values["OtherPhone"] = phones[1] if len(phones) > 1 else None
        elif name == "company":
            raise ValueError("set an AccountId instead")
        else:
            values[_FIELDS[name]] = value
    return values


class OrgHands:
    """People's hands on the sandbox org, through its state (no logged API call)."""

    def __init__(self, live: LiveSandbox) -> None:
        self.live = live

    @property
    def org(self) -> SalesforceOrg:
        return org_of(self.live)

    def caller(self, email: str) -> Caller:
        caller = self.org.caller_for_email(email)
        assert caller is not None
        return caller

    def add(self, fields: Mapping[str, object], *, owner: str = ALEX, account_id: str | None = None) -> str:
        """``owner`` creates a contact."""
        values = contact_values(fields)
        if account_id:
            values["AccountId"] = account_id
        return self.org.create("Contact", values, self.caller(owner))

    def edit(self, record_id: str, changes: Mapping[str, object], *, by: str = ALEX) -> None:
        """``by`` edits a contact."""
        self.org.update("Contact", record_id, contact_values(changes), self.caller(by))

    def update(self, record_id: str, values: Mapping[str, Any], *, by: str = SAM) -> None:
        """``by`` sets Contact fields directly (owner, account, ...)."""
        self.org.update("Contact", record_id, dict(values), self.caller(by))

    def remove(self, record_id: str, *, by: str = ALEX) -> None:
        """``by`` deletes a contact (to the Recycle Bin)."""
        self.org.delete("Contact", record_id, self.caller(by))

    def account(self, name: str, *, created: datetime | None = None) -> str:
        """The admin creates an Account (at ``created``, when given)."""
        if created is None:
            return self.org.create("Account", {"Name": name}, self.caller(SAM))
        with self.org.pinned_time(created):
            return self.org.create("Account", {"Name": name}, self.caller(SAM))

    def row(self, record_id: str) -> dict[str, Any]:
        """A record as stored (deleted ones too)."""
        found = self.org.find(record_id)
        assert found is not None
        return dict(found[1])

    def contacts(self) -> list[dict[str, Any]]:
        """Every live contact."""
        return [dict(row) for row in self.org.rows("Contact") if not row.get("IsDeleted")]


def api_calls(live: LiveSandbox, after_id: int = 0) -> int:
    """Salesforce REST API calls in the call log after call ``after_id``, leaving out those refused for an expired
    token (tests move the sandbox clock by days; ``RepSalesforce`` renews a token before it expires)."""
    calls = live.state.calls.calls(CallFilter(provider="salesforce", path="/services/data/", after_id=after_id))
    return sum(call.status != 401 for call in calls)


def last_call_id(live: LiveSandbox) -> int:
    """The id of the newest logged call."""
    return live.state.calls.last_id
