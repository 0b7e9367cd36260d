"""The item-store contract: what the sync engine relies on, checked on every store (DESIGN principle 9)."""

from __future__ import annotations

from app.sync.items import normalise_fields
from app.sync.stores import (
    Create,
    Delete,
    FailureKind,
    Gone,
    Item,
    OutOfScope,
    Removal,
    Update,
    WriteFailure,
    Written,
)
from tests.contract.harness import StoreHarness


def created(harness: StoreHarness, *batch: dict[str, object]) -> list[Written]:
    markers = [f"crmbridge:salesforce:contract{i}" for i in range(len(batch))]
    results = harness.store.create_many([Create(normalise_fields(f), m) for f, m in zip(batch, markers, strict=True)])
    assert all(isinstance(r, Written) for r in results), results
    return [r for r in results if isinstance(r, Written)]


def test_a_full_listing_holds_exactly_the_items_in_scope(harness: StoreHarness) -> None:
    inside = {harness.add(harness.sample(1)), harness.add(harness.sample(2))}
    outside = harness.add_outside(harness.sample(3))

    listing = harness.store.list_changes(None)

    assert listing.complete
    assert set(listing.entries) == inside
    assert outside not in listing.entries
    assert listing.cursor is not None


def test_get_many_answers_every_id_with_the_item_or_why_there_is_none(harness: StoreHarness) -> None:
    kept = harness.add(harness.sample(1))
    outside = harness.add_outside(harness.sample(2))
    removed = harness.add(harness.sample(3))
    harness.remove(removed)

    found = harness.store.get_many([kept, outside, removed])

    assert set(found) == {kept, outside, removed}
    item = found[kept]
    assert isinstance(item, Item)
    assert item.fields == normalise_fields(harness.sample(1))
    assert isinstance(found[outside], OutOfScope)
    assert isinstance(found[removed], Gone)


def test_an_incremental_listing_holds_only_what_changed(harness: StoreHarness) -> None:
    edited, untouched = harness.add(harness.sample(1)), harness.add(harness.sample(2))
    first = harness.store.list_changes(None)

    harness.edit(edited, {harness.edit_field: "Chief Engineer"})
    listing = harness.store.list_changes(first.cursor)

    assert not listing.complete
    assert edited in listing.entries
    assert listing.entries[edited] != first.entries[edited]
    assert untouched not in listing.entries
    item = harness.store.get_many([edited])[edited]
    assert isinstance(item, Item)
    assert item.fields[harness.edit_field] == "Chief Engineer"


def test_deletions_and_departures_are_reported_and_told_apart_by_get_many(harness: StoreHarness) -> None:
    deleted, departed = harness.add(harness.sample(1)), harness.add(harness.sample(2))
    first = harness.store.list_changes(None)

    harness.remove(deleted)
    harness.leave_scope(departed)
    listing = harness.store.list_changes(first.cursor)

    assert deleted not in listing.entries and departed not in listing.entries
    assert listing.removed.get(deleted) in (Removal.DELETED, Removal.UNKNOWN, None)
    assert listing.removed.get(departed) in (Removal.LEFT_SCOPE, Removal.UNKNOWN, None)
    if not listing.complete:
        assert deleted in listing.removed and departed in listing.removed
    found = harness.store.get_many([deleted, departed])
    assert isinstance(found[deleted], Gone)
    assert isinstance(found[departed], OutOfScope)


def test_a_listing_with_no_change_is_one_call(harness: StoreHarness) -> None:
    harness.add(harness.sample(1))
    first = harness.store.list_changes(None)
    before = harness.calls()

    listing = harness.store.list_changes(first.cursor)

    assert harness.calls() - before == 1
    assert dict(listing.entries) == {} or listing.complete


def test_an_expired_cursor_gives_a_complete_listing(harness: StoreHarness) -> None:
    ids = {harness.add(harness.sample(1)), harness.add(harness.sample(2))}
    first = harness.store.list_changes(None)

    harness.expire_cursor()
    listing = harness.store.list_changes(first.cursor)

    assert listing.complete
    assert set(listing.entries) == ids


