"""The Salesforce event store on the live sandbox: its own rules beyond the contract (window, private, series,
all-day events, attendees related and never held, cursors, call counts, one refused item among many)."""

from __future__ import annotations

from datetime import timedelta

from app.connectors.event_fields import EventWindow
from app.sync.items import normalise_fields
from app.sync.stores import Create, FailureKind, Item, OutOfScope, Removal, Update, WriteFailure, Written
from tests.connectors.salesforce.activity_support import ActivityHands, event_at, make_event_store, window_of
from tests.connectors.salesforce.support import ALEX, PRIYA, api_calls, last_call_id
from tests.sandbox.conftest import LiveSandbox


def inside(live: LiveSandbox, day: int, n: int = 1, **extra: object) -> dict[str, object]:
    return event_at(window_of(live).start + timedelta(days=day, hours=9), n=n, **extra)


def test_only_alex_s_public_single_events_in_the_window_are_in_scope(live: LiveSandbox) -> None:
    hands = ActivityHands(live)
    window = window_of(live)
    kept = hands.add_event(inside(live, 8))
    all_day = hands.add_event(
        {
            "subject": "Offsite",
            "start": (window.start + timedelta(days=9)).date().isoformat(),
            "end": (window.start + timedelta(days=11)).date().isoformat(),
            "all_day": "true",
        }
    )
    private = hands.add_event(inside(live, 9, 2), IsPrivate=True)
    later = hands.add_event(event_at(window.end + timedelta(days=1)))
    earlier = hands.add_event(event_at(window.start - timedelta(hours=3)))
    series = hands.add_event(
        inside(live, 10, 3), IsRecurrence2=True, Recurrence2PatternText="RRULE:FREQ=WEEKLY;COUNT=3"
    )
    priya = hands.add_event(inside(live, 8, 4), owner=PRIYA)
    occurrences = {row["Id"] for row in hands.org.rows("Event") if row.get("IsRecurrence2")}
    assert len(occurrences) == 3 and series in occurrences

    narrow = make_event_store(live).list_changes(None)
    wide = make_event_store(live, include_private=True, include_series=True).list_changes(None)

    assert set(narrow.entries) == {kept, all_day}
    assert set(wide.entries) == {kept, all_day, private} | occurrences
    found = make_event_store(live).get_many([private, later, earlier, series, priya, all_day])
    assert all(isinstance(found[i], OutOfScope) for i in (private, later, earlier, series, priya))
    item = found[all_day]
    assert isinstance(item, Item) and item.fields["all_day"] == "true"
    assert (item.fields["start"], item.fields["end"]) == (
        (window.start + timedelta(days=9)).date().isoformat(),
        (window.start + timedelta(days=11)).date().isoformat(),
    )
    wide_item = make_event_store(live, include_private=True).get_many([private])[private]
    assert isinstance(wide_item, Item) and wide_item.fields["private"] == "true"


def test_a_new_window_lists_everything_and_a_quiet_listing_is_one_call(live: LiveSandbox) -> None:
    hands = ActivityHands(live)
    first_id = hands.add_event(inside(live, 8))
    store = make_event_store(live)
    first = store.list_changes(None)
    before = last_call_id(live)
    quiet = store.list_changes(first.cursor)
    assert api_calls(live, before) == 1 and not quiet.complete and dict(quiet.entries) == {}

    window = window_of(live)
    moved = EventWindow(window.start + timedelta(days=1), window.end + timedelta(days=1))
    relisted = make_event_store(live, window=moved).list_changes(quiet.cursor)
    assert relisted.complete and set(relisted.entries) == {first_id}
    flags = make_event_store(live, include_private=True).list_changes(quiet.cursor)
    assert flags.complete


def test_made_private_or_moved_out_of_the_window_reports_left_scope(live: LiveSandbox) -> None:
    hands = ActivityHands(live)
    hidden, moved, deleted = (hands.add_event(inside(live, 8, n)) for n in (1, 2, 3))
    store = make_event_store(live)
    first = store.list_changes(None)

    hands.edit_event(hidden, {}, IsPrivate=True)
    hands.edit_event(moved, event_at(window_of(live).end + timedelta(days=2)))
    hands.remove_record("Event", deleted)
    listing = store.list_changes(first.cursor)

    assert dict(listing.removed) == {hidden: Removal.LEFT_SCOPE, moved: Removal.LEFT_SCOPE, deleted: Removal.DELETED}
    assert dict(listing.entries) == {}


def test_creates_are_single_events_all_day_ones_too_and_round_trip(live: LiveSandbox) -> None:
    store = make_event_store(live)
    store.list_changes(None)
    window = window_of(live)
    day = (window.start + timedelta(days=10)).date()
    all_day = normalise_fields(
        {
            "subject": "Trade fair",
            "start": day.isoformat(),
            "end": (day + timedelta(days=3)).isoformat(),
            "all_day": "true",
        }
    )
    timed = normalise_fields(inside(live, 9))
    results = store.create_many([Create(all_day, "crmbridge:mailbox:a"), Create(timed, "crmbridge:mailbox:b")])
    assert all(isinstance(r, Written) and r.stored is None for r in results)
    ids = [r.id for r in results if isinstance(r, Written)]
    rows = [ActivityHands(live).row(i) for i in ids]
    assert rows[0]["IsAllDayEvent"] and rows[0]["DurationInMinutes"] == 3 * 1440
    assert not any(row.get("IsRecurrence2") for row in rows)
    found = make_event_store(live).get_many(ids)
    assert [found[i].fields for i in ids if isinstance(found[i], Item)] == [all_day, timed]


