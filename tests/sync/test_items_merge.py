"""Normalisation, the projection hash and the three-way merge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.sync.config import ConflictPolicy, Side
from app.sync.items import Item, normalise_fields, projection_hash
from app.sync.merge import merge_sets, three_way_merge
from app.sync.plan import marker_for, marker_source


def test_normalisation_makes_formatting_irrelevant() -> None:
    left = normalise_fields({"name": "  Ada   Lovelace ", "emails": ["b@x.org", "a@x.org", "a@x.org", ""], "title": ""})
    right = normalise_fields({"name": "Ada Lovelace", "emails": ("a@x.org", "b@x.org")})
    assert dict(left) == {"name": "Ada Lovelace", "emails": ("a@x.org", "b@x.org")}
    assert projection_hash(left) == projection_hash(right)


def test_hash_changes_with_content() -> None:
    assert projection_hash(normalise_fields({"name": "Ada"})) != projection_hash(normalise_fields({"name": "Ida"}))


def test_item_normalises_and_needs_aware_datetimes() -> None:
    item = Item("1", "e", {"name": " Ada "})
    assert item.fields["name"] == "Ada"
    with pytest.raises(ValueError, match="timezone-aware"):
        Item("1", "e", {}, modified_at=datetime(2026, 1, 1))  # noqa: DTZ001 (the point of the test)


def test_marker_round_trip() -> None:
    assert marker_source(marker_for(Side.SALESFORCE, "003X")) == (Side.SALESFORCE, "003X")
    assert marker_source("somebody-else") is None
    assert marker_source(None) is None


def test_merge_takes_each_sides_change() -> None:
    merged, conflicts = three_way_merge(
        {"a": "1", "b": "1"},
        {"a": "2", "b": "1"},
        {"a": "1", "b": "3"},
        multi_valued=frozenset(),
        policy=ConflictPolicy.SALESFORCE_WINS,
    )
    assert dict(merged) == {"a": "2", "b": "3"}
    assert conflicts == ()


@pytest.mark.parametrize(
    ("policy", "expected", "winner"),
    [
        (ConflictPolicy.SALESFORCE_WINS, "sf", Side.SALESFORCE),
        (ConflictPolicy.MAILBOX_WINS, "mb", Side.MAILBOX),
        (ConflictPolicy.NEWEST_WINS, "mb", Side.MAILBOX),
    ],
)
def test_conflict_follows_policy(policy: ConflictPolicy, expected: str, winner: Side) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    merged, conflicts = three_way_merge(
        {"a": "base"},
        {"a": "mb"},
        {"a": "sf"},
        multi_valued=frozenset(),
        policy=policy,
        mailbox_modified=now,
        salesforce_modified=now - timedelta(minutes=1),
    )
    assert merged["a"] == expected
    assert [(c.field, c.winner, c.mailbox_value, c.salesforce_value) for c in conflicts] == [("a", winner, "mb", "sf")]


def test_removal_on_one_side_and_clearing_a_field() -> None:
    merged, conflicts = three_way_merge(
        {"a": "x", "b": "y"},
        {"b": "y"},
        {"a": "x", "b": "y"},
        multi_valued=frozenset(),
        policy=ConflictPolicy.NEWEST_WINS,
    )
    assert dict(merged) == {"b": "y"}
    assert conflicts == ()


def test_set_merge_keeps_additions_and_removals() -> None:
    assert merge_sets(("1", "2"), ("1", "2", "3"), ("2", "4")) == ("2", "3", "4")
    assert merge_sets(None, ("1",), ("2",)) == ("1", "2")
    assert merge_sets(("1",), None, ("1",)) is None
