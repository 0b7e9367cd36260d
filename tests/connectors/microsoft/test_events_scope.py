"""The Graph event store's scope on the live sandbox: window, private events, series, selection, attendees."""

from __future__ import annotations

from datetime import timedelta

from app.connectors.event_fields import EventWindow, utc_text
from app.connectors.microsoft.client import GraphClient
from app.connectors.microsoft.events_store import GraphEventStore
from app.connectors.selection import DONT_SYNC_CATEGORY, SYNC_CATEGORY, SelectionMethod
from app.sandbox.microsoft.seed import SERIES_SUBJECT
from app.sync.items import normalise_fields
from app.sync.stores import Create, Delete, Gone, Item, OutOfScope, Removal, Update, Written
from tests.connectors.microsoft.calendar_hands import CalendarUser, alex  # noqa: F401 (fixture)
from tests.connectors.microsoft.hands import ALEX, SandboxToken
from tests.sandbox.conftest import LiveSandbox


def test_only_events_overlapping_the_window_are_listed(alex: CalendarUser) -> None:  # noqa: F811
    inside = alex.add(alex.timed(3, subject="Inside"))
    straddling_start = alex.window.start - timedelta(hours=1)
    straddling = alex.add(
        {
            "subject": "Across the start",
            "start": utc_text(straddling_start),
            "end": utc_text(alex.window.start + timedelta(hours=1)),
        }
    )
    before = alex.window.start - timedelta(days=3)
    earlier = alex.add({"subject": "Before", "start": utc_text(before), "end": utc_text(before + timedelta(hours=1))})
    store = alex.store()

    listing = store.list_changes(None)

    assert set(listing.entries) == {inside, straddling}
    assert isinstance(store.get_many([earlier])[earlier], OutOfScope)


def test_an_event_moved_out_of_the_window_is_an_unknown_removal_then_out_of_scope(alex: CalendarUser) -> None:  # noqa: F811
    moved, deleted = alex.add(alex.timed(2, subject="Moved")), alex.add(alex.timed(4, subject="Deleted"))
    store = alex.store()
    first = store.list_changes(None)

    alex.move_outside(moved)
    alex.remove(deleted)
    listing = store.list_changes(first.cursor)

    assert listing.removed == {moved: Removal.UNKNOWN, deleted: Removal.UNKNOWN}
    found = store.get_many([moved, deleted])
    assert isinstance(found[moved], OutOfScope) and isinstance(found[deleted], Gone)


def test_another_window_gives_a_complete_listing_of_the_new_window(alex: CalendarUser) -> None:  # noqa: F811
    early, late = alex.add(alex.timed(1, subject="Early")), alex.add(alex.timed(30, subject="Late"))
    first = alex.store().list_changes(None)
    assert set(first.entries) == {early, late}
    later = EventWindow(alex.window.start + timedelta(days=10), alex.window.end + timedelta(days=10))

    listing = alex.store(window=later).list_changes(first.cursor)

    assert listing.complete and set(listing.entries) == {late}


def test_private_events_are_out_of_scope_unless_included_and_then_flagged(alex: CalendarUser) -> None:  # noqa: F811
    private = alex.add(alex.timed(2, subject="Doctor"), sensitivity="private")
    public = alex.add(alex.timed(3, subject="Standup"))

    assert set(alex.store().list_changes(None).entries) == {public}
    assert isinstance(alex.store().get_many([private])[private], OutOfScope)
    store = alex.store(include_private=True)
    assert set(store.list_changes(None).entries) == {private, public}
    item = store.get_many([private])[private]
    assert isinstance(item, Item) and item.fields["private"] == "true"

    (made,) = store.create_many([Create(normalise_fields(alex.timed(5, subject="Secret", private="true")), "m:1")])
    assert isinstance(made, Written) and made.stored is None
    assert alex.get(made.id).json()["sensitivity"] == "private"


def test_a_fresh_store_keeps_personal_and_confidential_events_as_they_are(alex: CalendarUser) -> None:  # noqa: F811
    # Only Salesforce changed: the engine updates events this store has not read in this pass.
    personal = alex.add(alex.timed(1, subject="Dentist"), sensitivity="personal")
    confidential = alex.add(alex.timed(2, subject="Board"), sensitivity="confidential")
    fields = {
        personal: alex.timed(1, subject="Dentist", location="Town"),
        confidential: {**alex.timed(2, subject="Board", location="HQ"), "private": "true"},
    }

    updates = [Update(i, alex.get(i).json()["changeKey"], normalise_fields(f)) for i, f in fields.items()]
    results = alex.store(include_private=True).update_many(updates)

    assert all(isinstance(r, Written) for r in results), results
    after = {i: alex.get(i).json() for i in fields}
    assert [after[i]["location"]["displayName"] for i in fields] == ["Town", "HQ"]
    assert [after[i]["sensitivity"] for i in fields] == ["personal", "confidential"]


def test_series_instances_are_items_only_with_series_and_each_is_written_alone(alex: CalendarUser) -> None:  # noqa: F811
    master = alex.add_weekly_series("Pipeline review", alex.at(1, 15), 4)
    single = alex.add(alex.timed(2, subject="Single"))
    occurrences = [i["id"] for i in alex.instances(master)]
    assert len(occurrences) == 4

    assert set(alex.store().list_changes(None).entries) == {single}
    assert isinstance(alex.store().get_many([occurrences[0]])[occurrences[0]], OutOfScope)

    store = alex.store(include_series=True)
    first = store.list_changes(None)
    assert set(first.entries) == {single, *occurrences}
    found = store.get_many(occurrences)
    items = [found[i] for i in occurrences]
    assert all(isinstance(i, Item) for i in items)

    # Two occurrences of one series updated in one call: each under the change key the previous write left.
    updates = [
        Update(item.id, item.etag, normalise_fields({**item.fields, "location": f"Room {n}"}))
        for n, item in enumerate(items[:2])
        if isinstance(item, Item)
    ]
    results = store.update_many(updates)
    assert all(isinstance(r, Written) for r in results), results
    assert [r.id for r in results if isinstance(r, Written)] == occurrences[:2]
    after = [alex.get(i).json() for i in occurrences]
    assert [e["location"]["displayName"] for e in after] == ["Room 0", "Room 1", "", ""]
    assert [e["type"] for e in after] == ["exception", "exception", "occurrence", "occurrence"]

    (deleted,) = store.delete_many(
        [Delete(occurrences[3], results[-1].etag if isinstance(results[-1], Written) else "")]
    )
    assert isinstance(deleted, Written)
    assert [i["id"] for i in alex.instances(master)] == occurrences[:3]


