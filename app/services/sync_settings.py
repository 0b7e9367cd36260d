"""A user's contact sync settings, as a sync pass uses them.

They are the user's effective settings (:mod:`app.services.preferences`: the configuration that applies, the
user's own choices, the defaults), read at the start of every pass through :func:`contact_sync_settings`, so a
change made on the settings page, through the JSON API or with ``crmbridge settings set`` applies from the next pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session

from app.connectors.contact_fields import MATCH_FIELD, MULTI_VALUED
from app.connectors.salesforce.contacts_store import ContactScope
from app.connectors.selection import SelectionMethod
from app.models import User
from app.services.preferences import SettingValue, effective_settings
from app.services.preferences.catalogue import (
    CONTACTS_DIRECTION,
    CONTACTS_ENABLED,
    CONTACTS_FORBID_TO_REMOVE,
    CONTACTS_LIST_VIEW,
    CONTACTS_SCOPE,
    SYNC_CONFLICT_POLICY,
    SYNC_INCLUDE_PRIVATE,
    SYNC_SELECTION,
)
from app.services.preferences.configurations import DEFAULT_MAX_DELETE_SHARE
from app.sync.config import ConflictPolicy, Direction, Side, SyncConfig

__all__ = [
    "CONTACTS_DIRECTION",
    "CONTACTS_ENABLED",
    "CONTACTS_FORBID_TO_REMOVE",
    "CONTACTS_LIST_VIEW",
    "CONTACTS_SCOPE",
    "SYNC_CONFLICT_POLICY",
    "SYNC_INCLUDE_PRIVATE",
    "SYNC_SELECTION",
    "ContactSyncSettings",
    "contact_sync_settings",
    "settings_from",
]


@dataclass(frozen=True)
class ContactSyncSettings:
    """How one user's contacts sync.

    ``forbid_to_remove`` (the default): a contact deleted in the mailbox never deletes the Salesforce contact;
    the mailbox copy comes back on the next pass. A contact deleted in Salesforce is always deleted from the
    mailbox folder. ``max_delete_share`` comes from the admin's sync configuration.
    """

    enabled: bool = True
    direction: Direction = Direction.BOTH
    selection: SelectionMethod = SelectionMethod.AUTOMATIC
    scope: ContactScope = ContactScope.MINE
    list_view_id: str | None = None
    forbid_to_remove: bool = True
    include_private: bool = False
    conflict_policy: ConflictPolicy = ConflictPolicy.SALESFORCE_WINS
    max_delete_share: float = DEFAULT_MAX_DELETE_SHARE

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


def contact_sync_settings(session: Session, user: User) -> ContactSyncSettings:
    """The contact sync settings that apply to ``user`` now."""
    effective = effective_settings(session, user)
    return settings_from(effective.values(), max_delete_share=effective.max_delete_share)


def settings_from(
    values: Mapping[str, SettingValue], *, max_delete_share: float = DEFAULT_MAX_DELETE_SHARE
) -> ContactSyncSettings:
    """The contact settings in a full set of effective values (validated: see :mod:`app.services.preferences`)."""
    list_view = values[CONTACTS_LIST_VIEW]
    return ContactSyncSettings(
        enabled=bool(values[CONTACTS_ENABLED]),
        direction=Direction(str(values[CONTACTS_DIRECTION])),
        selection=SelectionMethod(str(values[SYNC_SELECTION])),
        scope=ContactScope(str(values[CONTACTS_SCOPE])),
        list_view_id=str(list_view) if list_view else None,
        forbid_to_remove=bool(values[CONTACTS_FORBID_TO_REMOVE]),
        include_private=bool(values[SYNC_INCLUDE_PRIVATE]),
        conflict_policy=ConflictPolicy(str(values[SYNC_CONFLICT_POLICY])),
        max_delete_share=max_delete_share,
    )
