"""The catalogue of user sync settings: every key, its type, its choices, its product default and what it means.

Values are JSON scalars: booleans, integers, the choices' strings, and a Salesforce id or None. :meth:`Setting.coerce`
checks a value that came as JSON (the API, a stored row); :meth:`Setting.parse` reads one typed on a command line.
Both raise :class:`SettingValueError` with a sentence naming the key.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from app.connectors.salesforce.contacts_scope import ContactScope
from app.connectors.selection import SelectionMethod
from app.models import ItemType
from app.sync.config import ConflictPolicy, Direction

#: A setting's value.
SettingValue = bool | int | str | None

#: A Salesforce id: 15 or 18 letters and digits. A list view's starts with its key prefix.
_SALESFORCE_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")
LIST_VIEW_PREFIX = "00B"


class SettingValueError(ValueError):
    """A value a setting cannot take; the message names the key and says why."""


class Kind(enum.StrEnum):
    """The type of a setting's values."""

    BOOLEAN = "boolean"
    INTEGER = "integer"
    CHOICE = "choice"
    LIST_VIEW_ID = "list_view_id"


@dataclass(frozen=True)
class Choice:
    """One value a choice setting can take, and how a person reads it."""

    value: str
    label: str


@dataclass(frozen=True)
class Setting:
    """One user setting."""

    key: str
    kind: Kind
    default: SettingValue
    description: str
    item_type: ItemType | None = None
    choices: tuple[Choice, ...] = ()
    minimum: int | None = None
    maximum: int | None = None

    @property
    def values(self) -> tuple[SettingValue, ...]:
        """Every value of a boolean or choice setting (empty for the others)."""
        if self.kind is Kind.BOOLEAN:
            return (True, False)
        return tuple(choice.value for choice in self.choices)

    def label(self, value: SettingValue) -> str:
        """A value as a person reads it."""
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return format_value(value)

    def coerce(self, value: object) -> SettingValue:
        """``value`` when this setting can take it (JSON types: no "true" for true); SettingValueError otherwise."""
        if self.kind is Kind.BOOLEAN:
            if isinstance(value, bool):
                return value
            raise SettingValueError(f"{self.key} must be true or false, not {_shown(value)}.")
        if self.kind is Kind.INTEGER:
            if isinstance(value, bool) or not isinstance(value, int):
                raise SettingValueError(f"{self.key} must be a whole number, not {_shown(value)}.")
            assert self.minimum is not None and self.maximum is not None
            if not self.minimum <= value <= self.maximum:
                raise SettingValueError(f"{self.key} must be between {self.minimum} and {self.maximum}, not {value}.")
            return value
        if self.kind is Kind.CHOICE:
            if isinstance(value, str) and value in self.values:
                return value
            return self._refuse_choice(value)
        return self._coerce_list_view_id(value)

    def parse(self, text: str) -> SettingValue:
        """A value typed as text (``true``, ``30``, ``manual``, ``none``); SettingValueError otherwise."""
        cleaned = text.strip()
        if self.kind is Kind.BOOLEAN:
            lowered = cleaned.lower()
            if lowered in ("true", "yes", "on"):
                return True
            if lowered in ("false", "no", "off"):
                return False
            raise SettingValueError(f"{self.key} must be true or false, not {cleaned!r}.")
        if self.kind is Kind.INTEGER:
            try:
                number = int(cleaned)
            except ValueError:
                raise SettingValueError(f"{self.key} must be a whole number, not {cleaned!r}.") from None
            return self.coerce(number)
        if self.kind is Kind.LIST_VIEW_ID and cleaned.lower() in ("", "none"):
            return None
        return self.coerce(cleaned)

    def describe_values(self) -> str:
        """The values this setting can take, for help texts."""
        if self.kind is Kind.BOOLEAN:
            return "true, false"
        if self.kind is Kind.INTEGER:
            return f"{self.minimum} to {self.maximum}"
        if self.kind is Kind.CHOICE:
            return ", ".join(choice.value for choice in self.choices)
        return f"a Salesforce list view id ({LIST_VIEW_PREFIX}..., 15 or 18 characters), or none"

    def _refuse_choice(self, value: object) -> SettingValue:
        raise SettingValueError(f"{self.key} must be one of {', '.join(map(str, self.values))}, not {_shown(value)}.")

    def _coerce_list_view_id(self, value: object) -> SettingValue:
        if value is None:
            return None
        if not isinstance(value, str):
            raise SettingValueError(f"{self.key} must be a Salesforce list view id, not {_shown(value)}.")
        cleaned = value.strip()
        if not _SALESFORCE_ID.match(cleaned):
            raise SettingValueError(
                f"{self.key} must be a Salesforce id of 15 or 18 letters and digits; {cleaned!r} is not one."
            )
        if not cleaned.startswith(LIST_VIEW_PREFIX):
            raise SettingValueError(
                f"{self.key} must be a list view's id, which starts with {LIST_VIEW_PREFIX}; {cleaned!r} does not."
            )
        return cleaned