def test_attendees_relate_contacts_else_a_lead_and_are_never_held(live: LiveSandbox) -> None:
    hands = ActivityHands(live)
    ana = hands.add({"last_name": "Ana", "email": "ana@client.example.com"})
    bo = hands.add({"last_name": "Bo", "email": "bo@client.example.com"})
    lead = hands.org.create(
        "Lead", {"LastName": "Lee", "Company": "Prospect", "Email": "lee@prospect.example.com"}, hands.caller(ALEX)
    )
    store = make_event_store(live)
    store.list_changes(None)
    with_contacts = normalise_fields(
        inside(
            live,
            8,
            attendees=(
                "ana@client.example.com",
                "bo@client.example.com",
                "lee@prospect.example.com",
                "x@nowhere.example",
            ),
        )
    )
    with_lead = normalise_fields(inside(live, 9, 2, attendees=("lee@prospect.example.com",)))

    before = last_call_id(live)
    results = store.create_many(
        [Create(with_contacts, "crmbridge:mailbox:c"), Create(with_lead, "crmbridge:mailbox:l")]
    )
    assert api_calls(live, before) == 3  # the lookup, the events, the further relations

    first, second = results
    assert isinstance(first, Written) and isinstance(second, Written)
    assert first.stored is not None and "attendees" not in first.stored
    assert dict(first.stored) == {k: v for k, v in with_contacts.items() if k != "attendees"}
    assert hands.row(first.id)["WhoId"] == ana
    assert {r["RelationId"] for r in hands.relations(first.id) if r.get("IsParent")} == {ana, bo}
    assert hands.row(second.id)["WhoId"] == lead
    item = make_event_store(live).get_many([first.id])[first.id]
    assert isinstance(item, Item) and "attendees" not in item.fields

    carl = hands.add({"last_name": "Carl", "email": "carl@client.example.com"})
    later = normalise_fields({**with_contacts, "attendees": ("carl@client.example.com",)})
    (updated,) = make_event_store(live).update_many([Update(first.id, item.etag, later)])
    assert isinstance(updated, Written)
    assert {r["RelationId"] for r in hands.relations(first.id) if r.get("IsParent")} == {ana, bo, carl}


def test_attendees_are_not_related_when_the_user_does_not_want_it(live: LiveSandbox) -> None:
    hands = ActivityHands(live)
    hands.add({"last_name": "Ana", "email": "ana@client.example.com"})
    store = make_event_store(live, relate_attendees=False)
    store.list_changes(None)
    before = last_call_id(live)
    (result,) = store.create_many(
        [Create(normalise_fields(inside(live, 8, attendees=("ana@client.example.com",))), "m")]
    )
    assert api_calls(live, before) == 1
    assert isinstance(result, Written) and result.stored is not None and "attendees" not in result.stored
    assert not hands.row(result.id).get("WhoId")


def test_more_than_50_invited_contacts_relates_the_first_50(live: LiveSandbox) -> None:
    hands = ActivityHands(live)
    people = [hands.add({"last_name": f"P{n}", "email": f"p{n:02d}@client.example.com"}) for n in range(55)]
    store = make_event_store(live)
    store.list_changes(None)
    addresses = tuple(f"p{n:02d}@client.example.com" for n in range(55))
    (result,) = store.create_many([Create(normalise_fields(inside(live, 8, attendees=addresses)), "m")])
    assert isinstance(result, Written)
    related = {r["RelationId"] for r in hands.relations(result.id) if r.get("IsParent")}
    assert related == set(people[:50])


def test_100_creates_are_one_call_and_a_refused_one_fails_alone(live: LiveSandbox) -> None:
    store = make_event_store(live)
    store.list_changes(None)
    batch = [Create(normalise_fields(inside(live, 8 + n % 20, n)), f"crmbridge:mailbox:{n}") for n in range(100)]
    too_long = normalise_fields(inside(live, 8, 999))
    too_long = normalise_fields({**too_long, "end": event_at(window_of(live).start + timedelta(days=30))["end"]})
    batch[40] = Create(too_long, "crmbridge:mailbox:long")

    before = last_call_id(live)
    results = store.create_many(batch)

    assert api_calls(live, before) == 1
    failure = results[40]
    assert isinstance(failure, WriteFailure) and failure.kind is FailureKind.INVALID and "14 days" in failure.message
    assert sum(isinstance(r, Written) for r in results) == 99

    listing = make_event_store(live).list_changes(None)
    ids = [r.id for r in results if isinstance(r, Written)]
    store = make_event_store(live)
    first = store.list_changes(None)
    updates = [Update(i, first.entries[i], normalise_fields(inside(live, 9, 1))) for i in ids]
    ActivityHands(live).remove_record("Event", ids[7])
    before = last_call_id(live)
    answers = store.update_many(updates)
    assert api_calls(live, before) == 1  # the rows were read by the listing
    assert isinstance(answers[7], WriteFailure) and answers[7].kind is FailureKind.NOT_FOUND
    assert sum(isinstance(a, Written) for a in answers) == 98
    assert len(listing.entries) == 99
