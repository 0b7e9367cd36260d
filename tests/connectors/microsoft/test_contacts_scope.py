"""The Graph contact store's scope: the folder, selection both ways, private contacts, markers, expired tokens."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest

from app.connectors.selection import DONT_SYNC_CATEGORY, SYNC_CATEGORY, SYNC_CONTAINER_NAME, SelectionMethod
from app.sync.items import Item, normalise_fields
from app.sync.stores import Create, Gone, OutOfScope, Removal, Written
from tests.connectors.microsoft.hands import OutlookUser
from tests.sandbox.conftest import LiveSandbox


def person(n: int, **extra: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "first_name": f"Grace{n}",
        "last_name": f"Hopper{n}",
        "email": f"grace{n}@navy.example",
        "phones": (f"+1 555 02{n:02d}",),
    }
    fields.update(extra)
    return fields


def folders_named(user: OutlookUser, name: str) -> list[str]:
    response = user.http.get("/me/contactFolders")
    assert response.status_code == 200, response.text
    return [f["id"] for f in response.json()["value"] if f["displayName"] == name]


# -- the folder


def test_the_first_pass_creates_the_folder_and_a_later_pass_finds_it_by_id_even_renamed(
    live_sandbox: LiveSandbox,
) -> None:
    user = OutlookUser(live_sandbox, create_folder=False)
    try:
        store = user.store()
        first = store.list_changes(None)
        assert first.complete and dict(first.entries) == {}
        (folder,) = folders_named(user, SYNC_CONTAINER_NAME)
        assert json.loads(first.cursor or "")["folder"] == folder

        renamed = user.http.patch(f"/me/contactFolders/{folder}", json={"displayName": "My CRM people"})
        assert renamed.status_code == 200
        kept = user.add(person(1), folder=folder)
        again = user.store().list_changes(first.cursor)  # a new store instance: only the cursor carries the folder

        assert not again.complete and set(again.entries) == {kept}
        assert folders_named(user, SYNC_CONTAINER_NAME) == []
        # Without a cursor, the folder is looked up by name: an existing one is adopted, not duplicated.
        user.http.patch(f"/me/contactFolders/{folder}", json={"displayName": SYNC_CONTAINER_NAME})
        adopted = user.store().list_changes(None)
        assert set(adopted.entries) == {kept}
        assert folders_named(user, SYNC_CONTAINER_NAME) == [folder]
    finally:
        user.close()


def test_a_deleted_folder_is_created_again_and_listed_empty_and_complete(outlook: OutlookUser) -> None:
    store = outlook.store()
    outlook.add(person(1))
    outlook.add(person(2))
    first = store.list_changes(None)
    assert len(first.entries) == 2

    assert outlook.http.delete(f"/me/contactFolders/{outlook.folder_id}").status_code == 204
    after = store.list_changes(first.cursor)

    assert after.complete and dict(after.entries) == {}
    (recreated,) = folders_named(outlook, SYNC_CONTAINER_NAME)
    assert recreated != outlook.folder_id
    assert json.loads(after.cursor or "")["folder"] == recreated
    before = outlook.calls()
    assert dict(store.list_changes(after.cursor).entries) == {}
    assert outlook.calls() - before == 1


# -- automatic selection


def test_automatic_selection_syncs_the_folder_but_the_dont_sync_category(outlook: OutlookUser) -> None:
    assert DONT_SYNC_CATEGORY not in outlook.category_names()
    store = outlook.store()
    synced = outlook.add(person(1))
    excluded = outlook.add(person(2), categories=[DONT_SYNC_CATEGORY])
    elsewhere = outlook.add(person(3), folder="contacts", categories=[SYNC_CATEGORY])

    first = store.list_changes(None)

    assert first.complete and set(first.entries) == {synced}
    assert DONT_SYNC_CATEGORY in outlook.category_names()
    assert SYNC_CATEGORY not in outlook.category_names()
    before = outlook.calls()
    found = store.get_many([excluded, synced])
    assert outlook.calls() == before  # both were read by the listing
    assert isinstance(found[excluded], OutOfScope) and isinstance(found[synced], Item)
    assert isinstance(store.get_many([elsewhere])[elsewhere], OutOfScope)

    outlook.patch(synced, {"categories": [DONT_SYNC_CATEGORY]})
    outlook.patch(excluded, {"categories": []})
    second = store.list_changes(first.cursor)

    assert set(second.entries) == {excluded}
    assert second.removed == {synced: Removal.LEFT_SCOPE}
    before = outlook.calls()
    assert isinstance(store.get_many([synced])[synced], OutOfScope)
    assert outlook.calls() == before


def test_automatic_selection_reports_departures_for_the_engine_to_probe(outlook: OutlookUser) -> None:
    store = outlook.store()
    moved, deleted = outlook.add(person(1)), outlook.add(person(2))
    first = store.list_changes(None)
    outlook.move(moved)
    outlook.remove(deleted)

    listing = store.list_changes(first.cursor)

    assert listing.removed == {moved: Removal.UNKNOWN, deleted: Removal.UNKNOWN}
    found = store.get_many([moved, deleted])
    assert isinstance(found[moved], OutOfScope) and isinstance(found[deleted], Gone)
    assert outlook.get(moved).json()["categories"] == []  # automatic selection leaves categories alone


# -- manual selection


def test_manual_selection_brings_categorised_contacts_into_the_folder_whole(outlook: OutlookUser) -> None:
    picked = outlook.add(
        person(1),
        folder="contacts",
        categories=["Blue category", SYNC_CATEGORY],
        private=False,
        personalNotes="Met at the conference",
        nickName="Amazing Grace",
    )
    ignored = outlook.add(person(2), folder="contacts", categories=["Blue category"])
    uncategorised = outlook.add(person(3))
    store = outlook.store(SelectionMethod.MANUAL)

    listing = store.list_changes(None)

    assert SYNC_CATEGORY in outlook.category_names() and DONT_SYNC_CATEGORY not in outlook.category_names()
    assert outlook.get(picked).status_code == 404  # the original is gone from the default folder
    (copy,) = [c for c in outlook.contacts_in(None) if c["id"] != uncategorised]
    assert copy["personalNotes"] == "Met at the conference" and copy["nickName"] == "Amazing Grace"
    assert copy["categories"] == ["Blue category", SYNC_CATEGORY]
    assert copy["givenName"] == "Grace1" and copy["emailAddresses"][0]["address"] == "grace1@navy.example"
    assert set(listing.entries) == {copy["id"], uncategorised}
    assert listing.entries[copy["id"]] == copy["changeKey"]
    fixed = outlook.get(uncategorised).json()
    assert fixed["categories"] == [SYNC_CATEGORY]
    assert listing.entries[uncategorised] == fixed["changeKey"]
    assert [c["id"] for c in outlook.contacts_in("contacts")] == [ignored]
    item = store.get_many([copy["id"]])[copy["id"]]
    assert isinstance(item, Item) and item.fields == normalise_fields(person(1))

    before = outlook.calls()
    quiet = store.list_changes(listing.cursor)
    assert outlook.calls() - before == 1
    assert set(quiet.entries) <= set(listing.entries)
    assert all(quiet.entries[i] == listing.entries[i] for i in quiet.entries)  # echoes of our own fixes


def test_manual_selection_puts_a_removed_category_back_and_takes_it_off_a_contact_moved_out(
    outlook: OutlookUser,
) -> None:
    store = outlook.store(SelectionMethod.MANUAL)
    stays, leaves = (
        outlook.add(person(1), categories=[SYNC_CATEGORY]),
        outlook.add(person(2), categories=[SYNC_CATEGORY]),
    )
    first = store.list_changes(None)
    assert set(first.entries) == {stays, leaves}

    outlook.patch(stays, {"categories": ["Red category"]})
    outlook.move(leaves, "contacts")
    second = store.list_changes(first.cursor)

    restored = outlook.get(stays).json()
    assert restored["categories"] == ["Red category", SYNC_CATEGORY]
    assert second.entries == {stays: restored["changeKey"]}
    assert second.removed == {leaves: Removal.LEFT_SCOPE}
    moved_out = outlook.get(leaves).json()
    assert moved_out["categories"] == [] and moved_out["parentFolderId"] != outlook.folder_id
    assert isinstance(store.get_many([leaves])[leaves], OutOfScope)

    third = store.list_changes(second.cursor)  # the contact moved out is not brought back
    assert leaves not in third.entries
    assert [c["id"] for c in outlook.contacts_in("contacts")] == [leaves]


def test_manual_selection_creates_contacts_with_the_category(outlook: OutlookUser) -> None:
    store = outlook.store(SelectionMethod.MANUAL)
    (result,) = store.create_many([Create(normalise_fields(person(1)), "crmbridge:salesforce:003A")])
    assert isinstance(result, Written)
    assert outlook.get(result.id).json()["categories"] == [SYNC_CATEGORY]


# -- private contacts


@pytest.mark.parametrize("include_private", [False, True])
def test_private_contacts_are_out_of_scope_unless_asked_for(outlook: OutlookUser, include_private: bool) -> None:
    store = outlook.store(include_private=include_private)
    public, private = outlook.add(person(1)), outlook.add(person(2), private=True)

    first = store.list_changes(None)

    assert set(first.entries) == ({public, private} if include_private else {public})
    found = store.get_many([private])[private]
    assert isinstance(found, Item) if include_private else isinstance(found, OutOfScope)

    outlook.patch(public, {"singleValueExtendedProperties": [{"id": "Integer 0x0036", "value": "2"}]})
    second = store.list_changes(first.cursor)
    if include_private:
        assert set(second.entries) == {public}
    else:
        assert second.removed == {public: Removal.LEFT_SCOPE}


def test_changing_the_selection_lists_everything_again(outlook: OutlookUser) -> None:
    synced = outlook.add(person(1), categories=[DONT_SYNC_CATEGORY])
    first = outlook.store().list_changes(None)
    assert dict(first.entries) == {}

    manual = outlook.store(SelectionMethod.MANUAL).list_changes(first.cursor)

    assert manual.complete and set(manual.entries) == {synced}
    assert SYNC_CATEGORY in outlook.category_names()


# -- markers


def test_markers_are_found_in_the_folder_and_in_the_default_folder(outlook: OutlookUser) -> None:
    store = outlook.store()
    creates = [Create(normalise_fields(person(n)), f"crmbridge:salesforce:003{n}") for n in range(25)]
    results = store.create_many(creates)
    assert all(isinstance(r, Written) for r in results)
    moved = results[3].id
    outlook.move(moved, "contacts")
    wanted = [c.marker for c in creates] + ["crmbridge:salesforce:missing", "crmbridge:salesforce:it's"]

    before = outlook.calls()
    found = store.find_by_markers(wanted)

    assert outlook.calls() - before == 1
    assert set(found) == {c.marker for c in creates}
    assert found["crmbridge:salesforce:0033"].item.id == moved and not found["crmbridge:salesforce:0033"].in_scope
    assert all(found[c.marker].in_scope for i, c in enumerate(creates) if i != 3)
    assert found["crmbridge:salesforce:0030"].item.marker == "crmbridge:salesforce:0030"
    assert found["crmbridge:salesforce:0030"].item.fields == normalise_fields(person(0))


# -- expired delta tokens


@pytest.mark.parametrize("code", ["resyncRequired", "syncStateNotFound"])
def test_an_expired_delta_token_gives_a_complete_listing_from_a_fresh_round(outlook: OutlookUser, code: str) -> None:
    store = outlook.store()
    ids = {outlook.add(person(1)), outlook.add(person(2))}
    first = store.list_changes(None)
    ids.add(outlook.add(person(3)))
    outlook.expire_delta_tokens(code)

    listing = store.list_changes(first.cursor)

    assert listing.complete and set(listing.entries) == ids
    assert json.loads(listing.cursor or "")["delta"] != json.loads(first.cursor or "")["delta"]
    before = outlook.calls()
    assert dict(store.list_changes(listing.cursor).entries) == {}
    assert outlook.calls() - before == 1


class ExpiringAfter(httpx.BaseTransport):
    """Real HTTP to the sandbox; after the n-th Graph call, every delta and skip token of the mailbox expires."""

    def __init__(self, user: OutlookUser, calls: int) -> None:
        self.user, self.left = user, calls
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        self.left -= 1
        if self.left == 0:
            response.read()
            self.user.expire_delta_tokens("resyncRequired")
        return response


def test_a_token_expiring_in_the_middle_of_a_round_starts_a_fresh_complete_round(outlook: OutlookUser) -> None:
    outlook.seed_folder(450)  # three delta pages of 200
    store = outlook.store(transport=ExpiringAfter(outlook, 2))
    before = outlook.calls()

    listing = store.list_changes(None)

    # setup; first listing batch (then the tokens expire); the second delta page answers 410; a fresh round of three
    assert listing.complete and len(listing.entries) == 450
    assert outlook.calls() - before == 6
    before = outlook.calls()
    assert dict(store.list_changes(listing.cursor).entries) == {}
    assert outlook.calls() - before == 1


def test_a_delta_token_past_its_lifetime_gives_a_complete_listing(outlook: OutlookUser) -> None:
    store = outlook.store()
    kept = outlook.add(person(1))
    first = store.list_changes(None)
    outlook.sandbox.state.clock.advance(timedelta(days=8))

    listing = store.list_changes(first.cursor)

    assert listing.complete and set(listing.entries) == {kept}