def format_value(value: object) -> str:
    """A value as the command line and messages show it."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _shown(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "null"
    if isinstance(value, bool | int | float):
        return format_value(value)
    return f"a {type(value).__name__}"


def _choices(labels: Mapping[enum.StrEnum, str]) -> tuple[Choice, ...]:
    return tuple(Choice(member.value, label) for member, label in labels.items())


DIRECTIONS = _choices(
    {
        Direction.BOTH: "Both ways",
        Direction.SF_TO_MAILBOX: "Salesforce to the mailbox only",
        Direction.MAILBOX_TO_SF: "The mailbox to Salesforce only",
    }
)

SYNC_SELECTION = "sync.selection"
SYNC_INCLUDE_PRIVATE = "sync.include_private"
SYNC_CONFLICT_POLICY = "sync.conflict_policy"
CONTACTS_ENABLED = "contacts.enabled"
CONTACTS_DIRECTION = "contacts.direction"
CONTACTS_SCOPE = "contacts.scope"
CONTACTS_LIST_VIEW = "contacts.list_view_id"
CONTACTS_FORBID_TO_REMOVE = "contacts.forbid_to_remove"
EVENTS_ENABLED = "events.enabled"
EVENTS_DIRECTION = "events.direction"
EVENTS_WINDOW_PAST = "events.window_past_days"
EVENTS_WINDOW_FUTURE = "events.window_future_days"
EVENTS_SERIES = "events.series"
TASKS_ENABLED = "tasks.enabled"
TASKS_DIRECTION = "tasks.direction"
TASKS_FORBID_TO_REMOVE = "tasks.forbid_to_remove"

_CATALOGUE = (
    Setting(
        SYNC_SELECTION,
        Kind.CHOICE,
        SelectionMethod.AUTOMATIC.value,
        'Which mailbox items sync: all of them (except those marked "Don\'t sync with Salesforce"), or only the '
        'ones marked "Sync with Salesforce".',
        choices=_choices(
            {SelectionMethod.AUTOMATIC: "Sync all items", SelectionMethod.MANUAL: "Sync only the items I select"}
        ),
    ),
    Setting(
        SYNC_INCLUDE_PRIVATE,
        Kind.BOOLEAN,
        False,
        "Also sync the contacts and events marked private (in Outlook, Google Calendar or Salesforce).",
    ),
    Setting(
        SYNC_CONFLICT_POLICY,
        Kind.CHOICE,
        ConflictPolicy.SALESFORCE_WINS.value,
        "Whose value is kept when the same field changed on both sides.",
        choices=_choices(
            {
                ConflictPolicy.SALESFORCE_WINS: "Salesforce wins",
                ConflictPolicy.MAILBOX_WINS: "The mailbox wins",
                ConflictPolicy.NEWEST_WINS: "The newest change wins",
            }
        ),
    ),
    Setting(CONTACTS_ENABLED, Kind.BOOLEAN, True, "Sync contacts.", ItemType.CONTACT),
    Setting(
        CONTACTS_DIRECTION,
        Kind.CHOICE,
        Direction.BOTH.value,
        "Which way contact changes go.",
        ItemType.CONTACT,
        DIRECTIONS,
    ),
    Setting(
        CONTACTS_SCOPE,
        Kind.CHOICE,
        ContactScope.MINE.value,
        "Which Salesforce contacts sync: the ones you own, all you can see, or a list view's.",
        ItemType.CONTACT,
        _choices(
            {
                ContactScope.ALL: "All the contacts I can see",
                ContactScope.MINE: "The contacts I own",
                ContactScope.LIST_VIEW: "The contacts of a list view",
            }
        ),
    ),
    Setting(
        CONTACTS_LIST_VIEW,
        Kind.LIST_VIEW_ID,
        None,
        "The Salesforce list view whose contacts sync (with the list view scope).",
        ItemType.CONTACT,
    ),
    Setting(
        CONTACTS_FORBID_TO_REMOVE,
        Kind.BOOLEAN,
        True,
        "Never delete a Salesforce contact because it was deleted in the mailbox (the mailbox copy comes back).",
        ItemType.CONTACT,
    ),
    Setting(
        EVENTS_ENABLED,
        Kind.BOOLEAN,
        False,
        "Sync your calendar's events inside the window with your Salesforce events.",
        ItemType.EVENT,
    ),
    Setting(
        EVENTS_DIRECTION, Kind.CHOICE, Direction.BOTH.value, "Which way event changes go.", ItemType.EVENT, DIRECTIONS
    ),
    Setting(
        EVENTS_WINDOW_PAST,
        Kind.INTEGER,
        7,
        "How many days back events sync.",
        ItemType.EVENT,
        minimum=0,
        maximum=365,
    ),
    Setting(
        EVENTS_WINDOW_FUTURE,
        Kind.INTEGER,
        90,
        "How many days ahead events sync.",
        ItemType.EVENT,
        minimum=1,
        maximum=730,
    ),
    Setting(
        EVENTS_SERIES,
        Kind.BOOLEAN,
        True,
        "Sync the occurrences of recurring series inside the window, each as an event of its own.",
        ItemType.EVENT,
    ),
    Setting(
        TASKS_ENABLED,
        Kind.BOOLEAN,
        False,
        "Sync your To Do or Google tasks with your Salesforce tasks.",
        ItemType.TASK,
    ),
    Setting(
        TASKS_DIRECTION, Kind.CHOICE, Direction.BOTH.value, "Which way task changes go.", ItemType.TASK, DIRECTIONS
    ),
    Setting(
        TASKS_FORBID_TO_REMOVE,
        Kind.BOOLEAN,
        True,
        "Never delete a Salesforce task because it was deleted in the mailbox (the mailbox copy comes back).",
        ItemType.TASK,
    ),
)

#: Every user setting, by key, in the order pages and the command line show them.
CATALOGUE: Mapping[str, Setting] = {setting.key: setting for setting in _CATALOGUE}

#: The keys of the item types' on/off and direction settings.
ENABLED_KEYS: Mapping[ItemType, str] = {
    ItemType.CONTACT: CONTACTS_ENABLED,
    ItemType.EVENT: EVENTS_ENABLED,
    ItemType.TASK: TASKS_ENABLED,
}
DIRECTION_KEYS: Mapping[ItemType, str] = {
    ItemType.CONTACT: CONTACTS_DIRECTION,
    ItemType.EVENT: EVENTS_DIRECTION,
    ItemType.TASK: TASKS_DIRECTION,
}
FORBID_TO_REMOVE_KEYS = (CONTACTS_FORBID_TO_REMOVE, TASKS_FORBID_TO_REMOVE)


def setting(key: str) -> Setting:
    """The setting with this key; SettingValueError naming the known keys otherwise."""
    found = CATALOGUE.get(key)
    if found is None:
        raise SettingValueError(f"{key!r} is not a setting. The settings are: {', '.join(CATALOGUE)}.")
    return found


@dataclass(frozen=True)
class Combination:
    """A rule across the settings ``keys``: ``problem`` says what is wrong with a set of values, or None; ``blame``
    is the key whose stored value is given up when stored values break the rule."""

    keys: tuple[str, ...]
    blame: str
    problem: Callable[[Mapping[str, SettingValue]], str | None]


def _list_view_needs_an_id(values: Mapping[str, SettingValue]) -> str | None:
    if values.get(CONTACTS_SCOPE) == ContactScope.LIST_VIEW.value and not values.get(CONTACTS_LIST_VIEW):
        return (
            f"{CONTACTS_SCOPE} list_view needs a list view: set {CONTACTS_LIST_VIEW} to the id of a Salesforce "
            "Contact list view."
        )
    return None


#: Values that are each acceptable but not together.
COMBINATIONS = (Combination((CONTACTS_SCOPE, CONTACTS_LIST_VIEW), CONTACTS_SCOPE, _list_view_needs_an_id),)


def combination_problems(values: Mapping[str, SettingValue]) -> list[str]:
    """What is wrong with a full set of values taken together (empty when nothing is)."""
    return [problem for rule in COMBINATIONS if (problem := rule.problem(values)) is not None]