def test_creates_answer_in_order_carry_their_marker_and_are_found_by_it(harness: StoreHarness) -> None:
    batch = [harness.sample(1), harness.sample(2), harness.sample(3)]
    results = created(harness, *batch)

    assert len({r.id for r in results}) == 3
    found = harness.store.get_many([r.id for r in results])
    for index, (fields, result) in enumerate(zip(batch, results, strict=True)):
        item = found[result.id]
        assert isinstance(item, Item)
        expected = result.stored if result.stored is not None else normalise_fields(fields)
        assert item.fields == expected
        assert item.marker == f"crmbridge:salesforce:contract{index}"
        if result.etag:
            assert item.etag == result.etag
    markers = harness.store.find_by_markers(["crmbridge:salesforce:contract1", "crmbridge:mailbox:nothing"])
    assert set(markers) == {"crmbridge:salesforce:contract1"}
    assert markers["crmbridge:salesforce:contract1"].item.id == results[1].id
    assert markers["crmbridge:salesforce:contract1"].in_scope


def test_our_own_create_comes_back_with_the_etag_or_the_fields_we_recorded(harness: StoreHarness) -> None:
    first = harness.store.list_changes(None)
    (result,) = created(harness, harness.sample(1))

    listing = harness.store.list_changes(first.cursor)

    if result.id in listing.entries:
        item = harness.store.get_many([result.id])[result.id]
        assert isinstance(item, Item)
        if result.etag:
            assert listing.entries[result.id] == result.etag
        else:
            expected = result.stored if result.stored is not None else normalise_fields(harness.sample(1))
            assert item.fields == expected


def test_updates_apply_under_the_current_etag_and_refuse_a_stale_one(harness: StoreHarness) -> None:
    (result,) = created(harness, harness.sample(1))
    item = harness.store.get_many([result.id])[result.id]
    assert isinstance(item, Item)

    renamed = normalise_fields(harness.sample(1, **{harness.edit_field: "CTO"}))
    (answer,) = harness.store.update_many([Update(item.id, item.etag, renamed)])
    assert isinstance(answer, Written), answer
    after = harness.store.get_many([item.id])[item.id]
    assert isinstance(after, Item)
    assert after.fields[harness.edit_field] == "CTO"
    if answer.etag:
        assert after.etag == answer.etag

    if harness.supports_preconditions:
        late = normalise_fields(harness.sample(1, **{harness.edit_field: "CFO"}))
        (stale,) = harness.store.update_many([Update(item.id, item.etag, late)])
        assert isinstance(stale, WriteFailure) and stale.kind is FailureKind.PRECONDITION
        unchanged = harness.store.get_many([item.id])[item.id]
        assert isinstance(unchanged, Item) and unchanged.fields[harness.edit_field] == "CTO"


def test_an_update_clears_a_field_left_out(harness: StoreHarness) -> None:
    (result,) = created(harness, harness.sample(1))
    item = harness.store.get_many([result.id])[result.id]
    assert isinstance(item, Item)
    cleared = {name: value for name, value in harness.sample(1).items() if name != harness.edit_field}

    (answer,) = harness.store.update_many([Update(item.id, item.etag, normalise_fields(cleared))])

    assert isinstance(answer, Written), answer
    after = harness.store.get_many([item.id])[item.id]
    assert isinstance(after, Item)
    assert harness.edit_field not in after.fields


def test_deletes_remove_and_a_second_delete_is_not_found_or_success(harness: StoreHarness) -> None:
    (result,) = created(harness, harness.sample(1))
    item = harness.store.get_many([result.id])[result.id]
    assert isinstance(item, Item)

    (answer,) = harness.store.delete_many([Delete(item.id, item.etag)])
    assert isinstance(answer, Written), answer
    assert isinstance(harness.store.get_many([item.id])[item.id], Gone)

    (again,) = harness.store.delete_many([Delete(item.id, item.etag)])
    assert isinstance(again, Written) or again.kind is FailureKind.NOT_FOUND
