"""A user's contact, event and task sync settings, as a sync pass uses them.

They are the user's effective settings (:mod:`app.services.preferences`: the configuration that applies, the
user's own choices, the defaults), read at the start of every pass through :func:`contact_sync_settings`,
:func:`event_sync_settings` and :func:`task_sync_settings`, so a change made on the settings page, through the JSON
API or with ``crmbridge settings set`` applies from the next pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.connectors.contact_fields import MATCH_KEY, MULTI_VALUED
from app.connectors.event_fields import EVENT_MULTI_VALUED, EventWindow
from app.connectors.event_fields import START as EVENT_START
from app.connectors.event_fields import SUBJECT as EVENT_SUBJECT
from app.connectors.salesforce.contacts_store import ContactScope
from app.connectors.selection import SelectionMethod
from app.connectors.task_fields import DUE as TASK_DUE
from app.connectors.task_fields import SUBJECT as TASK_SUBJECT
from app.models import User
from app.services.preferences import SettingValue, effective_settings
from app.services.preferences.catalogue import (
    CONTACTS_DIRECTION,
    CONTACTS_ENABLED,
    CONTACTS_FORBID_TO_REMOVE,
    CONTACTS_LIST_VIEW,
    CONTACTS_SCOPE,
    EVENTS_DIRECTION,
    EVENTS_ENABLED,
    EVENTS_SERIES,
    EVENTS_WINDOW_FUTURE,
    EVENTS_WINDOW_PAST,
    SYNC_CONFLICT_POLICY,
    SYNC_INCLUDE_PRIVATE,
    SYNC_SELECTION,
    TASKS_DIRECTION,
    TASKS_ENABLED,
    TASKS_FORBID_TO_REMOVE,
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
    "EventSyncSettings",
    "TaskSyncSettings",
    "contact_sync_settings",
    "event_sync_settings",
    "settings_from",
    "task_sync_settings",
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
            match_key=MATCH_KEY,
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


@dataclass(frozen=True)
class EventSyncSettings:
    """How one user's calendar events sync.

    Events overlapping ``window`` sync (it slides once a day). ``series``: occurrences of recurring series sync,
    each as an event of its own. ``relate_attendees``: events written to Salesforce are related to the contacts
    and leads invited (the admin's choice). ``mailbox_deletions``: an event deleted in the mailbox is deleted in
    Salesforce (unless the admin forbids mailbox deletions, when it comes back instead). Unlinked events with the
    same subject and start on both sides are taken as one.
    """

    window: EventWindow
    enabled: bool = False
    direction: Direction = Direction.BOTH
    selection: SelectionMethod = SelectionMethod.AUTOMATIC
    series: bool = True
    include_private: bool = False
    relate_attendees: bool = True
    mailbox_deletions: bool = True
    conflict_policy: ConflictPolicy = ConflictPolicy.SALESFORCE_WINS
    max_delete_share: float = DEFAULT_MAX_DELETE_SHARE

    def engine_config(self, *, allow_mass_delete: bool = False) -> SyncConfig:
        """The engine's configuration for an event pass."""
        return SyncConfig(
            direction=self.direction,
            conflict_policy=self.conflict_policy,
            forbid_to_remove=frozenset() if self.mailbox_deletions else frozenset({Side.SALESFORCE}),
            multi_valued=EVENT_MULTI_VALUED,
            match_key=(EVENT_SUBJECT, EVENT_START),
            max_delete_share=self.max_delete_share,
            allow_mass_delete=allow_mass_delete,
        )


@dataclass(frozen=True)
class TaskSyncSettings:
    """How one user's tasks sync.

    ``forbid_to_remove`` (the default): a task deleted in the mailbox never deletes the Salesforce task; the
    mailbox copy comes back on the next pass. Unlinked tasks with the same subject and due date on both sides are
    taken as one.
    """

    enabled: bool = False
    direction: Direction = Direction.BOTH
    selection: SelectionMethod = SelectionMethod.AUTOMATIC
    forbid_to_remove: bool = True
    conflict_policy: ConflictPolicy = ConflictPolicy.SALESFORCE_WINS
    max_delete_share: float = DEFAULT_MAX_DELETE_SHARE

    def engine_config(self, *, allow_mass_delete: bool = False) -> SyncConfig:
        """The engine's configuration for a task pass."""
        return SyncConfig(
            direction=self.direction,
            conflict_policy=self.conflict_policy,
            forbid_to_remove=frozenset({Side.SALESFORCE}) if self.forbid_to_remove else frozenset(),
            match_key=(TASK_SUBJECT, TASK_DUE),
            max_delete_share=self.max_delete_share,
            allow_mass_delete=allow_mass_delete,
        )


def event_sync_settings(session: Session, user: User, *, now: datetime) -> EventSyncSettings:
    """The event sync settings that apply to ``user`` now; the window is the one around ``now``."""
    effective = effective_settings(session, user)
    values = effective.values()
    return EventSyncSettings(
        window=EventWindow.around(
            now, past_days=int(values[EVENTS_WINDOW_PAST] or 0), future_days=int(values[EVENTS_WINDOW_FUTURE] or 0)
        ),
        enabled=bool(values[EVENTS_ENABLED]),
        direction=Direction(str(values[EVENTS_DIRECTION])),
        selection=SelectionMethod(str(values[SYNC_SELECTION])),
        series=bool(values[EVENTS_SERIES]),
        include_private=bool(values[SYNC_INCLUDE_PRIVATE]),
        relate_attendees=effective.relate_events,
        mailbox_deletions=effective.mailbox_deletions_allowed,
        conflict_policy=ConflictPolicy(str(values[SYNC_CONFLICT_POLICY])),
        max_delete_share=effective.max_delete_share,
    )


def task_sync_settings(session: Session, user: User) -> TaskSyncSettings:
    """The task sync settings that apply to ``user`` now."""
    effective = effective_settings(session, user)
    values = effective.values()
    return TaskSyncSettings(
        enabled=bool(values[TASKS_ENABLED]),
        direction=Direction(str(values[TASKS_DIRECTION])),
        selection=SelectionMethod(str(values[SYNC_SELECTION])),
        forbid_to_remove=bool(values[TASKS_FORBID_TO_REMOVE]),
        conflict_policy=ConflictPolicy(str(values[SYNC_CONFLICT_POLICY])),
        max_delete_share=effective.max_delete_share,
    )
