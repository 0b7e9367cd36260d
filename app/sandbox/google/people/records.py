"""The records behind the People API: contacts, contact groups, and the state every people store shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.sandbox.clock import SandboxClock
from app.sandbox.google.errors import not_found
from app.sandbox.google.ids import IdSource
from app.sandbox.google.wire import digest_b64

#: (id, formatted name) of the system groups every account has.
SYSTEM_GROUPS: tuple[tuple[str, str], ...] = (
    ("myContacts", "My Contacts"),
    ("starred", "Starred"),
    ("friends", "Friends"),
    ("family", "Family"),
    ("coworkers", "Coworkers"),
    ("chatBuddies", "Chat contacts"),
    ("all", "All Contacts"),
    ("blocked", "Blocked"),
)


@dataclass
class Contact:
    """A contact (a person with a CONTACT source)."""

    person_id: str
    source_id: str
    data: dict[str, list[dict[str, Any]]]
    groups: list[str]
    created: datetime
    updated: datetime
    version: int = 1
    change_seq: int = 0
    deleted: bool = False

    @property
    def resource_name(self) -> str:
        """``people/c…``."""
        return f"people/{self.person_id}"

    @property
    def etag(self) -> str:
        """The person's etag (changes with every write)."""
        return "%" + digest_b64("person", self.person_id, self.version, length=24)

    @property
    def source_etag(self) -> str:
        """The CONTACT source's etag."""
        return "#" + digest_b64("source", self.person_id, self.version, length=11)

    def sort_name(self, part: str) -> str:
        """The given or family name, lower-cased, for name orders."""
        names = self.data.get("names") or [{}]
        return str(names[0].get(part, "")).casefold()


@dataclass
class ContactGroupRecord:
    """A system or user contact group."""

    group_id: str
    name: str
    system: bool
    updated: datetime
    client_data: list[dict[str, str]] = field(default_factory=list)
    formatted: str | None = None
    version: int = 1
    change_seq: int = 0
    deleted: bool = False

    @property
    def resource_name(self) -> str:
        """``contactGroups/…``."""
        return f"contactGroups/{self.group_id}"

    @property
    def formatted_name(self) -> str:
        """The name as shown to the user."""
        return self.formatted or self.name

    @property
    def etag(self) -> str:
        """The group's etag."""
        return digest_b64("group", self.group_id, self.version, length=12)


class PeopleData:
    """An account's contacts and contact groups, and the change sequence their sync tokens count on."""

    def __init__(self, clock: SandboxClock, ids: IdSource, *, epoch: str, sync_token_days: float = 7.0) -> None:
        self.clock = clock
        self.ids = ids
        #: Distinguishes this store's tokens from those of an earlier reset.
        self.epoch = epoch
        self.sync_token_days = sync_token_days
        self.contacts: dict[str, Contact] = {}
        self.groups: dict[str, ContactGroupRecord] = {}
        self.seq = 0
        now = clock.now()
        for group_id, formatted in SYSTEM_GROUPS:
            self.groups[group_id] = ContactGroupRecord(group_id, group_id, True, now, formatted=formatted)

    def live_contacts(self) -> list[Contact]:
        """Contacts that are not deleted."""
        return [contact for contact in self.contacts.values() if not contact.deleted]

    def contact(self, resource_name: str) -> Contact:
        """The live contact named ``people/…``; 404 otherwise."""
        person_id = resource_name.removeprefix("people/")
        found = self.contacts.get(person_id)
        if found is None or found.deleted or not resource_name.startswith("people/"):
            raise not_found()
        return found

    def _touch(self, contact: Contact) -> None:
        """Record a change of ``contact`` in the change sequence."""
        self.seq += 1
        contact.change_seq = self.seq
        contact.updated = self.clock.now()

    def _touch_group(self, group: ContactGroupRecord) -> None:
        """Record a change of ``group`` in the change sequence."""
        self.seq += 1
        group.version += 1
        group.change_seq = self.seq
        group.updated = self.clock.now()
