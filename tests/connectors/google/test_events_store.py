"""The Google Calendar events store on the live sandbox: window, privacy, series, selection, attendees, batching."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from app.connectors.selection import SelectionMethod
from app.sandbox.faults import FaultSpec
from app.sync.items import Item, normalise_fields
from app.sync.stores import Create, FailureKind, OutOfScope, Removal, Update, WriteFailure, Written
from tests.connectors.google.calendar_hands import CalendarHands, outside, timed_sample
from tests.sandbox.conftest import LiveSandbox, live_sandbox  # noqa: F401

EVENTS = "/www.googleapis.com/calendar/v3/calendars/primary/events"


@pytest.fixture
def cal(live_sandbox: LiveSandbox) -> Iterator[CalendarHands]:  # noqa: F811
    """Priya with an empty calendar."""
    live_sandbox.reset("empty")
    hands = CalendarHands(live_sandbox)
    yield hands
    hands.close()


def test_only_events_overlapping_the_window_are_listed_and_leaving_it_is_not_deletion(cal: CalendarHands) -> None:
    window = cal.window()
    inside = cal.add_event(timed_sample(window, 1))
    later = cal.add_event(outside(timed_sample(window, 2)))
    store = cal.event_store(window=window)

    first = store.list_changes(None)
    assert set(first.entries) == {inside}
    assert isinstance(store.get_many([later])[later], OutOfScope)

    cal.shift_event(inside, 400)
    cal.shift_event(later, -400)
    listing = store.list_changes(first.cursor)

    assert not listing.complete
    assert listing.removed == {inside: Removal.LEFT_SCOPE}
    assert set(listing.entries) == {later}


def test_a_moved_window_gives_a_complete_listing(cal: CalendarHands) -> None:
    window = cal.window()
    cal.add_event(timed_sample(window, 1))
    first = cal.event_store(window=window).list_changes(None)

    moved = cal.window(past_days=6, future_days=31)
    listing = cal.event_store(window=moved).list_changes(first.cursor)

    assert listing.complete and len(listing.entries) == 1


def test_private_events_are_in_scope_only_when_included_and_carry_the_flag(cal: CalendarHands) -> None:
    window = cal.window()
    secret = cal.add_event(timed_sample(window, 1, private="true"))

    assert secret not in cal.event_store(window=window).list_changes(None).entries
    store = cal.event_store(window=window, include_private=True)
    assert secret in store.list_changes(None).entries
    item = store.get_many([secret])[secret]
    assert isinstance(item, Item) and item.fields["private"] == "true"


def test_occurrences_are_items_only_with_series_included(cal: CalendarHands) -> None:
    window = cal.window()
    series = cal.add_series(window.start + timedelta(days=1, hours=8), count=3)
    occurrences = {event["id"] for event in cal.instances(series)}

    assert cal.event_store(window=window).list_changes(None).entries == {}
    store = cal.event_store(window=window, include_series=True)
    first = store.list_changes(None)
    assert set(first.entries) == occurrences

    one = sorted(occurrences)[0]
    item = store.get_many([one])[one]
    assert isinstance(item, Item)
    (answer,) = store.update_many([Update(one, item.etag, normalise_fields({**item.fields, "location": "Moved"}))])
    assert isinstance(answer, Written)
    listing = store.list_changes(first.cursor)
    assert set(listing.entries) == {one}


def test_selection_marks_decide_scope_and_manual_creates_are_marked(cal: CalendarHands) -> None:
    window = cal.window()
    plain = cal.add_event(timed_sample(window, 1))
    chosen = cal.add_event(timed_sample(window, 2), mark="sync")
    refused = cal.add_event(timed_sample(window, 3), mark="dont_sync")

    assert set(cal.event_store(window=window).list_changes(None).entries) == {plain, chosen}
    manual = cal.event_store(window=window, selection=SelectionMethod.MANUAL)
    assert set(manual.list_changes(None).entries) == {chosen}
    assert refused not in manual.list_changes(None).entries

    (made,) = manual.create_many([Create(normalise_fields(timed_sample(window, 4)), "crmbridge:salesforce:e4")])
    assert isinstance(made, Written)
    assert cal.get_event(made.id)["extendedProperties"]["private"]["crmbridgeSelection"] == "sync"


def test_attendees_are_read_but_never_written(cal: CalendarHands) -> None:
    window = cal.window()
    store = cal.event_store(window=window)
    invited = cal.add_event(timed_sample(window, 1, attendees=("Ada@Example.com",)))
    item = store.get_many([invited])[invited]
    assert isinstance(item, Item) and item.fields["attendees"] == ("ada@example.com",)

    sent = normalise_fields(timed_sample(window, 2, attendees=("bob@example.com",)))
    (made,) = store.create_many([Create(sent, "crmbridge:salesforce:e2")])

    assert isinstance(made, Written)
    assert "attendees" not in cal.get_event(made.id)
    assert made.stored == normalise_fields(timed_sample(window, 2))


def test_a_repeated_create_is_answered_with_the_event_already_made(cal: CalendarHands) -> None:
    window = cal.window()
    store = cal.event_store(window=window)
    create = Create(normalise_fields(timed_sample(window, 1)), "crmbridge:salesforce:again")

    (first,) = store.create_many([create])
    (second,) = store.create_many([create])

    assert isinstance(first, Written) and isinstance(second, Written)
    assert first.id == second.id
    assert len(store.list_changes(None).entries) == 1


def test_an_expired_sync_token_gives_a_complete_listing(cal: CalendarHands) -> None:
    window = cal.window()
    cal.add_event(timed_sample(window, 1))
    store = cal.event_store(window=window)
    first = store.list_changes(None)

    cal.expire_sync_tokens()

    assert store.list_changes(first.cursor).complete


def test_a_quiet_listing_is_one_call_and_100_creates_are_two_batches(cal: CalendarHands) -> None:
    window = cal.window()
    store = cal.event_store(window=window)
    first = store.list_changes(None)
    before = cal.calls()
    store.list_changes(first.cursor)
    assert cal.calls() - before == 1

    mark = cal.last_call_id()
    creates = [
        Create(normalise_fields(timed_sample(window, n % 20, subject=f"Call {n}")), f"crmbridge:salesforce:m{n}")
        for n in range(100)
    ]
    results = store.create_many(creates)

    assert all(isinstance(r, Written) for r in results)
    paths = cal.call_paths(mark)
    assert len([p for p in paths if p.startswith("POST") and p.endswith("/events")]) == 100
    assert len([p for p in paths if "batch" in p]) <= 2


def test_a_refused_event_among_many_fails_alone_and_a_stale_etag_is_a_precondition(cal: CalendarHands) -> None:
    window = cal.window()
    store = cal.event_store(window=window)
    good = normalise_fields(timed_sample(window, 1))
    bad = normalise_fields(timed_sample(window, 2, end=timed_sample(window, 1)["start"]))

    results = store.create_many([Create(good, "crmbridge:salesforce:g"), Create(bad, "crmbridge:salesforce:b")])

    assert isinstance(results[0], Written)
    assert isinstance(results[1], WriteFailure) and results[1].kind is FailureKind.INVALID
    assert "time range" in results[1].message.lower()

    cal.edit_event(results[0].id, {"location": "Elsewhere"})
    (stale,) = store.update_many([Update(results[0].id, results[0].etag, good)])
    assert isinstance(stale, WriteFailure) and stale.kind is FailureKind.PRECONDITION


def test_an_update_keeps_a_public_or_confidential_visibility_and_changes_privacy_when_asked(
    cal: CalendarHands,
) -> None:
    window = cal.window()
    public = cal.add_event(timed_sample(window, 1), visibility="public")
    confidential = cal.add_event(timed_sample(window, 2), visibility="confidential")
    store = cal.event_store(window=window, include_private=True)
    listing = store.list_changes(None)

    answers = store.update_many(
        [
            Update(public, listing.entries[public], normalise_fields(timed_sample(window, 1, location="Moved"))),
            Update(
                confidential,
                listing.entries[confidential],
                normalise_fields(timed_sample(window, 2, location="Moved", private="true")),
            ),
        ]
    )

    assert all(isinstance(answer, Written) for answer in answers)
    assert cal.get_event(public)["visibility"] == "public"
    assert cal.get_event(confidential)["visibility"] == "confidential"
    assert cal.get_event(public)["location"] == "Moved"

    # An update not preceded by a read in this pass reads the event first; making it private is written.
    fresh = cal.event_store(window=window, include_private=True)
    (made_private,) = fresh.update_many(
        [Update(public, cal.get_event(public)["etag"], normalise_fields(timed_sample(window, 1, private="true")))]
    )
    assert isinstance(made_private, Written)
    assert cal.get_event(public)["visibility"] == "private"


def test_a_repeated_create_whose_read_fails_is_transient_not_refused(cal: CalendarHands) -> None:
    window = cal.window()
    store = cal.event_store(window=window)
    create = Create(normalise_fields(timed_sample(window, 1)), "crmbridge:salesforce:again")
    (first,) = store.create_many([create])
    assert isinstance(first, Written)
    cal.sandbox.state.faults.add(
        FaultSpec(provider="google", method="GET", path=f"{EVENTS}/{first.id}", status=503)  # every read of it
    )

    (second,) = store.create_many([create])

    assert isinstance(second, WriteFailure) and second.kind is FailureKind.TRANSIENT
    assert "did not create" not in second.message
