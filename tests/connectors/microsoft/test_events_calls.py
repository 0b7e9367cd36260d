"""The Graph event store's API calls, counted from the sandbox call log; cursor expiry; per-item failures."""

from __future__ import annotations

from datetime import timedelta

from app.connectors.event_fields import utc_text
from app.sandbox.microsoft.seed import add_event
from app.sync.items import normalise_fields
from app.sync.stores import Create, Delete, FailureKind, Item, Update, WriteFailure, Written
from tests.connectors.microsoft.calendar_hands import CalendarUser, alex  # noqa: F401 (fixture)


def written(results: object) -> list[Written]:
    assert isinstance(results, list | tuple)
    assert all(isinstance(r, Written) for r in results), [r for r in results if not isinstance(r, Written)][:3]
    return list(results)


def seed_calendar(user: CalendarUser, count: int) -> None:
    """``count`` events in the window, put straight into the sandbox (no API call)."""
    mailbox = user.outlook.mailbox
    now = user.sandbox.state.clock.now()
    for n in range(count):
        add_event(mailbox, f"Seeded {n}", user.at(n % 25, 8 + n % 10), timedelta(minutes=30), now)


def test_listing_250_events_then_writing_100_costs_the_floor(alex: CalendarUser) -> None:  # noqa: F811
    seed_calendar(alex, 250)
    store = alex.store()

    before = alex.calls()
    first = store.list_changes(None)
    assert alex.calls() - before == 2  # two delta pages of 200 (the owner's address rides in the first)
    assert first.complete and len(first.entries) == 250

    before = alex.calls()
    found = store.get_many(sorted(first.entries))
    assert alex.calls() - before == 13  # 250 events read in full, 20 per batch
    assert all(isinstance(item, Item) for item in found.values())

    before = alex.calls()
    quiet = store.list_changes(first.cursor)
    assert alex.calls() - before == 1
    assert dict(quiet.entries) == {} and dict(quiet.removed) == {}

    before = alex.calls()
    creates = [Create(normalise_fields(alex.timed(n % 25, 20, subject=f"New {n}")), f"m:{n}") for n in range(100)]
    created = written(store.create_many(creates))
    assert alex.calls() - before == 5  # 100 POSTs, 20 per batch

    before = alex.calls()
    echoes = store.list_changes(quiet.cursor)
    assert alex.calls() - before == 1
    assert dict(echoes.entries) == {r.id: r.etag for r in created}

    before = alex.calls()
    updates = [
        Update(r.id, r.etag, normalise_fields(alex.timed(n % 25, 20, subject=f"New {n}", location="Here")))
        for n, r in enumerate(created)
    ]
    written(store.update_many(updates))
    assert alex.calls() - before == 5

    before = alex.calls()
    written(store.delete_many([Delete(r.id, "") for r in created]))
    assert alex.calls() - before == 5
    assert (
        alex.outlook.mailbox.items and sum(1 for i in alex.outlook.mailbox.items.values() if i.kind == "event") == 250
    )


def test_an_expired_cursor_gives_a_complete_listing(alex: CalendarUser) -> None:  # noqa: F811
    ids = {alex.add(alex.timed(1, subject="One")), alex.add(alex.timed(2, subject="Two"))}
    store = alex.store()
    first = store.list_changes(None)

    for code in ("syncStateNotFound", "resyncRequired"):
        alex.expire_delta_tokens(code)
        before = alex.calls()
        listing = store.list_changes(first.cursor)
        assert listing.complete and set(listing.entries) == ids
        assert alex.calls() - before == 2  # the refused delta link, then one page of a fresh round


def test_a_repeated_create_with_the_same_marker_gives_the_first_event(alex: CalendarUser) -> None:  # noqa: F811
    store = alex.store()
    fields = normalise_fields(alex.timed(3, subject="Once"))

    (first,) = written(store.create_many([Create(fields, "m:once")]))
    (again,) = written(store.create_many([Create(fields, "m:once")]))

    assert again.id == first.id and again.stored is None
    assert sum(1 for i in alex.outlook.mailbox.items.values() if i.kind == "event") == 1
    marked = store.find_by_markers(["m:once", "m:never"])
    assert set(marked) == {"m:once"} and marked["m:once"].item.id == first.id and marked["m:once"].in_scope


def test_a_rejected_event_among_many_fails_alone_with_a_readable_reason(alex: CalendarUser) -> None:  # noqa: F811
    store = alex.store()
    good = [normalise_fields(alex.timed(n + 1, subject=f"Good {n}")) for n in range(4)]
    start = alex.at(6, 10)
    backwards = normalise_fields(
        {"subject": "Backwards", "start": utc_text(start), "end": utc_text(start - timedelta(hours=1))}
    )
    startless = normalise_fields({"subject": "No start"})

    results = store.create_many(
        [Create(f, f"m:{n}") for n, f in enumerate([good[0], good[1], backwards, good[2], startless, good[3]])]
    )

    assert [type(r) for r in results] == [Written, Written, WriteFailure, Written, WriteFailure, Written]
    refused, impossible = results[2], results[4]
    assert isinstance(refused, WriteFailure) and refused.kind is FailureKind.INVALID
    assert "end of an event cannot be before its start" in refused.message
    assert isinstance(impossible, WriteFailure) and impossible.kind is FailureKind.INVALID
    assert "no start" in impossible.message
    assert sum(1 for i in alex.outlook.mailbox.items.values() if i.kind == "event") == 4


def test_a_stale_etag_fails_alone_and_an_event_deleted_twice_is_success(alex: CalendarUser) -> None:  # noqa: F811
    first, second = alex.add(alex.timed(1, subject="First")), alex.add(alex.timed(2, subject="Second"))
    store = alex.store()
    listing = store.list_changes(None)
    alex.edit(first, {"location": "Changed by the user"})

    results = store.update_many(
        [
            Update(i, listing.entries[i], normalise_fields(alex.timed(n + 1, subject="Ours", location="Ours")))
            for n, i in enumerate([first, second])
        ]
    )

    assert isinstance(results[0], WriteFailure) and results[0].kind is FailureKind.PRECONDITION
    assert "changed in Outlook" in results[0].message
    assert isinstance(results[1], Written)
    assert alex.get(first).json()["location"]["displayName"] == "Changed by the user"
    written(store.delete_many([Delete(second, "")]))
    written(store.delete_many([Delete(second, "")]))
