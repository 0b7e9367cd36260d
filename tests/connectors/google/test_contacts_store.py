"""The People contact store against the live sandbox: groups, selection, cursors, preconditions."""

from __future__ import annotations

import json

from app.connectors.retry import RetryPolicy
from app.connectors.selection import SelectionMethod
from app.sandbox.faults import FaultSpec
from app.sync.items import Item, normalise_fields
from app.sync.stores import Create, Delete, FailureKind, Gone, OutOfScope, Removal, Update, WriteFailure, Written
from tests.connectors.google.hands import DONT_SYNC, MY_CONTACTS, SALESFORCE_CONTACTS, SYNC, PeopleHands

CONNECTIONS = "/people.googleapis.com/v1/people/me/connections"


def person(n: int, **extra: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "first_name": f"Grace{n}",
        "last_name": f"Hopper{n}",
        "email": f"grace{n}@navy.example",
        "title": "Rear Admiral",
    }
    fields.update(extra)
    return fields


def test_an_empty_reset_keeps_the_demo_user_reachable_with_an_empty_address_book(hands: PeopleHands) -> None:
    # The "empty" reset empties the directory, but a Google token still opens the user's (empty) account.
    assert hands.service.people().get(resourceName="people/me", personFields="names").execute()["resourceName"]
    listed = hands.service.people().connections().list(resourceName="people/me", personFields="names").execute()
    assert listed.get("connections", []) == []
    assert hands.groups() == {}


def test_the_first_pass_creates_the_groups_and_later_passes_find_them_in_the_cursor(hands: PeopleHands) -> None:
    store = hands.store()
    before = hands.last_call_id()

    first = store.list_changes(None)

    assert hands.call_paths(before) == [
        "GET /people.googleapis.com/v1/contactGroups",
        "POST /people.googleapis.com/v1/contactGroups",
        "POST /people.googleapis.com/v1/contactGroups",
        f"GET {CONNECTIONS}",
    ]
    assert first.complete and dict(first.entries) == {}
    assert set(hands.groups()) == {SALESFORCE_CONTACTS, DONT_SYNC}
    before = hands.last_call_id()
    again = hands.store().list_changes(first.cursor)
    assert hands.call_paths(before) == [f"GET {CONNECTIONS}"]
    assert not again.complete and dict(again.entries) == {}


def test_with_no_cursor_an_existing_group_is_found_by_name(hands: PeopleHands) -> None:
    group = hands.group(SALESFORCE_CONTACTS)
    inside = hands.add(person(1), group)

    listing = hands.store().list_changes(None)

    assert set(listing.entries) == {inside}
    assert json.loads(listing.cursor or "{}")["group"] == group
    assert list(hands.groups()).count(SALESFORCE_CONTACTS) == 1


def test_automatic_selection_is_the_group_minus_dont_sync(hands: PeopleHands) -> None:
    store = hands.store()
    group = hands.group(SALESFORCE_CONTACTS)
    synced, kept_out, personal = hands.add(person(1), group), hands.add(person(2), group), hands.add(person(3))
    first = store.list_changes(None)
    assert set(first.entries) == {synced, kept_out}
    dont_sync = hands.groups()[DONT_SYNC]
    assert SYNC not in hands.groups()  # only manual selection uses "Sync with Salesforce"

    hands.join(kept_out, dont_sync)
    hands.edit(personal, {"title": "Admiral"})
    second = store.list_changes(first.cursor)

    assert dict(second.entries) == {}
    assert second.removed == {kept_out: Removal.LEFT_SCOPE, personal: Removal.LEFT_SCOPE}
    found = store.get_many([synced, kept_out, personal])
    assert isinstance(found[synced], Item)
    assert isinstance(found[kept_out], OutOfScope) and isinstance(found[personal], OutOfScope)

    hands.leave(kept_out, dont_sync)
    third = store.list_changes(second.cursor)
    assert set(third.entries) == {kept_out}


