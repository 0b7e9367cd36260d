"""The Salesforce task store on the live sandbox: its own rules beyond the contract (logged emails left out,
completion and reopening, priority, call counts, one refused item among many)."""

from __future__ import annotations

from app.sync.items import normalise_fields
from app.sync.stores import Create, FailureKind, Item, OutOfScope, Update, WriteFailure, Written
from tests.connectors.salesforce.activity_support import ActivityHands, make_task_store
from tests.connectors.salesforce.support import api_calls, last_call_id
from tests.sandbox.conftest import LiveSandbox


def test_completed_tasks_are_in_scope_and_logged_emails_are_not(live: LiveSandbox) -> None:
    hands = ActivityHands(live)
    open_task = hands.add_task({"subject": "Call Ana", "important": "true"})
    done = hands.add_task({"subject": "Send quote", "completed": "true"})
    email = hands.add_task({"subject": "Email: Re: quote"}, TaskSubtype="Email")
    store = make_task_store(live)

    listing = store.list_changes(None)

    assert set(listing.entries) == {open_task, done}
    found = store.get_many([open_task, done, email])
    assert isinstance(found[email], OutOfScope)
    assert isinstance(found[done], Item) and found[done].fields["completed"] == "true"
    assert isinstance(found[open_task], Item) and found[open_task].fields["important"] == "true"


def test_completing_and_reopening_through_the_store(live: LiveSandbox) -> None:
    hands = ActivityHands(live)
    busy = hands.add_task({"subject": "Prepare demo"}, Status="In Progress")
    store = make_task_store(live)
    (created,) = store.create_many([Create(normalise_fields({"subject": "New", "important": "true"}), "m")])
    assert isinstance(created, Written)
    assert hands.row(created.id)["Status"] == "Not Started" and hands.row(created.id)["Priority"] == "High"

    (answer,) = store.update_many([Update(busy, "", normalise_fields({"subject": "Prepare demo", "notes": "Slides"}))])
    assert isinstance(answer, Written)
    assert hands.row(busy)["Status"] == "In Progress"  # an open status stays as it is

    store.update_many([Update(busy, "", normalise_fields({"subject": "Prepare demo", "completed": "true"}))])
    assert hands.row(busy)["IsClosed"] and hands.row(busy)["Status"] == "Completed"

    make_task_store(live).update_many([Update(busy, "", normalise_fields({"subject": "Prepare demo"}))])
    assert not hands.row(busy)["IsClosed"] and hands.row(busy)["Status"] == "Not Started"  # the org's default


def test_100_creates_are_one_call_after_a_listing_and_a_refused_one_fails_alone(live: LiveSandbox) -> None:
    store = make_task_store(live)
    store.list_changes(None)
    batch = [
        Create(normalise_fields({"subject": f"Task {n}", "due": "2026-12-01"}), f"crmbridge:m:{n}") for n in range(100)
    ]
    batch[3] = Create(normalise_fields({"subject": "Bad", "due": "someday"}), "crmbridge:m:bad")

    before = last_call_id(live)
    results = store.create_many(batch)

    assert api_calls(live, before) == 1
    assert isinstance(results[3], WriteFailure) and results[3].kind is FailureKind.INVALID
    assert sum(isinstance(r, Written) for r in results) == 99
    cursor = store.list_changes(None).cursor
    before = last_call_id(live)
    quiet = store.list_changes(cursor)
    assert api_calls(live, before) == 1 and dict(quiet.entries) == {}


def test_a_salesforce_refusal_fails_only_its_task(live: LiveSandbox) -> None:
    hands = ActivityHands(live)
    kept, gone = hands.add_task({"subject": "Keep"}), hands.add_task({"subject": "Gone"})
    store = make_task_store(live)
    store.list_changes(None)
    hands.remove_record("Task", gone)

    answers = store.update_many(
        [Update(i, "", normalise_fields({"subject": "Renamed", "notes": "x"})) for i in (kept, gone)]
    )

    assert isinstance(answers[0], Written)
    assert isinstance(answers[1], WriteFailure) and answers[1].kind is FailureKind.NOT_FOUND
    assert hands.row(kept)["Subject"] == "Renamed"
