"""One account's contacts: the ``connections`` feed behind sync tokens, and contact writes (single and batch).

Facts relied on (People API reference): ``connections.list`` takes pageSize 1-1000 (default 100) and returns
``nextSyncToken`` on the last page when asked; with a sync token, deleted contacts come back with
``metadata.deleted``; "Sync tokens expire 7 days after the full sync", answered with an ``EXPIRED_SYNC_TOKEN``
ErrorInfo; page and sync tokens require the other parameters to match the first call. ``updateContact`` needs the
etag and refuses a stale one with 400 ``failedPrecondition``. Batch creates and updates take up to 200 contacts,
batch deletes up to 500.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.sandbox.google.errors import (
    CANONICAL,
    GoogleApiError,
    error_info,
    failed_precondition,
    invalid_argument,
)
from app.sandbox.google.people.groups import MAX_PAGE_SIZE, ContactGroups
from app.sandbox.google.people.records import Contact
from app.sandbox.google.people.render import SINGLETON_FIELDS, UPDATABLE_FIELDS, render_person, stored_items
from app.sandbox.google.wire import decode_token, encode_token, fingerprint

DEFAULT_PAGE_SIZE = 100
MAX_BATCH_WRITE = 200
MAX_BATCH_DELETE = 500
MAX_BATCH_GET = 200
SORT_ORDERS = ("LAST_MODIFIED_ASCENDING", "LAST_MODIFIED_DESCENDING", "FIRST_NAME_ASCENDING", "LAST_NAME_ASCENDING")
#: google.rpc.Code values (google/rpc/code.proto) for the statuses in ``contactErrors``.
RPC_CODES = {
    "UNKNOWN": 2,
    "INVALID_ARGUMENT": 3,
    "NOT_FOUND": 5,
    "ALREADY_EXISTS": 6,
    "PERMISSION_DENIED": 7,
    "FAILED_PRECONDITION": 9,
    "ABORTED": 10,
}
EXPIRED_SYNC_TOKEN_MESSAGE = "Sync token is expired. Clear local cache and retry call without the sync token."
STALE_ETAG_MESSAGE = (
    "Request person.etag is different than the current person.etag. Clear local cache and get the latest person."
)
STALE_SOURCE_ETAG_MESSAGE = (
    "Request person.metadata.sources.etag is different than the current person.metadata.sources.etag. "
    "Clear local cache and get the latest person."
)


@dataclass(frozen=True)
class ListQuery:
    """The parameters of one ``connections.list`` call."""

    fields: frozenset[str]
    page_size: int
    sort_order: str
    request_sync_token: bool
    sync_token: str | None
    page_token: str | None


class PeopleStore(ContactGroups):
    """Contacts and contact groups of one account, with a change sequence for sync tokens."""

    # -- reading ---------------------------------------------------------------------------------------------

    def render(self, contact: Contact, fields: frozenset[str]) -> dict[str, Any]:
        """A contact as a ``Person``."""
        return render_person(contact, fields)

    def list_connections(self, query: ListQuery) -> dict[str, Any]:
        """One page of ``people/me/connections``, full or incremental."""
        if not 1 <= query.page_size <= MAX_PAGE_SIZE:
            raise invalid_argument("pageSize must be between 1 and 1000, inclusive.")
        if query.sort_order not in SORT_ORDERS:
            raise invalid_argument(f"Invalid value at 'sort_order', \"{query.sort_order}\".")
        check = fingerprint(sorted(query.fields), query.sort_order, query.request_sync_token, query.sync_token)
        now = self.clock.now()
        if query.page_token is not None:
            page = decode_token(query.page_token)
            if page is None or page.get("kind") != "connections" or page.get("epoch") != self.epoch:
                raise invalid_argument("Page token is not valid.")
            if page.get("check") != check:
                raise invalid_argument("Parameters of a request with a page token must match the first request.")
            offset, snapshot, since, full_at = page["offset"], page["snapshot"], page["since"], page["full_at"]
        else:
            offset, snapshot = 0, self.seq
            since, full_at = None, now.timestamp()
            if query.sync_token is not None:
                since, full_at = self._open_sync_token(query.sync_token, now)
        if since is None:
            items = [contact for contact in self.live_contacts() if contact.change_seq <= snapshot]
            items = _sorted_contacts(items, query.sort_order)
        else:
            changed = [c for c in self.contacts.values() if since < c.change_seq <= snapshot]
            items = sorted(changed, key=lambda contact: contact.change_seq)
        chunk = items[offset : offset + query.page_size]
        body: dict[str, Any] = {}
        if chunk:
            body["connections"] = [render_person(contact, query.fields) for contact in chunk]
        if offset + query.page_size < len(items):
            body["nextPageToken"] = encode_token(
                {
                    "kind": "connections",
                    "epoch": self.epoch,
                    "check": check,
                    "offset": offset + query.page_size,
                    "snapshot": snapshot,
                    "since": since,
                    "full_at": full_at,
                }
            )
        elif query.request_sync_token or query.sync_token is not None:
            body["nextSyncToken"] = encode_token(
                {"kind": "people", "epoch": self.epoch, "seq": snapshot, "full_at": full_at}
            )
        body["totalPeople"] = len(items)
        body["totalItems"] = len(items)
        return body

    def _open_sync_token(self, token: str, now: datetime) -> tuple[int, float]:
        payload = decode_token(token)
        if payload is None or payload.get("kind") != "people":
            raise invalid_argument("Sync token is invalid.")
        full_at = float(payload["full_at"])
        expired = now.timestamp() - full_at > timedelta(days=self.sync_token_days).total_seconds()
        if expired or payload.get("epoch") != self.epoch:
            error = failed_precondition(EXPIRED_SYNC_TOKEN_MESSAGE)
            error.details = [error_info("EXPIRED_SYNC_TOKEN", "people.googleapis.com")]
            raise error
        return int(payload["seq"]), full_at

    # -- writing ---------------------------------------------------------------------------------------------

    def create_contact(self, person: dict[str, Any]) -> Contact:
        """A new contact from a ``Person`` body (in ``myContacts`` unless memberships say otherwise)."""
        data, groups = self._person_input(person, UPDATABLE_FIELDS)
        now = self.clock.now()
        contact = Contact(
            person_id="c" + self.ids.digits(19),
            source_id=self.ids.hex(16),
            data=data,
            groups=groups if groups else ["myContacts"],
            created=now,
            updated=now,
        )
        self.contacts[contact.person_id] = contact
        self._touch(contact)
        return contact

    def check_update(self, resource_name: str, person: dict[str, Any], mask: frozenset[str]) -> Contact:
        """The contact ``updateContact`` would change, after the etag and mask checks (nothing is written)."""
        contact = self.contact(resource_name)
        etag = person.get("etag")
        sources = (person.get("metadata") or {}).get("sources") or []
        source_etags = [s.get("etag") for s in sources if s.get("type", "CONTACT") == "CONTACT" and s.get("etag")]
        if not etag and not source_etags:
            raise invalid_argument(
                "Request must set person.etag or person.metadata.sources.etag for the source that is being updated."
            )
        if etag and etag != contact.etag:
            raise failed_precondition(STALE_ETAG_MESSAGE)
        if source_etags and source_etags[0] != contact.source_etag:
            raise failed_precondition(STALE_SOURCE_ETAG_MESSAGE)
        self._person_input(person, mask, require_memberships="memberships" in mask)
        return contact

    def update_contact(self, resource_name: str, person: dict[str, Any], mask: frozenset[str]) -> Contact:
        """Replace the fields of ``mask`` on the contact (cleared when the body leaves them out)."""
        contact = self.check_update(resource_name, person, mask)
        data, groups = self._person_input(person, mask, require_memberships="memberships" in mask)
        for name in mask - {"memberships"}:
            if data.get(name):
                contact.data[name] = data[name]
            else:
                contact.data.pop(name, None)
        if "memberships" in mask:
            contact.groups = groups
        contact.version += 1
        self._touch(contact)
        return contact

    def batch_create(self, people: list[dict[str, Any]]) -> list[Contact]:
        """Create up to 200 contacts; nothing is created if any of them is refused."""
        if not people:
            raise invalid_argument("contacts must not be empty.")
        if len(people) > MAX_BATCH_WRITE:
            raise invalid_argument("Too many contacts in the request: at most 200 are allowed.")
        problems: dict[str, dict[str, Any]] = {}
        for index, person in enumerate(people):
            try:
                self._person_input(person, UPDATABLE_FIELDS)
            except GoogleApiError as error:
                problems[str(index)] = _status(error)
        if problems:
            raise _batch_failure("BatchCreateContactsErrorDetails", problems)
        return [self.create_contact(person) for person in people]

    def batch_update(self, people: dict[str, dict[str, Any]], mask: frozenset[str]) -> list[Contact]:
        """Update up to 200 contacts by resource name; nothing is written if any update is refused."""
        if not people:
            raise invalid_argument("contacts must not be empty.")
        if len(people) > MAX_BATCH_WRITE:
            raise invalid_argument("Too many contacts in the request: at most 200 are allowed.")
        problems: dict[str, dict[str, Any]] = {}
        for name, person in people.items():
            try:
                self.check_update(name, person, mask)
            except GoogleApiError as error:
                problems[name] = _status(error)
        if problems:
            raise _batch_failure("BatchUpdateContactsErrorDetails", problems)
        return [self.update_contact(name, person, mask) for name, person in people.items()]

    def batch_delete(self, names: list[str]) -> None:
        """Delete up to 500 contacts; nothing is deleted if any name is unknown."""
        if not names:
            raise invalid_argument("resourceNames must not be empty.")
        if len(names) > MAX_BATCH_DELETE:
            raise invalid_argument("Too many resource names in the request: at most 500 are allowed.")
        for name in names:
            self.contact(name)
        for name in dict.fromkeys(names):
            self.delete_contact(name)

    def delete_contact(self, resource_name: str) -> None:
        """Delete a contact (kept as a tombstone for incremental syncs)."""
        contact = self.contact(resource_name)
        contact.deleted = True
        contact.version += 1
        self._touch(contact)

    def _person_input(
        self, person: dict[str, Any], mask: Iterable[str], *, require_memberships: bool = False
    ) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
        data: dict[str, list[dict[str, Any]]] = {}
        for name in mask:
            if name == "memberships":
                continue
            items = person.get(name) or []
            if name in SINGLETON_FIELDS and len(items) > 1:
                raise invalid_argument(f"Only one {name} field is allowed on a contact.")
            kept = stored_items(name, items)
            if kept:
                data[name] = kept
        groups: list[str] = []
        memberships = (person.get("memberships") or []) if "memberships" in mask else []
        for membership in memberships:
            group_membership = membership.get("contactGroupMembership") or {}
            group_id = group_membership.get("contactGroupId") or str(
                group_membership.get("contactGroupResourceName", "")
            ).removeprefix("contactGroups/")
            if not group_id:
                continue
            group = self.groups.get(group_id)
            if group is None or group.deleted:
                raise invalid_argument(f"Contact group resource name {group_id!r} is invalid or was not found.")
            if group_id not in groups:
                groups.append(group_id)
        if require_memberships and not groups:
            raise invalid_argument("Person must have at least one contact group membership.")
        return data, groups


def _sorted_contacts(contacts: list[Contact], order: str) -> list[Contact]:
    if order == "LAST_MODIFIED_DESCENDING":
        return sorted(contacts, key=lambda c: (c.updated, c.change_seq), reverse=True)
    if order == "FIRST_NAME_ASCENDING":
        return sorted(contacts, key=lambda c: (c.sort_name("givenName"), c.sort_name("familyName"), c.person_id))
    if order == "LAST_NAME_ASCENDING":
        return sorted(contacts, key=lambda c: (c.sort_name("familyName"), c.sort_name("givenName"), c.person_id))
    return sorted(contacts, key=lambda c: (c.updated, c.change_seq))


def _status(error: GoogleApiError) -> dict[str, Any]:
    """A ``google.rpc.Status`` for one contact of a batch: ``code`` is a google.rpc.Code value, not an HTTP status."""
    canonical = error.canonical or CANONICAL.get(error.status, "UNKNOWN")
    return {"code": RPC_CODES.get(canonical, RPC_CODES["UNKNOWN"]), "message": error.message}


def _batch_failure(details_type: str, problems: dict[str, dict[str, Any]]) -> GoogleApiError:
    first = next(iter(problems.values()))
    error = GoogleApiError(400, str(first["message"]), "badRequest", canonical="INVALID_ARGUMENT")
    if first["code"] == RPC_CODES["FAILED_PRECONDITION"]:
        error.reason, error.canonical = "failedPrecondition", "FAILED_PRECONDITION"
    key = "contactErrors"
    error.details = [{"@type": f"type.googleapis.com/google.apps.people.v1.{details_type}", key: problems}]
    return error