def test_manual_selection_puts_the_memberships_right(hands: PeopleHands) -> None:
    group, sync = hands.group(SALESFORCE_CONTACTS), hands.group(SYNC)
    in_group = hands.add(person(1), group)  # in the group, not selected: gets "Sync with Salesforce"
    selected = hands.add(person(2), sync)  # selected outside the group: brought into it
    personal = hands.add(person(3))
    store = hands.store(SelectionMethod.MANUAL)
    before = hands.last_call_id()

    first = store.list_changes(None)

    assert set(first.entries) == {in_group, selected}
    assert DONT_SYNC not in hands.groups()
    assert hands.group_names_of(in_group) == {MY_CONTACTS, group, sync}
    assert hands.group_names_of(selected) == {MY_CONTACTS, group, sync}
    assert hands.group_names_of(personal) == {MY_CONTACTS}
    modify = f"POST /people.googleapis.com/v1/{group}/members:modify"
    assert hands.call_paths(before).count(modify) == 1
    assert hands.call_paths(before).count(f"POST /people.googleapis.com/v1/{sync}/members:modify") == 1

    # The memberships we set come back as changes: nothing to do, and no call but the listing.
    echo = store.list_changes(first.cursor)
    assert set(echo.entries) == {in_group, selected}
    before = hands.last_call_id()
    quiet = store.list_changes(echo.cursor)
    assert hands.call_paths(before) == [f"GET {CONNECTIONS}"] and dict(quiet.entries) == {}

    hands.leave(in_group, group)  # removed from the group: out of scope, and the selection goes
    hands.leave(selected, sync)  # lost its selection but still in the group: selected again
    hands.join(personal, sync)  # newly selected
    changes = store.list_changes(quiet.cursor)

    assert set(changes.entries) == {selected, personal}
    assert changes.removed == {in_group: Removal.LEFT_SCOPE}
    assert hands.group_names_of(in_group) == {MY_CONTACTS}
    assert hands.group_names_of(selected) == {MY_CONTACTS, group, sync}
    assert hands.group_names_of(personal) == {MY_CONTACTS, group, sync}
    found = store.get_many([in_group, selected, personal])
    assert isinstance(found[in_group], OutOfScope)
    assert isinstance(found[personal], Item) and found[personal].fields["first_name"] == "Grace3"

    # Selected again later: back in the group and in scope.
    hands.join(in_group, sync)
    back = store.list_changes(changes.cursor)
    assert in_group in back.entries
    assert hands.group_names_of(in_group) == {MY_CONTACTS, group, sync}


def test_manual_selection_of_a_contact_we_created_and_the_user_took_out_of_the_group(hands: PeopleHands) -> None:
    store = hands.store(SelectionMethod.MANUAL)
    first = store.list_changes(None)
    group, sync = hands.groups()[SALESFORCE_CONTACTS], hands.groups()[SYNC]
    (created,) = store.create_many([Create(normalise_fields(person(1)), "crmbridge:salesforce:003A")])
    assert isinstance(created, Written)
    assert hands.group_names_of(created.id) == {MY_CONTACTS, group, sync}

    hands.leave(created.id, group)  # before any listing saw it in scope
    second = store.list_changes(first.cursor)

    assert second.removed == {created.id: Removal.LEFT_SCOPE}
    assert hands.group_names_of(created.id) == {MY_CONTACTS}
    hands.join(created.id, sync)
    third = store.list_changes(second.cursor)
    assert created.id in third.entries


def test_an_update_after_housekeeping_changed_the_etag_still_applies(hands: PeopleHands) -> None:
    group = hands.group(SALESFORCE_CONTACTS)
    contact = hands.add(person(1), group)
    store = hands.store(SelectionMethod.MANUAL)
    listing = store.list_changes(None)  # adds the contact to "Sync with Salesforce": a new etag
    item = store.get_many([contact])[contact]
    assert isinstance(item, Item) and item.etag == listing.entries[contact]

    (answer,) = store.update_many([Update(contact, item.etag, normalise_fields(person(1, title="Commodore")))])

    assert isinstance(answer, Written), answer
    assert hands.get(contact)["organizations"][0]["title"] == "Commodore"
    assert hands.get(contact)["etag"] == answer.etag


