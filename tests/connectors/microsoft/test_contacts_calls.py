"""The Graph contact store's API calls, counted from the sandbox call log; throttling inside ``$batch``; tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.connectors.access_token import StaticAccessToken
from app.sync.items import normalise_fields
from app.sync.stores import Create, Delete, FailureKind, Item, Removal, StoreError, Update, WriteFailure, Written
from tests.connectors.microsoft.hands import OutlookUser, SandboxToken, person


def written(results: object) -> list[Written]:
    assert isinstance(results, list | tuple)
    assert all(isinstance(r, Written) for r in results), [r for r in results if not isinstance(r, Written)][:3]
    return list(results)


def test_listing_1000_contacts_then_writing_100_costs_the_floor(outlook: OutlookUser) -> None:
    outlook.seed_folder(1000)
    store = outlook.store()

    before = outlook.calls()
    first = store.list_changes(None)
    # 1 setup batch (folder by name, master categories, Deleted Items) + 5 batches each carrying a delta page (200)
    # and, in the first, the whole folder listing (1,000 with extended properties) and the category creation.
    assert outlook.calls() - before == 6
    assert first.complete and len(first.entries) == 1000

    before = outlook.calls()
    quiet = store.list_changes(first.cursor)
    assert outlook.calls() - before == 1
    assert dict(quiet.entries) == {}

    before = outlook.calls()
    creates = [Create(normalise_fields(person(2000 + n)), f"crmbridge:salesforce:c{n}") for n in range(100)]
    created = written(store.create_many(creates))
    assert outlook.calls() - before == 5  # 100 POSTs, 20 per batch

    before = outlook.calls()
    echoes = store.list_changes(quiet.cursor)
    assert outlook.calls() - before == 1  # the delta page and the "modified since" page ride in one batch
    assert dict(echoes.entries) == {r.id: r.etag for r in created}
    found = store.get_many([r.id for r in created])
    assert outlook.calls() - before == 1  # served from the listing
    assert all(
        isinstance(found[r.id], Item) and found[r.id].marker == f"crmbridge:salesforce:c{n}"
        for n, r in enumerate(created)
    )

    before = outlook.calls()
    updates = [
        Update(r.id, r.etag, normalise_fields({**person(2000 + n), "title": "Engineer"})) for n, r in enumerate(created)
    ]
    updated = written(store.update_many(updates))
    assert outlook.calls() - before == 5

    before = outlook.calls()
    written(store.delete_many([Delete(r.id, r.etag) for r in updated]))
    assert outlook.calls() - before == 5

    before = outlook.calls()
    gone = store.list_changes(echoes.cursor)
    assert outlook.calls() - before == 1
    assert dict(gone.entries) == {}
    assert gone.removed == {r.id: Removal.UNKNOWN for r in created}
    assert len(outlook.contacts_in(None)) == 1000


def test_a_429_inside_a_batch_resends_only_the_throttled_requests_after_retry_after(outlook: OutlookUser) -> None:
    store = outlook.store()
    store.list_changes(None)
    outlook.settings(throttle={"requests_per_window": 5, "window_seconds": 20})
    outlook.sandbox.state.clock.advance(timedelta(seconds=21))  # the listing's requests leave the window

    before = outlook.calls()
    results = written(store.create_many([Create(normalise_fields(person(n)), f"m{n}") for n in range(12)]))

    # 5 admitted, 7 throttled for 20 s; then 5 of those, then the last 2: three batches, two waits of Retry-After.
    assert outlook.recorder.waits == [20.0, 20.0]
    assert outlook.calls() - before == 3
    assert outlook.stored_contacts() == 12 and len({r.id for r in results}) == 12


def test_a_429_without_retry_after_backs_off_with_jitter_and_gives_up_after_the_cap(outlook: OutlookUser) -> None:
    store = outlook.store(max_attempts=3)
    store.list_changes(None)
    outlook.settings(throttle={"requests_per_window": 4, "window_seconds": 600, "send_retry_after": False})
    outlook.sandbox.state.clock.advance(timedelta(seconds=601))

    results = store.create_many([Create(normalise_fields(person(n)), f"m{n}") for n in range(6)])

    # base 0.5 s doubling, half of it jittered (the recorder's jitter is 0.5): 0.375 s, then 0.75 s; 3 attempts in all.
    assert outlook.recorder.waits == [0.375, 0.75]
    assert [type(r) for r in results] == [Written] * 4 + [WriteFailure] * 2
    assert all(r.kind is FailureKind.THROTTLED for r in results if isinstance(r, WriteFailure))
    assert outlook.stored_contacts() == 4


def test_a_throttled_poll_is_completed_request_by_request(outlook: OutlookUser) -> None:
    outlook.seed_folder(30)
    store = outlook.store()
    first = store.list_changes(None)
    changed = next(iter(first.entries))
    outlook.edit(changed, {"title": "Engineer"})
    outlook.settings(throttle={"requests_per_window": 1, "window_seconds": 10})
    outlook.sandbox.state.clock.advance(timedelta(seconds=11))

    before = outlook.calls()
    listing = store.list_changes(first.cursor)

    # The poll's delta, "modified since" and folder requests get through one per window: three batches, each
    # resending only what was throttled.
    assert outlook.recorder.waits == [10.0, 10.0]
    assert outlook.calls() - before == 3
    assert set(listing.entries) == {changed} and not listing.complete
    item = store.get_many([changed])[changed]
    assert isinstance(item, Item) and item.fields["title"] == "Engineer"
    assert outlook.calls() - before == 3


def test_stale_and_missing_items_fail_in_their_slots(outlook: OutlookUser) -> None:
    store = outlook.store()
    a, b = written(store.create_many([Create(normalise_fields(person(n)), f"m{n}") for n in range(2)]))
    outlook.edit(a.id, {"title": "Astronaut"})
    outlook.remove(b.id)

    stale, missing = store.update_many(
        [Update(a.id, a.etag, normalise_fields(person(0))), Update(b.id, b.etag, normalise_fields(person(1)))]
    )
    assert isinstance(stale, WriteFailure) and stale.kind is FailureKind.PRECONDITION
    assert isinstance(missing, WriteFailure) and missing.kind is FailureKind.NOT_FOUND
    still, gone = store.delete_many([Delete(a.id, a.etag), Delete(b.id, b.etag)])
    assert isinstance(still, WriteFailure) and still.kind is FailureKind.PRECONDITION
    assert isinstance(gone, WriteFailure) and gone.kind is FailureKind.NOT_FOUND
    assert outlook.get(a.id).json()["jobTitle"] == "Astronaut"


def test_a_refused_request_fails_its_slot_with_graphs_message(outlook: OutlookUser) -> None:
    store = outlook.store()
    (kept,) = written(store.create_many([Create(normalise_fields(person(1)), "m1")]))

    malformed, fine = store.delete_many([Delete("not-an-outlook-id", ""), Delete(kept.id, kept.etag)])

    assert isinstance(malformed, WriteFailure) and malformed.kind is FailureKind.INVALID
    assert malformed.message == "Id is malformed."
    assert isinstance(fine, Written)


def test_a_401_refreshes_the_token_once_and_a_revoked_grant_fails_the_call(outlook: OutlookUser) -> None:
    token = SandboxToken(outlook.sandbox, outlook.email)
    token.token = "expired-token"
    store = outlook.store(token=token)
    assert store.list_changes(None).complete
    assert token.refreshes == 1

    revoked = outlook.store(token=StaticAccessToken("expired-token", vendor="microsoft"))
    with pytest.raises(StoreError):
        revoked.list_changes(None)


def test_updates_of_contacts_this_store_has_not_read_read_them_side_by_side_first(outlook: OutlookUser) -> None:
    outlook.seed_folder(1200)
    for item in outlook.mailbox.items.values():
        item.props["emailAddresses"].append({"name": "home", "address": f"home.{item.props['givenName']}@x.example"})
    first = outlook.store().list_changes(None)
    targets = sorted(first.entries)[:60]
    store = outlook.store()  # a fresh store in a pass where only Salesforce changed: it has read no contact
    store.list_changes(first.cursor)

    before = outlook.calls()
    updates = [
        Update(i, first.entries[i], normalise_fields({"first_name": "Dorothy", "email": f"{n}@x.example"}))
        for n, i in enumerate(targets)
    ]
    updated = written(store.update_many(updates))

    # one batch reads the folder's 1,200 contacts (1,000-contact pages side by side), three batches write
    assert outlook.calls() - before == 4
    contact = outlook.get(updated[7].id).json()
    assert contact["givenName"] == "Dorothy"
    assert contact["emailAddresses"][0]["address"] == "7@x.example"
    assert contact["emailAddresses"][1]["address"].startswith("home.Katherine")

    before = outlook.calls()
    few = outlook.store()
    few.list_changes(first.cursor)  # brings the 60 contacts just updated, not this one
    other = sorted(first.entries)[100]
    written(few.update_many([Update(other, first.entries[other], normalise_fields({"first_name": "Mary"}))]))
    assert outlook.calls() - before == 1 + 2  # the pass's poll; then read by id and written
