"""Manual selection finds contacts given the "Sync with Salesforce" category in ANY contact folder of the mailbox.

Every contact folder is searched (the default one, user-created ones, their child folders), but the synced folder
itself and folders in Deleted Items; a pass with no change is still ONE HTTP call; when the folders do not all fit in
that call's ``$batch``, they take turns across passes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from app.connectors.microsoft.client import MAX_BATCH_REQUESTS
from app.connectors.selection import SYNC_CATEGORY, SelectionMethod
from app.sync.items import Item, normalise_fields
from tests.connectors.microsoft.hands import BatchSpy, OutlookUser


def person(n: int) -> dict[str, object]:
    return {"first_name": f"Ada{n}", "last_name": f"Lovelace{n}", "email": f"ada{n}@engine.example"}


def emails(contacts: list[dict[str, Any]]) -> set[str]:
    return {c["emailAddresses"][0]["address"] for c in contacts if c.get("emailAddresses")}


def cursor_of(text: str | None) -> dict[str, Any]:
    raw = json.loads(text or "")
    assert isinstance(raw, dict)
    return raw


def test_categorised_contacts_of_user_folders_and_child_folders_are_brought_in_and_synced(
    outlook: OutlookUser,
) -> None:
    clients = outlook.create_folder("Clients")
    key_accounts = outlook.create_folder("Key accounts", parent=clients)
    under_synced = outlook.create_folder("Archive", parent=outlook.folder_id)
    in_trash = outlook.folder_in_deleted_items("Old clients")
    top = outlook.add(person(1), folder=clients, categories=[SYNC_CATEGORY], nickName="Enchantress")
    child = outlook.add(person(2), folder=key_accounts, categories=["Red category", SYNC_CATEGORY])
    nested = outlook.add(person(3), folder=under_synced, categories=[SYNC_CATEGORY])
    default = outlook.add(person(4), folder="contacts", categories=[SYNC_CATEGORY])
    unmarked = outlook.add(person(5), folder=key_accounts)
    deleted = outlook.add(person(6), folder=in_trash, categories=[SYNC_CATEGORY])
    store = outlook.store(SelectionMethod.MANUAL)

    before = outlook.calls()
    listing = store.list_changes(None)

    # setup (with the folder round); the listing batch with every folder's query; one batch of 4 copies + deletes
    assert outlook.calls() - before == 3
    for original in (top, child, nested, default):
        assert outlook.get(original).status_code == 404
    copies = outlook.contacts_in(None)
    assert emails(copies) == {f"ada{n}@engine.example" for n in (1, 2, 3, 4)}
    assert set(listing.entries) == {c["id"] for c in copies}
    by_email = {c["emailAddresses"][0]["address"]: c for c in copies}
    assert by_email["ada2@engine.example"]["categories"] == ["Red category", SYNC_CATEGORY]
    assert by_email["ada1@engine.example"]["nickName"] == "Enchantress"
    copy = by_email["ada2@engine.example"]["id"]
    item = store.get_many([copy])[copy]
    assert isinstance(item, Item) and item.fields == normalise_fields(person(2))
    # Left alone: the uncategorised contact, and the categorised one in Deleted Items.
    assert [c["id"] for c in outlook.contacts_in(key_accounts)] == [unmarked]
    assert [c["id"] for c in outlook.contacts_in(in_trash)] == [deleted]
    kept = cursor_of(listing.cursor)["folders"]
    assert {clients, key_accounts, under_synced} <= set(kept) and kept[key_accounts] == clients

    before = outlook.calls()
    quiet = store.list_changes(listing.cursor)
    assert outlook.calls() - before == 1
    assert all(quiet.entries[i] == listing.entries[i] for i in quiet.entries)  # echoes of the copies at most
    before = outlook.calls()
    assert dict(store.list_changes(quiet.cursor).entries) == {}
    assert outlook.calls() - before == 1


def test_a_contact_categorised_later_in_a_child_folder_is_brought_in_by_the_next_pass(outlook: OutlookUser) -> None:
    clients = outlook.create_folder("Clients")
    key_accounts = outlook.create_folder("Key accounts", parent=clients)
    later = outlook.add(person(1), folder=key_accounts)
    store = outlook.store(SelectionMethod.MANUAL)
    first = store.list_changes(None)
    assert dict(first.entries) == {}
    before = outlook.calls()
    quiet = store.list_changes(first.cursor)
    assert outlook.calls() - before == 1

    outlook.patch(later, {"categories": [SYNC_CATEGORY]})
    before = outlook.calls()
    listing = store.list_changes(quiet.cursor)

    assert outlook.calls() - before == 2  # the pass's one batch, then the copy and the delete
    (copy,) = outlook.contacts_in(None)
    assert emails([copy]) == {"ada1@engine.example"} and set(listing.entries) == {copy["id"]}
    assert outlook.contacts_in(key_accounts) == []
    before = outlook.calls()
    store.list_changes(listing.cursor)
    assert outlook.calls() - before == 1


def test_a_folder_created_after_the_first_pass_is_searched_by_the_pass_that_learns_of_it(
    outlook: OutlookUser,
) -> None:
    store = outlook.store(SelectionMethod.MANUAL)
    first = store.list_changes(None)
    projects = outlook.create_folder("Projects")
    apollo = outlook.create_folder("Apollo", parent=projects)
    outlook.add(person(1), folder=apollo, categories=[SYNC_CATEGORY])
    spy = BatchSpy()
    store = outlook.store(SelectionMethod.MANUAL, transport=spy)

    before = outlook.calls()
    listing = store.list_changes(first.cursor)

    # the pass's batch (the folder round tells of the two folders); their queries; the copy and the delete
    assert outlook.calls() - before == 3
    assert any("/contactFolders/delta" in url for url in spy.urls(0))
    assert sorted(url.split("/contacts?")[0] for url in spy.urls(1)) == sorted(
        f"/me/contactFolders/{f}" for f in (projects, apollo)
    )
    (copy,) = outlook.contacts_in(None)
    assert set(listing.entries) == {copy["id"]} and SYNC_CATEGORY in copy["categories"]
    before = outlook.calls()
    quiet = store.list_changes(listing.cursor)
    assert outlook.calls() - before == 1
    assert {projects, apollo} <= set(cursor_of(quiet.cursor)["folders"])
    assert any(f"/me/contactFolders/{apollo}/contacts?" in url for url in spy.urls())


def test_more_folders_than_one_batch_holds_take_turns_and_a_quiet_pass_stays_one_call(outlook: OutlookUser) -> None:
    folders = [outlook.create_folder(f"Region {n:02d}") for n in range(25)]
    for n, folder in enumerate(folders):
        outlook.add(person(n), folder=folder, categories=[SYNC_CATEGORY])
    spy = BatchSpy()
    store = outlook.store(SelectionMethod.MANUAL, transport=spy)

    first = store.list_changes(None)

    # The listing batch holds the delta, the listing, the category creation, the default folder's query and 16
    # folders' queries: 16 contacts come in (two write batches of 8 and 8 copy + delete pairs).
    listing_batch = spy.batches[1]
    assert len(listing_batch) == MAX_BATCH_REQUESTS
    assert sum("/contacts?$filter=categories" in sub["url"] for sub in listing_batch) == 17
    assert len(outlook.contacts_in(None)) == 16 and len(first.entries) == 16
    assert cursor_of(first.cursor)["turn"] == 16

    before = outlook.calls()
    second = store.list_changes(first.cursor)

    # The poll holds the delta, "modified since", the folder check, the folder round, the default folder's query and
    # 15 folders' queries: the 9 not searched yet, then 6 from the start again.
    poll = spy.batches[-2]
    assert len(poll) == MAX_BATCH_REQUESTS and outlook.calls() - before == 2
    assert len(outlook.contacts_in(None)) == 25 and all(outlook.contacts_in(f) == [] for f in folders)
    assert len(set(first.entries) | set(second.entries)) == 25
    assert cursor_of(second.cursor)["turn"] == 6

    before = outlook.calls()
    quiet = store.list_changes(second.cursor)
    assert outlook.calls() - before == 1 and len(spy.batches[-1]) == MAX_BATCH_REQUESTS
    before = outlook.calls()
    store.list_changes(quiet.cursor)
    assert outlook.calls() - before == 1


def test_a_folder_graph_answers_404_for_is_dropped_and_the_folders_are_read_again(outlook: OutlookUser) -> None:
    gone, stays = outlook.create_folder("Gone"), outlook.create_folder("Stays")
    store = outlook.store(SelectionMethod.MANUAL)
    first = store.list_changes(None)
    assert {gone, stays} <= set(cursor_of(first.cursor)["folders"])
    outlook.vanish_folder(gone)  # no folder delta will tell: only the 404 of its query does

    before = outlook.calls()
    second = store.list_changes(first.cursor)

    assert outlook.calls() - before == 1
    kept = cursor_of(second.cursor)
    assert gone not in kept["folders"] and stays in kept["folders"] and kept["folders_delta"] is None
    outlook.add(person(1), folder=stays, categories=[SYNC_CATEGORY])
    before = outlook.calls()
    third = store.list_changes(second.cursor)  # a fresh folder round rides in the pass's one batch
    assert outlook.calls() - before == 2  # with the copy and the delete
    assert cursor_of(third.cursor)["folders_delta"] and emails(outlook.contacts_in(None)) == {"ada1@engine.example"}


def test_a_deleted_folder_leaves_the_list_through_the_folder_round(outlook: OutlookUser) -> None:
    gone = outlook.create_folder("Gone")
    store = outlook.store(SelectionMethod.MANUAL)
    first = store.list_changes(None)
    assert outlook.http.delete(f"/me/contactFolders/{gone}").status_code == 204

    before = outlook.calls()
    second = store.list_changes(first.cursor)

    assert outlook.calls() - before == 1
    assert gone not in cursor_of(second.cursor)["folders"]


def test_the_folder_list_is_read_whole_again_a_day_later(outlook: OutlookUser) -> None:
    outlook.create_folder("Clients")
    store = outlook.store(SelectionMethod.MANUAL)
    first = store.list_changes(None)
    quiet = store.list_changes(first.cursor)
    # The sandbox's Date header follows the real clock: say the list was read a day before the previous pass.
    kept = cursor_of(quiet.cursor)
    since = datetime.strptime(kept["since"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    kept["folders_at"] = (since - timedelta(hours=25)).strftime("%Y-%m-%dT%H:%M:%SZ")
    spy = BatchSpy()
    store = outlook.store(SelectionMethod.MANUAL, transport=spy)

    before = outlook.calls()
    again = store.list_changes(json.dumps(kept))

    assert outlook.calls() - before == 1
    (folder_round,) = [u for u in spy.urls() if "/contactFolders/delta" in u]
    assert "deltatoken" not in folder_round and "deltatoken" in cursor_of(quiet.cursor)["folders_delta"]
    assert cursor_of(again.cursor)["folders_at"] >= kept["since"]
    store.list_changes(again.cursor)
    (folder_round,) = [u for u in spy.urls() if "/contactFolders/delta" in u]
    assert "deltatoken" in folder_round


def test_a_cursor_without_the_folder_list_reads_it_and_searches_the_folders_in_the_same_pass(
    outlook: OutlookUser,
) -> None:
    store = outlook.store(SelectionMethod.MANUAL)
    first = store.list_changes(None)
    clients = outlook.create_folder("Clients")
    outlook.add(person(1), folder=clients, categories=[SYNC_CATEGORY])
    old = {k: v for k, v in cursor_of(first.cursor).items() if k not in ("folders", "folders_delta", "folders_at")}

    listing = store.list_changes(json.dumps(old))

    assert not listing.complete and emails(outlook.contacts_in(None)) == {"ada1@engine.example"}
    assert clients in cursor_of(listing.cursor)["folders"]


def test_automatic_selection_neither_reads_nor_keeps_the_folders(outlook: OutlookUser) -> None:
    clients = outlook.create_folder("Clients")
    elsewhere = outlook.add(person(1), folder=clients, categories=[SYNC_CATEGORY])
    spy = BatchSpy()
    store = outlook.store(transport=spy)

    first = store.list_changes(None)
    store.list_changes(first.cursor)

    urls = [url for n in range(len(spy.batches)) for url in spy.urls(n)]
    assert not any("contactFolders/delta" in url or "filter=categories" in url for url in urls)
    assert "folders" not in cursor_of(first.cursor)
    assert outlook.get(elsewhere).status_code == 200