def test_a_fresh_store_writes_two_occurrences_of_one_series_in_one_call(alex: CalendarUser) -> None:  # noqa: F811
    # Only Salesforce changed: the engine updates (then deletes) instances this store has not read in this pass.
    master = alex.add_weekly_series("Pipeline review", alex.at(1, 15), 4)
    instances = alex.instances(master)
    occurrences = [i["id"] for i in instances]

    updates = [
        Update(
            i["id"],
            i["changeKey"],
            normalise_fields(
                {
                    "subject": "Pipeline review",
                    "start": utc_text(alex.at(1 + 7 * n, 15)),
                    "end": utc_text(alex.at(1 + 7 * n, 15) + timedelta(minutes=45)),
                    "location": f"Room {n}",
                }
            ),
        )
        for n, i in enumerate(instances[:2])
    ]
    before = alex.calls()
    results = alex.store(include_series=True).update_many(updates)
    assert all(isinstance(r, Written) for r in results), results
    assert alex.calls() - before == 1 + 2  # the two read in one batch, then one write per round trip
    after = [alex.get(i).json() for i in occurrences]
    assert [e["location"]["displayName"] for e in after] == ["Room 0", "Room 1", "", ""]

    master_key = alex.get(master).json()["changeKey"]
    deletes = [Delete(i, master_key) for i in occurrences[2:]]
    deleted = alex.store(include_series=True).delete_many(deletes)
    assert all(isinstance(r, Written) for r in deleted), deleted
    assert [i["id"] for i in alex.instances(master)] == occurrences[:2]


def test_the_demo_weekly_series_is_ten_occurrences_with_one_moved(live_sandbox: LiveSandbox) -> None:
    sandbox = live_sandbox
    sandbox.reset("demo")
    now = sandbox.state.clock.now()
    window = EventWindow.around(now, past_days=60, future_days=120)
    with GraphClient(SandboxToken(sandbox, ALEX), vendor_base_url=sandbox.base_url) as client:
        store = GraphEventStore(
            client, window=window, selection=SelectionMethod.AUTOMATIC, include_private=False, include_series=True
        )
        listing = store.list_changes(None)
        found = store.get_many(sorted(listing.entries))
    items = [i for i in found.values() if isinstance(i, Item)]
    pipeline = [i for i in items if str(i.fields.get("subject", "")).startswith(SERIES_SUBJECT)]
    assert len(pipeline) == 10
    assert sum("moved" in str(i.fields["subject"]) for i in pipeline) == 1
    assert not any(i.fields.get("subject") == "Doctor's appointment" for i in items)  # private
    assert any(i.fields.get("all_day") == "true" for i in items)
    assert all(ALEX not in i.fields.get("attendees", ()) for i in items)


def test_automatic_selection_leaves_out_dont_sync_and_manual_keeps_only_sync(alex: CalendarUser) -> None:  # noqa: F811
    plain = alex.add(alex.timed(1, subject="Plain"))
    wanted = alex.add(alex.timed(2, subject="Wanted"), categories=[SYNC_CATEGORY])
    unwanted = alex.add(alex.timed(3, subject="Unwanted"), categories=[DONT_SYNC_CATEGORY])

    assert set(alex.store().list_changes(None).entries) == {plain, wanted}
    manual = alex.store(SelectionMethod.MANUAL)
    assert set(manual.list_changes(None).entries) == {wanted}
    assert isinstance(manual.get_many([unwanted])[unwanted], OutOfScope)

    (made,) = manual.create_many([Create(normalise_fields(alex.timed(4, subject="From Salesforce")), "m:2")])
    assert isinstance(made, Written)
    assert alex.get(made.id).json()["categories"] == [SYNC_CATEGORY]


def test_attendees_are_read_without_the_owner_and_never_written(alex: CalendarUser) -> None:  # noqa: F811
    invited = alex.add(alex.timed(2, subject="Invited", attendees=("Grace@Navy.example", ALEX)))
    store = alex.store()
    store.list_changes(None)
    item = store.get_many([invited])[invited]
    assert isinstance(item, Item) and item.fields["attendees"] == ("grace@navy.example",)

    sent = normalise_fields(alex.timed(3, subject="From Salesforce", attendees=("ada@lovelace.example",)))
    (made,) = store.create_many([Create(sent, "m:3")])
    assert isinstance(made, Written)
    assert made.stored is not None and "attendees" not in made.stored
    assert alex.get(made.id).json()["attendees"] == []

    changed = normalise_fields({**item.fields, "subject": "Renamed", "attendees": ("someone@else.example",)})
    (updated,) = store.update_many([Update(item.id, item.etag, changed)])
    assert isinstance(updated, Written) and updated.stored is not None
    assert updated.stored["attendees"] == ("grace@navy.example",)
    assert [a["emailAddress"]["address"] for a in alex.get(invited).json()["attendees"]] == [
        "Grace@Navy.example",
        ALEX,
    ]
