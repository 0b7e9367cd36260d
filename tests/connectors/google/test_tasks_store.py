"""The Google Tasks store on the live sandbox: the synced list, selection by list, departures, batching."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.connectors.google.tasks_listing import TasksCursor
from app.connectors.selection import SelectionMethod
from app.connectors.task_fields import TASK_LIST_NAME
from app.sync.items import Item, normalise_fields
from app.sync.stores import Create, FailureKind, OutOfScope, Removal, Update, WriteFailure, Written
from tests.connectors.google.tasks_hands import TasksHands
from tests.contract.harness_google_tasks import task_sample
from tests.sandbox.conftest import LiveSandbox, live_sandbox  # noqa: F401


@pytest.fixture
def hands(live_sandbox: LiveSandbox) -> Iterator[TasksHands]:  # noqa: F811
    """Priya with an empty Google Tasks."""
    live_sandbox.reset("empty")
    opened = TasksHands(live_sandbox)
    yield opened
    opened.close()


def test_manual_selection_syncs_the_salesforce_tasks_list_made_when_missing(hands: TasksHands) -> None:
    hands.add_task(task_sample(1))
    store = hands.task_store(SelectionMethod.MANUAL)

    assert store.list_changes(None).entries == {}
    synced = hands.lists()[TASK_LIST_NAME]
    (made,) = store.create_many([Create(normalise_fields(task_sample(2)), "crmbridge:salesforce:t2")])
    assert isinstance(made, Written)
    assert hands.get_task(made.id, synced)["notes"].endswith("crmbridge:salesforce:t2")


def test_a_task_moved_out_of_the_list_leaves_scope_and_a_deleted_one_is_gone(hands: TasksHands) -> None:
    kept, moved, deleted = (hands.add_task(task_sample(n)) for n in (1, 2, 3))
    store = hands.task_store()
    first = store.list_changes(None)

    hands.move_task(moved, "@default", hands.task_list("Personal"))
    hands.remove_task(deleted)
    listing = store.list_changes(first.cursor)

    assert listing.removed == {moved: Removal.UNKNOWN, deleted: Removal.UNKNOWN}
    found = store.get_many([kept, moved, deleted])
    assert isinstance(found[kept], Item)
    assert isinstance(found[moved], OutOfScope)
    assert type(found[deleted]).__name__ == "Gone"


def test_completion_and_due_round_trip_and_priority_is_reported_not_held(hands: TasksHands) -> None:
    store = hands.task_store()
    sent = normalise_fields(task_sample(1, completed="true", important="true"))

    (made,) = store.create_many([Create(sent, "crmbridge:salesforce:t1")])

    assert isinstance(made, Written)
    assert made.stored == normalise_fields(task_sample(1, completed="true"))
    task = hands.get_task(made.id)
    assert task["status"] == "completed" and task["due"] == "2026-12-02T00:00:00.000Z"
    item = store.get_many([made.id])[made.id]
    assert isinstance(item, Item) and "crmbridge" not in item.fields.get("notes", "")

    reopened = normalise_fields(task_sample(1))
    (answer,) = store.update_many([Update(made.id, made.etag, reopened)])
    assert isinstance(answer, Written)
    assert hands.get_task(made.id)["status"] == "needsAction"
    assert hands.get_task(made.id)["notes"].endswith("crmbridge:salesforce:t1")


def test_a_quiet_listing_is_one_call_and_100_creates_are_two_batches(hands: TasksHands) -> None:
    store = hands.task_store()
    hands.add_task(task_sample(1))
    first = store.list_changes(None)
    before = hands.calls()
    listing = store.list_changes(first.cursor)
    assert hands.calls() - before == 1 and listing.entries == {}

    mark = hands.last_call_id()
    results = store.create_many(
        [Create(normalise_fields(task_sample(n)), f"crmbridge:salesforce:m{n}") for n in range(100)]
    )

    assert all(isinstance(r, Written) for r in results)
    paths = hands.call_paths(mark)
    assert len([p for p in paths if "batch" in p]) == 2
    assert len(paths) == 102


def test_a_refused_task_among_many_fails_alone_and_a_stale_etag_is_refused(hands: TasksHands) -> None:
    store = hands.task_store()
    results = store.create_many(
        [
            Create(normalise_fields(task_sample(1)), "crmbridge:salesforce:a"),
            Create(normalise_fields(task_sample(2, due="2026-13-45")), "crmbridge:salesforce:b"),
        ]
    )
    assert isinstance(results[0], Written)
    assert isinstance(results[1], WriteFailure)

    hands.edit_task(results[0].id, {"notes": "changed by the user"})
    store.list_changes(None)
    (stale,) = store.update_many([Update(results[0].id, results[0].etag, normalise_fields(task_sample(1)))])
    assert isinstance(stale, WriteFailure) and stale.kind is FailureKind.PRECONDITION


def test_a_deleted_synced_list_is_made_again_and_listed_completely(hands: TasksHands) -> None:
    store = hands.task_store(SelectionMethod.MANUAL)
    first = store.list_changes(None)
    old_list = hands.lists()[TASK_LIST_NAME]
    linked = hands.add_task(task_sample(1), old_list)
    second = store.list_changes(first.cursor)
    assert set(second.entries) == {linked}

    hands.delete_list(old_list)
    listing = store.list_changes(second.cursor)

    assert listing.complete and listing.entries == {}
    new_list = hands.lists()[TASK_LIST_NAME]
    assert new_list != old_list
    # The linked task is answered as gone (the engine's mass-deletion guard decides what happens to its link).
    assert type(store.get_many([linked])[linked]).__name__ == "Gone"
    (made,) = store.create_many([Create(normalise_fields(task_sample(2)), "crmbridge:salesforce:t2")])
    assert isinstance(made, Written)
    assert hands.get_task(made.id, new_list)["title"] == task_sample(2)["subject"]
    # The next pass lists the new list from the new cursor.
    assert set(store.list_changes(listing.cursor).entries) == {made.id}


def test_a_cursor_naming_a_list_that_is_gone_lists_the_default_list_again(hands: TasksHands) -> None:
    kept = hands.add_task(task_sample(1))
    store = hands.task_store()
    first = TasksCursor.decode(store.list_changes(None).cursor)
    assert first is not None
    stale = TasksCursor(first.selection, "no-such-list", first.listed_at, first.etags).encode()

    listing = store.list_changes(stale)

    assert listing.complete and set(listing.entries) == {kept}
    again = TasksCursor.decode(listing.cursor)
    assert again is not None and again.list_id == first.list_id


def test_a_title_over_google_s_limit_is_cut_and_the_cut_reported(hands: TasksHands) -> None:
    store = hands.task_store()
    sent = normalise_fields(task_sample(1, subject="y" * 1100))

    (made,) = store.create_many([Create(sent, "crmbridge:salesforce:long")])

    assert isinstance(made, Written)
    assert hands.get_task(made.id)["title"] == "y" * 1024
    assert made.stored == normalise_fields(task_sample(1, subject="y" * 1024))
