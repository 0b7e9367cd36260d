"""Contact groups: system groups, user groups, their members and the ``contactGroups`` sync feed.

Facts relied on (People API reference): ``contactGroups.list`` pages hold 30 by default and 1000 at most and end
with a ``nextSyncToken``; ``members:modify`` takes at most 1000 additions and removals together, reports unknown
names in ``notFoundResourceNames`` and refuses to remove a contact's last group
(``canNotRemoveLastContactGroupResourceNames``); only user groups, ``myContacts`` and ``starred`` take members.
"""

from __future__ import annotations

from typing import Any

from app.sandbox.google.errors import GoogleApiError, bad_request, failed_precondition, invalid_argument, not_found
from app.sandbox.google.people.records import Contact, ContactGroupRecord, PeopleData
from app.sandbox.google.people.render import render_group
from app.sandbox.google.wire import decode_token, encode_token

MAX_PAGE_SIZE = 1000
DEFAULT_GROUP_PAGE_SIZE = 30
MAX_MEMBER_CHANGES = 1000
#: "Only contact groups of type USER_CONTACT_GROUP, myContacts and starred can have members added."
MEMBER_ADDABLE_SYSTEM_GROUPS = frozenset({"myContacts", "starred"})


class ContactGroups(PeopleData):
    """The contact-group operations of a people store."""

    def group(self, resource_name: str) -> ContactGroupRecord:
        """The live group named ``contactGroups/…``; 404 otherwise."""
        found = self.groups.get(resource_name.removeprefix("contactGroups/"))
        if found is None or found.deleted:
            raise not_found()
        return found

    def members(self, group: ContactGroupRecord) -> list[Contact]:
        """The live contacts in ``group`` (``all`` holds every contact)."""
        if group.group_id == "all":
            return self.live_contacts()
        return [contact for contact in self.live_contacts() if group.group_id in contact.groups]

    def render_group(self, group: ContactGroupRecord, fields: frozenset[str], max_members: int = 0) -> dict[str, Any]:
        """A ``ContactGroup``, with up to ``max_members`` member resource names."""
        members = self.members(group)
        out = render_group(group, fields, len(members))
        if max_members > 0 and members and not group.deleted:
            out["memberResourceNames"] = [contact.resource_name for contact in members[:max_members]]
        return out

    def create_group(self, name: str, client_data: list[dict[str, str]]) -> ContactGroupRecord:
        """A new user contact group; 409 if a group of that name exists."""
        if not name.strip():
            raise invalid_argument("Contact group name must not be empty.")
        if any(g.name.casefold() == name.casefold() and not g.deleted for g in self.groups.values()):
            raise GoogleApiError(
                409,
                "Cannot create a group with a name that already exists.",
                "alreadyExists",
                canonical="ALREADY_EXISTS",
            )
        group = ContactGroupRecord(self.ids.hex(14), name, False, self.clock.now(), client_data=list(client_data))
        self.groups[group.group_id] = group
        self._touch_group(group)
        return group

    def update_group(
        self, resource_name: str, body: dict[str, Any], update_fields: frozenset[str]
    ) -> ContactGroupRecord:
        """Replace a user group's name and/or clientData."""
        group = self.group(resource_name)
        if group.system:
            raise bad_request("System contact groups cannot be updated.", reason="failedPrecondition")
        etag = body.get("etag")
        if etag and etag != group.etag:
            raise failed_precondition("Request contactGroup.etag is different than the current contactGroup.etag.")
        if "name" in update_fields:
            self._check_name(str(body.get("name") or ""), group.group_id)
            group.name = str(body["name"])
        if "clientData" in update_fields:
            group.client_data = [dict(item) for item in body.get("clientData") or []]
        self._touch_group(group)
        return group

    def _check_name(self, name: str, own_id: str) -> None:
        if not name.strip():
            raise invalid_argument("Contact group name must not be empty.")
        for other in self.groups.values():
            if other.group_id != own_id and not other.deleted and other.name.casefold() == name.casefold():
                raise GoogleApiError(
                    409,
                    "Cannot update a group to a name that already exists.",
                    "alreadyExists",
                    canonical="ALREADY_EXISTS",
                )

    def delete_group(self, resource_name: str, *, delete_contacts: bool) -> None:
        """Delete a user group, and its members too when ``delete_contacts``."""
        group = self.group(resource_name)
        if group.system:
            raise bad_request("System contact groups cannot be deleted.", reason="failedPrecondition")
        for contact in self.members(group):
            if delete_contacts:
                contact.deleted = True
            else:
                contact.groups.remove(group.group_id)
            contact.version += 1
            self._touch(contact)
        group.deleted = True
        self._touch_group(group)

    def modify_members(self, resource_name: str, add: list[str], remove: list[str]) -> dict[str, Any]:
        """``contactGroups.members.modify``: add and remove contacts; reports unknown names."""
        group = self.group(resource_name)
        if len(add) + len(remove) > MAX_MEMBER_CHANGES:
            raise invalid_argument("Cannot add or remove more than 1000 contacts from a contact group in one request.")
        if add and group.system and group.group_id not in MEMBER_ADDABLE_SYSTEM_GROUPS:
            raise bad_request(f"Cannot add contacts to the system contact group {group.group_id}.")
        not_found_names: list[str] = []
        last_group: list[str] = []
        for name in add:
            contact = self.contacts.get(name.removeprefix("people/"))
            if contact is None or contact.deleted:
                not_found_names.append(name)
            elif group.group_id not in contact.groups:
                contact.groups.append(group.group_id)
                contact.version += 1
                self._touch(contact)
        for name in remove:
            contact = self.contacts.get(name.removeprefix("people/"))
            if contact is None or contact.deleted:
                not_found_names.append(name)
            elif group.group_id in contact.groups:
                if len(contact.groups) == 1:
                    last_group.append(name)
                    continue
                contact.groups.remove(group.group_id)
                contact.version += 1
                self._touch(contact)
        body: dict[str, Any] = {}
        if not_found_names:
            body["notFoundResourceNames"] = not_found_names
        if last_group:
            body["canNotRemoveLastContactGroupResourceNames"] = last_group
        return body

    def list_groups(
        self, fields: frozenset[str], page_size: int, page_token: str | None, sync_token: str | None
    ) -> dict[str, Any]:
        """One page of ``contactGroups.list``; a sync token lists the groups changed since it was issued."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise invalid_argument("pageSize must be between 1 and 1000, inclusive.")
        offset, since, snapshot = 0, None, self.seq
        if page_token is not None:
            page = decode_token(page_token)
            if page is None or page.get("kind") != "groups" or page.get("epoch") != self.epoch:
                raise invalid_argument("Page token is not valid.")
            offset, since, snapshot = page["offset"], page["since"], page["snapshot"]
        elif sync_token is not None:
            payload = decode_token(sync_token)
            if payload is None or payload.get("kind") != "groups-sync" or payload.get("epoch") != self.epoch:
                raise invalid_argument("Sync token is invalid.")
            since = int(payload["seq"])
        if since is None:
            items = [group for group in self.groups.values() if not group.deleted]
        else:
            items = sorted(
                (g for g in self.groups.values() if since < g.change_seq <= snapshot), key=lambda g: g.change_seq
            )
        chunk = items[offset : offset + page_size]
        body: dict[str, Any] = {"contactGroups": [self.render_group(group, fields) for group in chunk]}
        body["totalItems"] = len(items)
        if offset + page_size < len(items):
            body["nextPageToken"] = encode_token(
                {
                    "kind": "groups",
                    "epoch": self.epoch,
                    "offset": offset + page_size,
                    "since": since,
                    "snapshot": snapshot,
                }
            )
        else:
            body["nextSyncToken"] = encode_token({"kind": "groups-sync", "epoch": self.epoch, "seq": snapshot})
        return body
