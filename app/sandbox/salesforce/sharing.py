"""Record visibility: org-wide defaults per object, ownership, private events, and the admin's view-all.

- System Administrators see and edit everything.
- Owned objects follow their org-wide default: Private (the owner only), Read (everyone reads, the owner edits)
  or ReadWrite (everyone). Deleting needs ownership. A private event is its owner's alone.
- Relations and files follow the record they belong to; email messages follow their creator.
- Users and profiles are visible to all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from app.sandbox.salesforce.org_settings import OrgSettings
from app.sandbox.salesforce.schema import OBJECTS

ADMIN_PROFILE = "System Administrator"


@dataclass(frozen=True)
class Caller:
    """The user a request runs as."""

    user_id: str
    email: str
    is_admin: bool


class RecordLookup(Protocol):
    """What sharing needs from the org: settings and rows by id."""

    settings: OrgSettings

    def find(self, record_id: str) -> tuple[str, Mapping[str, Any]] | None:
        """(sObject, row) of a record, deleted ones included."""
        ...


def can_read(org: RecordLookup, caller: Caller, sobject: str, row: Mapping[str, Any]) -> bool:
    """Whether ``caller`` may see the record."""
    return _access(org, caller, sobject, row, level="read", depth=0)


def can_edit(org: RecordLookup, caller: Caller, sobject: str, row: Mapping[str, Any]) -> bool:
    """Whether ``caller`` may change the record."""
    return _access(org, caller, sobject, row, level="edit", depth=0)


def can_delete(org: RecordLookup, caller: Caller, sobject: str, row: Mapping[str, Any]) -> bool:
    """Whether ``caller`` may delete the record."""
    return _access(org, caller, sobject, row, level="delete", depth=0)


def _access(org: RecordLookup, caller: Caller, sobject: str, row: Mapping[str, Any], *, level: str, depth: int) -> bool:
    if caller.is_admin:
        return True
    definition = OBJECTS[sobject]
    if definition.sharing == "public":
        own_user = sobject == "User" and row.get("Id") == caller.user_id
        return level == "read" or (own_user and level == "edit")
    if definition.sharing == "parent":
        parent_id = row.get(definition.sharing_parent_field or "")
        found = org.find(parent_id) if parent_id and depth < 3 else None
        parent_level = "edit" if level == "delete" else level
        return found is not None and _access(org, caller, found[0], found[1], level=parent_level, depth=depth + 1)
    holder = row.get("OwnerId") if definition.sharing == "owner" else row.get("CreatedById")
    mine = holder == caller.user_id
    if mine or (sobject == "Event" and row.get("IsPrivate")) or level == "delete":
        return mine
    model = org.settings.sharing_model(sobject)
    return model == "ReadWrite" or (level == "read" and model == "Read")
