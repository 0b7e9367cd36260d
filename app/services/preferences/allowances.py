"""What a sync configuration allows each setting to be.

Without a configuration everything is allowed. A configuration narrows choices: the item types that may sync (the
others' ``enabled`` can only be false), the directions per item type, the selection methods, the contact scopes,
whether private items and event series may sync, and whether a mailbox deletion may delete a Salesforce record (if
not, ``forbid_to_remove`` can only be true).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.models import SyncPolicy
from app.services.preferences.catalogue import (
    CONTACTS_SCOPE,
    DIRECTION_KEYS,
    ENABLED_KEYS,
    EVENTS_SERIES,
    FORBID_TO_REMOVE_KEYS,
    SYNC_INCLUDE_PRIVATE,
    SYNC_SELECTION,
    Kind,
    Setting,
    SettingValue,
    format_value,
)


@dataclass(frozen=True)
class Allowance:
    """The values a setting may take under a configuration.

    ``values`` lists them for a boolean or choice setting (in the catalogue's order); it is None for a number (any
    in ``minimum``..``maximum``) or a list view id (any valid id, or none).
    """

    setting: Setting
    values: tuple[SettingValue, ...] | None

    @property
    def minimum(self) -> int | None:
        """The smallest number allowed (number settings only)."""
        return self.setting.minimum

    @property
    def maximum(self) -> int | None:
        """The largest number allowed (number settings only)."""
        return self.setting.maximum

    @property
    def single(self) -> bool:
        """True when only one value is allowed, so the setting cannot be changed."""
        return self.values is not None and len(self.values) == 1

    def permits(self, value: SettingValue) -> bool:
        """Whether ``value`` (already valid for the setting) is allowed."""
        return self.values is None or value in self.values

    def describe(self) -> str:
        """The allowed values, for people."""
        if self.values is None:
            return self.setting.describe_values()
        return ", ".join(format_value(value) for value in self.values)


def allowance(setting: Setting, policy: SyncPolicy | None) -> Allowance:
    """What ``policy`` (None: the built-in default, everything allowed) allows ``setting`` to be."""
    every = setting.values if setting.kind in (Kind.BOOLEAN, Kind.CHOICE) else None
    if policy is None or every is None:
        return Allowance(setting, every)
    permitted = _permitted(setting, policy)
    if permitted is None:
        return Allowance(setting, every)
    return Allowance(setting, tuple(value for value in every if value in permitted))


def _permitted(setting: Setting, policy: SyncPolicy) -> set[SettingValue] | None:
    """The values ``policy`` permits for ``setting``; None when it does not restrict it."""
    key = setting.key
    if setting.item_type is not None and key == ENABLED_KEYS[setting.item_type]:
        return {True, False} if setting.item_type.value in policy.item_types else {False}
    if setting.item_type is not None and key == DIRECTION_KEYS[setting.item_type]:
        directions = policy.directions.get(setting.item_type.value)
        return set(directions) if directions is not None else None
    restrictions: dict[str, set[SettingValue]] = {
        SYNC_SELECTION: set(policy.selection_methods),
        CONTACTS_SCOPE: set(policy.contact_scopes),
        SYNC_INCLUDE_PRIVATE: {True, False} if policy.allow_private else {False},
        EVENTS_SERIES: {True, False} if policy.allow_event_series else {False},
    }
    for forbid_key in FORBID_TO_REMOVE_KEYS:
        restrictions[forbid_key] = {True, False} if policy.allow_mailbox_deletions else {True}
    return restrictions.get(key)
