"""The Graph task store on the live sandbox: selection, departures, cursor expiry, call counts, per-item failures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.connectors.selection import DONT_SYNC_CATEGORY, SYNC_CATEGORY, SelectionMethod
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
from tests.connectors.microsoft.hands import BatchSpy
from tests.connectors.microsoft.todo_hands import ToDoUser, chore
from tests.sandbox.conftest import LiveSandbox


@pytest.fixture
def todo(live_sandbox: LiveSandbox) -> Iterator[ToDoUser]:
    """Alex Morgan on an empty sandbox: an empty default To Do list."""
    user = ToDoUser(live_sandbox)
    yield user
    user.close()


def written(results: object) -> list[Written]:
    assert isinstance(results, list | tuple)
    assert all(isinstance(r, Written) for r in results), [r for r in results if not isinstance(r, Written)][:3]
    return list(results)


def test_listing_1000_tasks_then_writing_100_costs_the_floor(todo: ToDoUser) -> None:
    todo.seed(1000)
    store = todo.store()

    before = todo.calls()
    first = store.list_changes(None)
    assert todo.calls() - before == 1 + 5  # the default list, then 5 delta pages of 200
    assert first.complete and len(first.entries) == 1000

    before = todo.calls()
    quiet = store.list_changes(first.cursor)
    assert todo.calls() - before == 1
    assert dict(quiet.entries) == {} and not quiet.complete

    before = todo.calls()
    creates = [Create(normalise_fields(chore(2000 + n)), f"crmbridge:salesforce:t{n}") for n in range(100)]
    created = written(store.create_many(creates))
    assert todo.calls() - before == 5  # 100 POSTs, 20 per batch
    assert all(r.stored is None for r in created)

    before = todo.calls()
    echoes = store.list_changes(quiet.cursor)
    found = store.get_many([r.id for r in created])
    assert todo.calls() - before == 1  # one delta page; get_many answers from it
    assert dict(echoes.entries) == {r.id: r.etag for r in created}
    assert [found[r.id].marker for r in created] == [f"crmbridge:salesforce:t{n}" for n in range(100)]  # type: ignore[union-attr]

    before = todo.calls()
    updates = [Update(r.id, r.etag, normalise_fields(chore(2000 + n, notes="Done"))) for n, r in enumerate(created)]
    updated = written(store.update_many(updates))
    assert todo.calls() - before == 5  # the tasks as read by the listing: no read before writing

    before = todo.calls()
    written(store.delete_many([Delete(r.id, r.etag) for r in updated]))
    assert todo.calls() - before == 5

    before = todo.calls()
    gone = store.list_changes(echoes.cursor)
    assert todo.calls() - before == 1
    assert gone.removed == {r.id: Removal.DELETED for r in created}
    assert len(todo.tasks()) == 1000


def test_automatic_selection_leaves_out_dont_sync_and_a_task_that_gets_it_leaves_scope(todo: ToDoUser) -> None:
    kept = todo.add(chore(1))
    excluded = todo.add(chore(2), categories=[DONT_SYNC_CATEGORY])
    elsewhere = todo.add_other_list(chore(3))
    store = todo.store()

    first = store.list_changes(None)
    assert set(first.entries) == {kept}

    todo.categorise(kept, [DONT_SYNC_CATEGORY])
    todo.categorise(excluded, [])
    later = store.list_changes(first.cursor)
    assert dict(later.entries) == {excluded: todo.get(excluded)["@odata.etag"]}
    assert later.removed == {kept: Removal.LEFT_SCOPE}
    found = store.get_many([kept, excluded, elsewhere])
    assert isinstance(found[kept], OutOfScope) and isinstance(found[excluded], Item)
    assert isinstance(found[elsewhere], Gone)  # not a task of the default list
    assert todo.get(kept)["title"] == "Follow up with customer 1"  # left scope, not deleted


def test_a_task_moved_to_another_list_leaves_scope_and_one_moved_then_deleted_is_gone(todo: ToDoUser) -> None:
    moved, dropped, kept = todo.add(chore(1)), todo.add(chore(2)), todo.add(chore(3))
    store = todo.store()
    first = store.list_changes(None)
    assert set(first.entries) == {moved, dropped, kept}

    todo.move_to_other_list(moved)
    todo.move_to_other_list(dropped)
    todo.http.delete(f"{todo.tasks_url(todo.other_list())}/{dropped}").raise_for_status()
    later = store.list_changes(first.cursor)
    assert later.removed == {moved: Removal.UNKNOWN, dropped: Removal.UNKNOWN}

    before = todo.calls()
    found = store.get_many([moved, dropped, kept])
    calls = todo.calls() - before
    assert isinstance(found[moved], OutOfScope)  # moved, not deleted: the Salesforce task must stay
    assert isinstance(found[dropped], Gone) and isinstance(found[kept], Item)
    assert calls == 3  # the three by id, the user's lists, then the two in the other list
    assert todo.get_in(todo.other_list(), moved)["title"] == "Follow up with customer 1"


def test_manual_selection_syncs_only_sync_tasks_and_creates_them_with_the_category(todo: ToDoUser) -> None:
    chosen = todo.add(chore(1), categories=[SYNC_CATEGORY])
    todo.add(chore(2))
    store = todo.store(SelectionMethod.MANUAL)

    first = store.list_changes(None)
    assert set(first.entries) == {chosen}

    (result,) = written(store.create_many([Create(normalise_fields(chore(3)), "crmbridge:salesforce:m3")]))
    assert todo.get(result.id)["categories"] == [SYNC_CATEGORY]
    todo.categorise(chosen, [])
    later = store.list_changes(first.cursor)
    assert set(later.entries) == {result.id}
    assert later.removed == {chosen: Removal.LEFT_SCOPE}
    marked = store.find_by_markers(["crmbridge:salesforce:m3"])
    assert marked["crmbridge:salesforce:m3"].in_scope


def test_a_change_of_selection_lists_everything_again(todo: ToDoUser) -> None:
    plain, chosen = todo.add(chore(1)), todo.add(chore(2), categories=[SYNC_CATEGORY])
    first = todo.store().list_changes(None)
    assert set(first.entries) == {plain, chosen}

    listing = todo.store(SelectionMethod.MANUAL).list_changes(first.cursor)
    assert listing.complete and set(listing.entries) == {chosen}


@pytest.mark.parametrize("code", ["syncStateNotFound", "resyncRequired"])
def test_an_expired_delta_link_gives_a_complete_listing_in_two_calls(todo: ToDoUser, code: str) -> None:
    ids = {todo.add(chore(1)), todo.add(chore(2))}
    store = todo.store()
    first = store.list_changes(None)
    todo.expire_delta_tokens(code)

    before = todo.calls()
    listing = store.list_changes(first.cursor)
    assert todo.calls() - before == 2  # the expired link, then a fresh round (the list id comes from the cursor)
    assert listing.complete and set(listing.entries) == ids
    assert not store.list_changes(listing.cursor).complete


def test_status_and_importance_the_projection_cannot_tell_apart_are_kept(todo: ToDoUser) -> None:
    working = todo.add(chore(4), status="inProgress", importance="low")
    done = todo.add(chore(2, completed="true"))
    store = todo.store()
    store.list_changes(None)
    items = store.get_many([working, done])

    updates = [
        Update(working, items[working].etag, normalise_fields(chore(4, notes="Call again"))),  # type: ignore[union-attr]
        Update(done, items[done].etag, normalise_fields(chore(2))),  # type: ignore[union-attr]
    ]
    written(store.update_many(updates))
    assert (todo.get(working)["status"], todo.get(working)["importance"]) == ("inProgress", "low")
    assert todo.get(working)["body"]["content"] == "Call again"
    assert todo.get(done)["status"] == "notStarted"


def test_a_due_date_set_in_another_zone_reads_as_its_own_date(todo: ToDoUser) -> None:
    late = todo.add(chore(1), dueDateTime={"dateTime": "2031-03-04T23:30:00", "timeZone": "Pacific Standard Time"})
    store = todo.store()
    store.list_changes(None)
    item = store.get_many([late])[late]
    assert isinstance(item, Item) and item.fields["due"] == "2031-03-04"


def test_a_stale_etag_is_a_precondition_failure_and_writes_nothing(todo: ToDoUser) -> None:
    task_id = todo.add(chore(1))
    store = todo.store()
    store.list_changes(None)
    item = store.get_many([task_id])[task_id]
    assert isinstance(item, Item)
    todo.edit(task_id, {"notes": "Changed by the user"})

    (answer,) = store.update_many([Update(task_id, item.etag, normalise_fields(chore(1, notes="Ours")))])
    assert isinstance(answer, WriteFailure) and answer.kind is FailureKind.PRECONDITION
    assert todo.get(task_id)["body"]["content"] == "Changed by the user"


def test_a_rejected_item_among_many_fails_alone_with_a_readable_message(todo: ToDoUser) -> None:
    store = todo.store()
    fields = [chore(n) for n in range(5)]
    fields[2] = chore(2, due="2031-02-30")
    results = store.create_many([Create(normalise_fields(f), f"m{n}") for n, f in enumerate(fields)])

    assert [type(r) for r in results] == [Written, Written, WriteFailure, Written, Written]
    failure = results[2]
    assert isinstance(failure, WriteFailure) and failure.kind is FailureKind.INVALID
    assert failure.message.startswith("To Do refused the task:") and "2031-02-30" in failure.message
    assert len(todo.tasks()) == 4


def test_find_by_markers_is_one_batch_and_finds_tasks_out_of_scope_too(todo: ToDoUser) -> None:
    spy = BatchSpy()
    store = todo.store(transport=spy)
    results = written(
        store.create_many([Create(normalise_fields(chore(n)), f"crmbridge:salesforce:f{n}") for n in range(3)])
    )
    todo.categorise(results[1].id, [DONT_SYNC_CATEGORY])
    todo.add(chore(9))

    fresh = todo.store()
    before = todo.calls()
    found = fresh.find_by_markers([f"crmbridge:salesforce:f{n}" for n in range(3)] + ["crmbridge:salesforce:none"])
    assert todo.calls() - before == 2  # the default list, then one batch with the filtered query
    assert {marker: (marked.item.id, marked.in_scope) for marker, marked in found.items()} == {
        "crmbridge:salesforce:f0": (results[0].id, True),
        "crmbridge:salesforce:f1": (results[1].id, False),
        "crmbridge:salesforce:f2": (results[2].id, True),
    }
    assert all(sub["method"] == "POST" for sub in spy.batches[-1])


def test_deleting_a_task_already_gone_is_not_found(todo: ToDoUser) -> None:
    task_id = todo.add(chore(1))
    store = todo.store()
    todo.remove(task_id)
    (answer,) = store.delete_many([Delete(task_id, "")])
    assert isinstance(answer, WriteFailure) and answer.kind is FailureKind.NOT_FOUND