def test_an_update_after_housekeeping_and_a_user_edit_is_refused(hands: PeopleHands) -> None:
    group = hands.group(SALESFORCE_CONTACTS)
    contact = hands.add(person(1), group)
    store = hands.store(SelectionMethod.MANUAL)
    listing = store.list_changes(None)
    hands.edit(contact, {"title": "Commodore"})

    (answer,) = store.update_many([Update(contact, listing.entries[contact], normalise_fields(person(1)))])

    assert isinstance(answer, WriteFailure) and answer.kind is FailureKind.PRECONDITION
    assert hands.get(contact)["organizations"][0]["title"] == "Commodore"


def test_a_renamed_group_changes_nothing(hands: PeopleHands) -> None:
    store = hands.store()
    group = hands.group(SALESFORCE_CONTACTS)
    contact = hands.add(person(1), group)
    first = store.list_changes(None)

    hands.rename_group(group, "CRM people")
    before = hands.last_call_id()
    second = store.list_changes(first.cursor)
    (created,) = store.create_many([Create(normalise_fields(person(2)), "crmbridge:salesforce:003B")])

    assert hands.call_paths(before)[0] == f"GET {CONNECTIONS}"
    assert dict(second.entries) == {} and dict(second.removed) == {}
    assert isinstance(created, Written) and group in hands.group_names_of(created.id)
    assert SALESFORCE_CONTACTS not in hands.groups()
    assert contact in hands.members(group)


def test_a_deleted_group_is_created_again_and_listed_empty(hands: PeopleHands) -> None:
    store = hands.store()
    group = hands.group(SALESFORCE_CONTACTS)
    contacts = {hands.add(person(n), group) for n in range(3)}
    first = store.list_changes(None)
    assert set(first.entries) == contacts

    hands.delete_group(group)
    second = store.list_changes(first.cursor)

    assert second.complete and dict(second.entries) == {}
    recreated = hands.groups()[SALESFORCE_CONTACTS]
    assert recreated != group
    assert json.loads(second.cursor or "{}")["group"] == recreated
    # The guard stops that pass, so the next one starts from the old cursor again: still nothing in scope.
    again = store.list_changes(first.cursor)
    assert again.complete and dict(again.entries) == {}
    assert hands.groups()[SALESFORCE_CONTACTS] == recreated
    (created,) = store.create_many([Create(normalise_fields(person(9)), "crmbridge:salesforce:003C")])
    assert isinstance(created, Written) and recreated in hands.group_names_of(created.id)


def test_an_expired_sync_token_gives_a_complete_listing(hands: PeopleHands) -> None:
    store = hands.store()
    group = hands.group(SALESFORCE_CONTACTS)
    kept = hands.add(person(1), group)
    first = store.list_changes(None)
    added = hands.add(person(2), group)

    hands.expire_sync_tokens()
    before = hands.last_call_id()
    listing = store.list_changes(first.cursor)

    assert listing.complete and set(listing.entries) == {kept, added}
    assert hands.call_paths(before) == [
        f"GET {CONNECTIONS}",  # 400 EXPIRED_SYNC_TOKEN
        "GET /people.googleapis.com/v1/contactGroups:batchGet",  # the group of a full listing must still exist
        f"GET {CONNECTIONS}",
    ]
    follow = store.list_changes(listing.cursor)
    assert not follow.complete and dict(follow.entries) == {}


def test_a_410_on_the_sync_token_also_gives_a_complete_listing(hands: PeopleHands) -> None:
    store = hands.store()
    kept = hands.add(person(1), hands.group(SALESFORCE_CONTACTS))
    first = store.list_changes(None)
    hands.sandbox.state.faults.add(FaultSpec(provider="google", method="GET", path=CONNECTIONS, status=410, times=1))

    listing = store.list_changes(first.cursor)

    assert listing.complete and set(listing.entries) == {kept}


def test_a_429_on_the_first_page_of_a_full_sync_backs_off(hands: PeopleHands) -> None:
    waits: list[float] = []
    kept = hands.add(person(1), hands.group(SALESFORCE_CONTACTS))
    store = hands.store(retry=RetryPolicy(max_attempts=4, sleep=waits.append))
    hands.sandbox.state.faults.add(
        FaultSpec(
            provider="google", method="GET", path=CONNECTIONS, status=429, times=2, headers=(("Retry-After", "7"),)
        )
    )

    listing = store.list_changes(None)

    assert listing.complete and set(listing.entries) == {kept}
    assert waits == [7.0, 7.0]


