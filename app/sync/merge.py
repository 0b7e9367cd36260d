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


def merge_sets(
    base: FieldValue | None,
    mailbox: FieldValue | None,
    salesforce: FieldValue | None,
    *,
    mailbox_base: FieldValue | None = None,
    salesforce_base: FieldValue | None = None,
) -> FieldValue | None:
    """Merge a multi-valued field: additions on either side are kept, removals on either side apply.

    A side's removals are judged against what that side held at the last sync (``mailbox_base``,
    ``salesforce_base``; ``base`` when not given), so values a side could never hold are not removed.
    """
    a_base = _as_set(base if mailbox_base is None else mailbox_base)
    b_base = _as_set(base if salesforce_base is None else salesforce_base)
    a_set, b_set = _as_set(mailbox), _as_set(salesforce)
    removed = (a_base - a_set) | (b_base - b_set)
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
    mailbox_snapshot: Fields | None = None,
    salesforce_snapshot: Fields | None = None,
) -> tuple[Fields, tuple[FieldConflict, ...]]:
    """Merge field by field: a field changed on one side takes that side's value; the same change on
    both sides is no conflict; multi-valued fields merge as sets; any other double change goes to the
    policy and is returned as a conflict.

    A side changed a field when its value differs from what it held at the last sync (its snapshot,
    ``base`` when not given); a field neither side changed keeps the base value.
    """
    a_snap = base if mailbox_snapshot is None else mailbox_snapshot
    b_snap = base if salesforce_snapshot is None else salesforce_snapshot
    merged: dict[str, FieldValue] = {}
    conflicts: list[FieldConflict] = []
    for name in sorted(set(base) | set(mailbox) | set(salesforce) | set(a_snap) | set(b_snap)):
        base_value, a_value, b_value = base.get(name), mailbox.get(name), salesforce.get(name)
        a_changed, b_changed = a_value != a_snap.get(name), b_value != b_snap.get(name)
        value: FieldValue | None
        if not a_changed and not b_changed:
            value = base_value
        elif not b_changed or a_value == b_value:
            value = a_value
        elif not a_changed:
            value = b_value
        elif name in multi_valued:
            value = merge_sets(
                base_value, a_value, b_value, mailbox_base=a_snap.get(name), salesforce_base=b_snap.get(name)
            )
        else:
            winner = conflict_winner(policy, mailbox_modified, salesforce_modified)
            value = a_value if winner is Side.MAILBOX else b_value
            conflicts.append(FieldConflict(name, a_value, b_value, base_value, winner))
        if value is not None:
            merged[name] = value
    return MappingProxyType(merged), tuple(conflicts)


def one_way_merge(
    base: Fields, source: Fields, source_snapshot: Fields, target: Fields, target_snapshot: Fields
) -> Fields:
    """The source side wins every field: a field either side changed takes the source's value, the rest
    keeps the base (so what the source could never hold is not taken for a change)."""
    merged: dict[str, FieldValue] = {}
    for name in sorted(set(base) | set(source) | set(source_snapshot) | set(target) | set(target_snapshot)):
        untouched = source.get(name) == source_snapshot.get(name) and target.get(name) == target_snapshot.get(name)
        value = base.get(name) if untouched else source.get(name)
        if value is not None:
            merged[name] = value
    return MappingProxyType(merged)
