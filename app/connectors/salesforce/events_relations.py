"""Relating events to the people invited, for the Salesforce event store.

Salesforce does not hold attendee addresses. With Shared Activities, an event relates to up to 50 contacts or one
lead (EventRelation rows with IsParent; the Event's WhoId is one of them). When the store relates attendees, a write
batch looks the attendees' addresses up once (Contacts and Leads by Email, with the relations the updated events
already have), in the call that prepares the batch:

- a new event gets WhoId = the first matching contact (else the first matching lead) in its record;
- after the write, the other matching contacts become IsParent relations, in one more call for the whole batch,
  up to 50 contacts per event (the first ones; the rest are left out and the item still succeeds). An event
  related to a lead, or a lead when the event already has contacts, is left as it is.

An update only adds relations: a person no longer invited stays related (a Salesforce user may have related them,
and the relation is history). EventRelation rows are written rather than the ``EventWhoIds`` list, so that an update
adds to the relations instead of replacing them. A failure to relate never fails the event's write.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from app.connectors import event_fields as ef
from app.connectors.errors import VendorError
from app.connectors.salesforce.contacts_collections import CollectionWriter, chunks
from app.connectors.salesforce.contacts_mapping import row_key
from app.connectors.salesforce.contacts_paging import PagedQuery
from app.connectors.salesforce.mapping import is_salesforce_id, soql_string_list
from app.sync.items import Fields
from app.sync.stores import StoreError

_log = logging.getLogger(__name__)

#: Contacts an event can relate to (Shared Activities).
MAX_RELATED_CONTACTS = 50
#: Addresses or ids per lookup query.
_PER_QUERY = 200


def attendees_of(fields: Fields) -> list[str]:
    """The attendee addresses of a projection, lower-cased, in order, without repeats."""
    value = fields.get(ef.ATTENDEES)
    listed = [value] if isinstance(value, str) else list(value or ())
    return list(dict.fromkeys(address.strip().lower() for address in listed if address.strip()))


class EventRelater:
    """Relates a batch's events to the contacts or leads invited (see the module docstring)."""

    def __init__(self, collections: CollectionWriter) -> None:
        self._collections = collections
        self._contacts: list[PagedQuery] = []
        self._leads: list[PagedQuery] = []
        self._relations: list[PagedQuery] = []
        self._updated: set[str] = set()

    def queries(self, batch: Sequence[Fields], updated_ids: Sequence[str]) -> list[PagedQuery]:
        """The Contacts and Leads with the batch's attendee addresses, and the updated events' relations."""
        addresses = list(dict.fromkeys(address for fields in batch for address in attendees_of(fields)))
        self._contacts, self._leads, self._relations = [], [], []
        self._updated = {row_key(record_id) for record_id in updated_ids}
        if not addresses:
            return []
        for index, group in enumerate(chunks(addresses, _PER_QUERY)):
            emails = soql_string_list(group)
            self._contacts.append(
                PagedQuery(f"contacts{index}", f"SELECT Id, Email FROM Contact WHERE Email IN {emails} ORDER BY Id")
            )
            self._leads.append(
                PagedQuery(
                    f"leads{index}",
                    f"SELECT Id, Email FROM Lead WHERE Email IN {emails} AND IsConverted = false ORDER BY Id",
                )
            )
        events = [record_id for record_id in dict.fromkeys(updated_ids) if is_salesforce_id(record_id)]
        for index, group in enumerate(chunks(events, _PER_QUERY)):
            self._relations.append(
                PagedQuery(
                    f"relations{index}",
                    f"SELECT EventId, RelationId FROM EventRelation WHERE EventId IN {soql_string_list(group)} "
                    "AND IsParent = true",
                )
            )
        return [*self._contacts, *self._leads, *self._relations]

    def record_extras(self, fields: Fields, *, creating: bool) -> Mapping[str, Any]:
        """A new event's WhoId: the first contact invited, else the first lead."""
        if not creating:
            return {}
        contacts, leads = self._people(fields)
        who = contacts[0] if contacts else leads[0] if leads else None
        return {"WhoId": who} if who else {}

    def relate(self, written: Sequence[tuple[str, Fields]]) -> None:
        """Add the IsParent relations the written events miss, in one call for the batch."""
        existing: dict[str, list[str]] = {}
        for query in self._relations:
            for row in query.rows:
                existing.setdefault(row_key(str(row["EventId"])), []).append(str(row["RelationId"]))
        records: list[dict[str, Any]] = []
        for event_id, fields in written:
            contacts, leads = self._people(fields)
            if not contacts and not leads:
                continue
            key = row_key(event_id)
            # A new event's WhoId is related already.
            related = existing.get(key, []) if key in self._updated else [(contacts or leads)[0]]
            if any(person.startswith("00Q") for person in related):
                continue  # a lead is the event's only person
            keys = {row_key(person) for person in related}
            room = MAX_RELATED_CONTACTS - len(related)
            if not contacts:
                if not related:
                    records.append(_relation(event_id, leads[0]))
                continue
            for contact in [c for c in contacts if row_key(c) not in keys][: max(room, 0)]:
                records.append(_relation(event_id, contact))
        if not records:
            return
        try:
            self._collections.write("POST", "composite/sobjects", records)
        except (StoreError, VendorError) as error:
            _log.warning("Relating events to the people invited failed: %s", error)

    def _people(self, fields: Fields) -> tuple[list[str], list[str]]:
        """The ids of the contacts and leads with the event's attendee addresses, in the attendees' order."""
        contacts = _by_email(self._contacts)
        leads = _by_email(self._leads)
        addresses = attendees_of(fields)
        found_contacts = [contacts[a] for a in addresses if a in contacts]
        found_leads = [leads[a] for a in addresses if a in leads]
        return list(dict.fromkeys(found_contacts)), list(dict.fromkeys(found_leads))


def _by_email(queries: Sequence[PagedQuery]) -> dict[str, str]:
    found: dict[str, str] = {}
    for query in queries:
        for row in query.rows:
            email = str(row.get("Email") or "").lower()
            if email:
                found.setdefault(email, str(row["Id"]))
    return found


def _relation(event_id: str, person_id: str) -> dict[str, Any]:
    return {
        "attributes": {"type": "EventRelation"},
        "EventId": event_id,
        "RelationId": person_id,
        "IsParent": True,
        "IsInvitee": False,
    }
