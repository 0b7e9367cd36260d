"""The three-way, field-by-field merge of two versions of an item against their last-synced base."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from app.sync.config import ConflictPolicy, Side
from app.sync.items import Fields, FieldValue


@dataclass(frozen=True)
class FieldConflict:
    """The same field changed on both sides to different values; ``winner`` is the side kept."""

    field: str
    mailbox_value: FieldValue | None
    salesforce_value: FieldValue | None
    base_value: FieldValue | None
    winner: Side


def _as_set(value: FieldValue | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(value)


def merge_sets(base: FieldValue | None, mailbox: FieldValue | None, salesforce: FieldValue | None) -> FieldValue | None:
    """Merge a multi-valued field: additions on either side are kept, removals on either side apply."""
    base_set, a_set, b_set = _as_set(base), _as_set(mailbox), _as_set(salesforce)
    removed = (base_set - a_set) | (base_set - b_set)
    merged = (a_set | b_set) - removed
    return tuple(sorted(merged)) or None


def conflict_winner(
    policy: ConflictPolicy, mailbox_modified: datetime | None, salesforce_modified: datetime | None
) -> Side:
    """The side a conflicting field takes its value from; ``newest_wins`` falls back to Salesforce on a tie."""
    if policy is ConflictPolicy.MAILBOX_WINS:
        return Side.MAILBOX
    if policy is ConflictPolicy.NEWEST_WINS and mailbox_modified is not None and salesforce_modified is not None:
        return Side.MAILBOX if mailbox_modified > salesforce_modified else Side.SALESFORCE
    return Side.SALESFORCE


def three_way_merge(
    base: Fields,
    mailbox: Fields,
    salesforce: Fields,
    *,
    multi_valued: frozenset[str],
    policy: ConflictPolicy,
    mailbox_modified: datetime | None = None,
    salesforce_modified: datetime | None = None,
) -> tuple[Fields, tuple[FieldConflict, ...]]:
    """Merge field by field: a field changed on one side takes that side's value; the same change on
    both sides is no conflict; multi-valued fields merge as sets; any other double change goes to the
    policy and is returned as a conflict."""
    merged: dict[str, FieldValue] = {}
    conflicts: list[FieldConflict] = []
    for name in sorted(set(base) | set(mailbox) | set(salesforce)):
        base_value, a_value, b_value = base.get(name), mailbox.get(name), salesforce.get(name)
        value: FieldValue | None
        if b_value in (a_value, base_value):
            value = a_value
        elif a_value == base_value:
            value = b_value
        elif name in multi_valued:
            value = merge_sets(base_value, a_value, b_value)
        else:
            winner = conflict_winner(policy, mailbox_modified, salesforce_modified)
            value = a_value if winner is Side.MAILBOX else b_value
            conflicts.append(FieldConflict(name, a_value, b_value, base_value, winner))
        if value is not None:
            merged[name] = value
    return MappingProxyType(merged), tuple(conflicts)