def test_a_stale_etag_is_a_precondition_failure_and_the_rest_of_the_batch_applies(hands: PeopleHands) -> None:
    store = hands.store()
    group = hands.group(SALESFORCE_CONTACTS)
    edited, untouched = hands.add(person(1), group), hands.add(person(2), group)
    listing = store.list_changes(None)
    hands.edit(edited, {"title": "Commodore"})  # after our read: the etag we hold is stale

    answers = store.update_many(
        [
            Update(edited, listing.entries[edited], normalise_fields(person(1, title="Admiral"))),
            Update(untouched, listing.entries[untouched], normalise_fields(person(2, title="Admiral"))),
        ]
    )

    assert isinstance(answers[0], WriteFailure) and answers[0].kind is FailureKind.PRECONDITION
    assert isinstance(answers[1], Written)
    assert hands.get(edited)["organizations"][0]["title"] == "Commodore"
    assert hands.get(untouched)["organizations"][0]["title"] == "Admiral"


def test_an_update_keeps_unmapped_data_and_reports_what_google_holds(hands: PeopleHands) -> None:
    store = hands.store()
    contact = hands.add(person(1), hands.group(SALESFORCE_CONTACTS))
    hands.update_raw(
        contact,
        "emailAddresses,biographies",
        {
            "emailAddresses": [{"value": "grace1@navy.example"}, {"value": "grace@home.example", "type": "home"}],
            "biographies": [{"value": "Invented the compiler"}],
        },
    )
    listing = store.list_changes(None)

    (answer,) = store.update_many([Update(contact, listing.entries[contact], normalise_fields(person(1, email=None)))])

    assert isinstance(answer, Written)
    # Clearing the primary email makes the other address the first one: Google now holds it.
    assert answer.stored is not None and answer.stored["email"] == "grace@home.example"
    after = hands.get(contact, "emailAddresses,biographies")
    assert [e["value"] for e in after["emailAddresses"]] == ["grace@home.example"]
    assert after["biographies"][0]["value"] == "Invented the compiler"


def test_deleting_what_is_already_gone_is_not_found_and_the_rest_is_deleted(hands: PeopleHands) -> None:
    store = hands.store()
    group = hands.group(SALESFORCE_CONTACTS)
    gone, kept = hands.add(person(1), group), hands.add(person(2), group)
    hands.remove(gone)

    answers = store.delete_many([Delete(gone, ""), Delete(kept, "")])

    assert isinstance(answers[0], WriteFailure) and answers[0].kind is FailureKind.NOT_FOUND
    assert isinstance(answers[1], Written)
    assert isinstance(store.get_many([kept])[kept], Gone)


def test_manual_selection_survives_the_selection_group_being_deleted(hands: PeopleHands) -> None:
    group = hands.group(SALESFORCE_CONTACTS)
    contact = hands.add(person(1), group)
    store = hands.store(SelectionMethod.MANUAL)
    first = store.list_changes(None)
    echo = store.list_changes(first.cursor)
    old_sync = hands.groups()[SYNC]

    hands.delete_group(old_sync)
    listing = store.list_changes(echo.cursor)

    new_sync = hands.groups()[SYNC]
    assert new_sync != old_sync
    assert set(listing.entries) == {contact}
    assert hands.group_names_of(contact) == {MY_CONTACTS, group, new_sync}
    assert json.loads(listing.cursor or "{}")["other"] == new_sync


def test_an_expired_sync_token_and_a_deleted_group_give_a_new_group_listed_empty(hands: PeopleHands) -> None:
    store = hands.store()
    group = hands.group(SALESFORCE_CONTACTS)
    hands.add(person(1), group)
    first = store.list_changes(None)

    hands.delete_group(group)
    hands.expire_sync_tokens()
    listing = store.list_changes(first.cursor)

    assert listing.complete and dict(listing.entries) == {}
    assert hands.groups()[SALESFORCE_CONTACTS] != group
