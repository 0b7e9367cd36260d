"""A Gmail user's hands on the sandbox's People API: what a user does in Google Contacts, never through the store.

Contacts are written with google-api-python-client directly (not with the connector's mapping), so that tests of
the store do not check the mapping against itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httplib2
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build

from app.connectors.access_token import StaticAccessToken
from app.connectors.google.client import PeopleClient
from app.connectors.google.contacts_store import PeopleContactStore
from app.connectors.retry import RetryPolicy
from app.connectors.selection import SelectionMethod
from app.sandbox.calls import CallFilter
from app.sandbox.google.backend import GoogleBackend
from tests.sandbox.conftest import LiveSandbox

PRIYA = "priya.shah@example.com"
SALESFORCE_CONTACTS = "Salesforce Contacts"
DONT_SYNC = "Don't sync with Salesforce"
SYNC = "Sync with Salesforce"
MY_CONTACTS = "contactGroups/myContacts"
#: Retries without waiting (tests never sleep for real).
NO_SLEEP = RetryPolicy(max_attempts=4, sleep=lambda _seconds: None)
_MAPPED = "names,emailAddresses,phoneNumbers,organizations,addresses"


def person_body(fields: Mapping[str, object]) -> dict[str, Any]:
    """A ``Person`` as a user would type it in Google Contacts, from contact-projection fields."""
    body: dict[str, Any] = {}
    names = {
        key: fields[name] for name, key in (("first_name", "givenName"), ("last_name", "familyName")) if name in fields
    }
    if names:
        body["names"] = [names]
    if fields.get("email"):
        body["emailAddresses"] = [{"value": fields["email"], "type": "work"}]
    phones = [{"value": value, "type": "work"} for value in fields.get("phones") or ()]  # type: ignore[attr-defined]
    phones += [
        {"value": fields[name], "type": kind}
        for name, kind in (("mobile_phone", "mobile"), ("home_phone", "home"))
        if fields.get(name)
    ]
    if phones:
        body["phoneNumbers"] = phones
    organization = {
        key: fields[name]
        for name, key in (("company", "name"), ("title", "title"), ("department", "department"))
        if fields.get(name)
    }
    if organization:
        body["organizations"] = [organization]
    parts = (
        ("street", "streetAddress"),
        ("city", "city"),
        ("state", "region"),
        ("postal_code", "postalCode"),
        ("country", "country"),
    )
    address = {key: fields[name] for name, key in parts if fields.get(name)}
    if address:
        body["addresses"] = [{**address, "type": "work"}]
    return body


class PeopleHands:
    """One sandbox user's Google Contacts, and the call log of their Google calls."""

    def __init__(self, sandbox: LiveSandbox, email: str = PRIYA) -> None:
        self.sandbox = sandbox
        self.email = email
        self.token = sandbox.token("google", email)
        self.service: Any = build(
            "people",
            "v1",
            credentials=Credentials(self.token),  # type: ignore[no-untyped-call]
            static_discovery=True,
            cache_discovery=False,
            client_options={"api_endpoint": f"{sandbox.base_url}/people.googleapis.com/"},
        )
        self.fields: dict[str, dict[str, object]] = {}
        self._clients: list[PeopleClient] = []

    def close(self) -> None:
        """Close the HTTP connections (of the connector clients made here too)."""
        self.service.close()
        for client in self._clients:
            client.close()
        self._clients.clear()

    # -- the connector under test ------------------------------------------------------------------------------

    def client(self, retry: RetryPolicy = NO_SLEEP) -> PeopleClient:
        """A connector client for this user on the sandbox (a fresh token, no real sleeping); closed with the hands."""
        token = StaticAccessToken(self.sandbox.token("google", self.email), vendor="google")
        client = PeopleClient(token, vendor_base_url=self.sandbox.base_url, retry=retry)
        self._clients.append(client)
        return client

    def store(
        self, selection: SelectionMethod = SelectionMethod.AUTOMATIC, *, retry: RetryPolicy = NO_SLEEP
    ) -> PeopleContactStore:
        """The store under test for this user."""
        return PeopleContactStore(self.client(retry), selection=selection)

    def settle(self) -> None:
        """Wait until the call log holds every call answered so far.

        The sandbox records a call just after sending its answer, so the client may read the answer first. One
        more request (to the control API, which is not logged) is served only after that recording is done.
        """
        http = httplib2.Http()
        try:
            response, _ = http.request(f"{self.sandbox.base_url}/_sandbox/users", "GET")
        finally:
            http.close()
        assert response.status == 200

    def calls(self, **where: Any) -> int:
        """How many Google calls this user made (``where``: more :class:`CallFilter` fields)."""
        self.settle()
        return self.sandbox.state.calls.count(CallFilter(provider="google", user=self.email, **where))

    def last_call_id(self) -> int:
        """The id of the newest call in the log (count what follows with ``after_id``)."""
        self.settle()
        return self.sandbox.state.calls.last_id

    def call_paths(self, after_id: int) -> list[str]:
        """``METHOD path`` of this user's Google calls after ``after_id``, oldest first."""
        self.settle()
        calls = self.sandbox.state.calls.calls(CallFilter(provider="google", user=self.email, after_id=after_id))
        return [f"{call.method} {call.path}" for call in calls]

    def expire_sync_tokens(self) -> None:
        """Every sync token handed out so far expires (as seven days after a full sync)."""
        self.sandbox.state.backend("google", GoogleBackend).invalidate_sync_tokens(self.email)

    # -- groups --------------------------------------------------------------------------------------------------

    def groups(self) -> dict[str, str]:
        """User contact groups by name."""
        answer = self.service.contactGroups().list(pageSize=1000).execute()
        return {
            group["name"]: group["resourceName"]
            for group in answer.get("contactGroups", [])
            if group.get("groupType") == "USER_CONTACT_GROUP"
        }

    def group(self, name: str) -> str:
        """The group named ``name``, created if there is none."""
        found = self.groups().get(name)
        if found is not None:
            return found
        return str(self.service.contactGroups().create(body={"contactGroup": {"name": name}}).execute()["resourceName"])

    def members(self, group: str) -> set[str]:
        """Resource names of the group's members."""
        answer = self.service.contactGroups().get(resourceName=group, maxMembers=10000).execute()
        return set(answer.get("memberResourceNames", []))

    def join(self, contact: str, group: str) -> None:
        """Put a contact in a group."""
        self.service.contactGroups().members().modify(
            resourceName=group, body={"resourceNamesToAdd": [contact]}
        ).execute()

    def leave(self, contact: str, group: str) -> None:
        """Take a contact out of a group."""
        self.service.contactGroups().members().modify(
            resourceName=group, body={"resourceNamesToRemove": [contact]}
        ).execute()

    def rename_group(self, group: str, name: str) -> None:
        """Rename a group."""
        self.service.contactGroups().update(resourceName=group, body={"contactGroup": {"name": name}}).execute()

    def delete_group(self, group: str) -> None:
        """Delete a group (its contacts stay)."""
        self.service.contactGroups().delete(resourceName=group).execute()

    # -- contacts ------------------------------------------------------------------------------------------------

    def add(self, fields: Mapping[str, object], *groups: str) -> str:
        """Create a contact in My Contacts and ``groups``; returns its resource name."""
        body = person_body(fields)
        body["memberships"] = [
            {"contactGroupMembership": {"contactGroupResourceName": group}} for group in (MY_CONTACTS, *groups)
        ]
        created = self.service.people().createContact(body=body, personFields="names").execute()
        name = str(created["resourceName"])
        self.fields[name] = dict(fields)
        return name

    def add_many(self, people: list[Mapping[str, object]], *groups: str) -> list[str]:
        """Create contacts 200 at a time (``batchCreateContacts``); returns their resource names in order."""
        names: list[str] = []
        for start in range(0, len(people), 200):
            chunk = people[start : start + 200]
            contacts = []
            for fields in chunk:
                body = person_body(fields)
                body["memberships"] = [
                    {"contactGroupMembership": {"contactGroupResourceName": group}} for group in (MY_CONTACTS, *groups)
                ]
                contacts.append({"contactPerson": body})
            answer = (
                self.service.people().batchCreateContacts(body={"contacts": contacts, "readMask": "names"}).execute()
            )
            for fields, created in zip(chunk, answer["createdPeople"], strict=True):
                name = str(created["person"]["resourceName"])
                self.fields[name] = dict(fields)
                names.append(name)
        return names

    def get(self, contact: str, fields: str = _MAPPED + ",memberships,clientData,metadata") -> dict[str, Any]:
        """The contact as the API returns it."""
        person: dict[str, Any] = self.service.people().get(resourceName=contact, personFields=fields).execute()
        return person

    def group_names_of(self, contact: str) -> set[str]:
        """The resource names of the contact's groups."""
        person = self.get(contact, "memberships")
        return {m["contactGroupMembership"]["contactGroupResourceName"] for m in person.get("memberships", [])}

    def edit(self, contact: str, changes: Mapping[str, object]) -> None:
        """Change projection fields of a contact (None clears), as a user would in Google Contacts."""
        fields = self.fields.setdefault(contact, {})
        for name, value in changes.items():
            if value is None:
                fields.pop(name, None)
            else:
                fields[name] = value
        etag = self.get(contact, "names")["etag"]
        body = {"etag": etag, **person_body(fields)}
        self.service.people().updateContact(resourceName=contact, updatePersonFields=_MAPPED, body=body).execute()

    def update_raw(self, contact: str, mask: str, values: Mapping[str, Any]) -> None:
        """Write person fields as given (under ``mask``) with the contact's current etag."""
        etag = self.get(contact, "names")["etag"]
        self.service.people().updateContact(
            resourceName=contact, updatePersonFields=mask, body={"etag": etag, **values}
        ).execute()

    def remove(self, contact: str) -> None:
        """Delete a contact."""
        self.service.people().deleteContact(resourceName=contact).execute()
