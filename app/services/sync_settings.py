"""A user's sync settings for contacts, read from their stored settings with the product's defaults.

The settings page, the JSON API and ``crmbridge settings`` write these keys; the sync pass reads them through
:func:`contact_sync_settings`, so a change applies from the next pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from app.connectors.contact_fields import MATCH_FIELD, MULTI_VALUED
from app.connectors.salesforce.contacts_store import ContactScope
from app.connectors.selection import SelectionMethod
from app.models import UserSetting
from app.sync.config import ConflictPolicy, Direction, Side, SyncConfig

CONTACTS_ENABLED = "contacts.enabled"
CONTACTS_DIRECTION = "contacts.direction"
CONTACTS_SELECTION = "contacts.selection"
CONTACTS_SCOPE = "contacts.scope"
CONTACTS_LIST_VIEW = "contacts.list_view_id"
CONTACTS_FORBID_TO_REMOVE = "contacts.forbid_to_remove"
CONTACTS_INCLUDE_PRIVATE = "contacts.include_private"
CONFLICT_POLICY = "sync.conflict_policy"
MAX_DELETE_SHARE = "sync.max_delete_share"


@dataclass(frozen=True)
class ContactSyncSettings:
    """How one user's contacts sync.

    ``forbid_to_remove`` (the default): a contact deleted in the mailbox never deletes the Salesforce contact;
    the mailbox copy comes back on the next pass. A contact deleted in Salesforce is always deleted from the
    mailbox folder.
    """

    enabled: bool = True
    direction: Direction = Direction.BOTH
    selection: SelectionMethod = SelectionMethod.AUTOMATIC
    scope: ContactScope = ContactScope.MINE
    list_view_id: str | None = None
    forbid_to_remove: bool = True
    include_private: bool = False
    conflict_policy: ConflictPolicy = ConflictPolicy.SALESFORCE_WINS
    max_delete_share: float = 0.2

    def engine_config(self, *, allow_mass_delete: bool = False) -> SyncConfig:
        """The engine's configuration for a contact pass."""
        return SyncConfig(
            direction=self.direction,
            conflict_policy=self.conflict_policy,
            forbid_to_remove=frozenset({Side.SALESFORCE}) if self.forbid_to_remove else frozenset(),
            multi_valued=MULTI_VALUED,
            match_field=MATCH_FIELD,
            max_delete_share=self.max_delete_share,
            allow_mass_delete=allow_mass_delete,
        )


def stored_settings(session: Session, user_id: int) -> dict[str, Any]:
    """Every stored setting of the user, by key."""
    rows = session.exec(select(UserSetting).where(UserSetting.user_id == user_id)).all()
    return {row.key: row.value for row in rows}


def contact_sync_settings(session: Session, user_id: int) -> ContactSyncSettings:
    """The user's contact sync settings; a key that is not stored takes the default."""
    return settings_from(stored_settings(session, user_id))


def settings_from(values: Mapping[str, Any]) -> ContactSyncSettings:
    """Build the settings from stored values (the writers validate; unknown keys are ignored)."""
    defaults = ContactSyncSettings()
    list_view = values.get(CONTACTS_LIST_VIEW)
    return ContactSyncSettings(
        enabled=bool(values.get(CONTACTS_ENABLED, defaults.enabled)),
        direction=Direction(values.get(CONTACTS_DIRECTION, defaults.direction)),
        selection=SelectionMethod(values.get(CONTACTS_SELECTION, defaults.selection)),
        scope=ContactScope(values.get(CONTACTS_SCOPE, defaults.scope)),
        list_view_id=str(list_view) if list_view else None,
        forbid_to_remove=bool(values.get(CONTACTS_FORBID_TO_REMOVE, defaults.forbid_to_remove)),
        include_private=bool(values.get(CONTACTS_INCLUDE_PRIVATE, defaults.include_private)),
        conflict_policy=ConflictPolicy(values.get(CONFLICT_POLICY, defaults.conflict_policy)),
        max_delete_share=float(values.get(MAX_DELETE_SHARE, defaults.max_delete_share)),
    )
