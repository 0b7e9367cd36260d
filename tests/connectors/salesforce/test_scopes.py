"""The three scopes of the Salesforce contact store: leaving scope is never deletion; deletion is seen by queryAll."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from app.connectors.salesforce.contacts_store import ContactScope
from app.sandbox.salesforce import listviews
from app.sync.stores import Gone, Item, OutOfScope, Removal
from tests.connectors.salesforce.support import (
    ALEX,
    PRIYA,
    OrgHands,
    api_calls,
    last_call_id,
    make_store,
    user_id,
)
from tests.sandbox.conftest import LiveSandbox


def person(n: int, **extra: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "first_name": f"Lin{n}",
        "last_name": f"Scope{n}",
        "email": f"lin{n}@scope.example.com",
    }
    fields.update(extra)
    return fields


def test_mine_holds_own_contacts_and_an_owner_change_is_leaving_scope(live: LiveSandbox, hands: OrgHands) -> None:
    own, priyas = hands.add(person(1)), hands.add(person(2), owner=PRIYA)
    store = make_store(live)

    first = store.list_changes(None)
    assert first.complete and set(first.entries) == {own}
    assert isinstance(store.get_many([priyas])[priyas], OutOfScope)

    hands.update(own, {"OwnerId": user_id(live, PRIYA)})
    listing = store.list_changes(first.cursor)
    assert not listing.complete and listing.entries == {}
    # Priya's recent contact is reported too: any changed contact of another owner may be one that left.
    assert listing.removed == {own: Removal.LEFT_SCOPE, priyas: Removal.LEFT_SCOPE}
    assert isinstance(store.get_many([own])[own], OutOfScope)
    assert isinstance(make_store(live).get_many([own])[own], OutOfScope)  # read afresh, not remembered

    hands.update(own, {"OwnerId": user_id(live, ALEX)})
    back = store.list_changes(listing.cursor)
    assert set(back.entries) == {own} and not back.removed


def test_all_holds_every_visible_contact_and_sees_deletions_through_query_all(
    live: LiveSandbox, hands: OrgHands
) -> None:
    own, priyas = hands.add(person(1)), hands.add(person(2), owner=PRIYA)
    store = make_store(live, scope=ContactScope.ALL)
    first = store.list_changes(None)
    assert set(first.entries) == {own, priyas}

    hands.remove(priyas, by=PRIYA)
    hands.update(own, {"OwnerId": user_id(live, PRIYA)})
    listing = store.list_changes(first.cursor)

    assert not listing.complete
    assert listing.removed == {priyas: Removal.DELETED}
    assert set(listing.entries) == {own}  # another owner: still in "all"
    found = store.get_many([priyas, own])
    assert isinstance(found[priyas], Gone) and isinstance(found[own], Item)


def test_contacts_the_rep_cannot_see_are_out_of_scope_never_gone(live: LiveSandbox, hands: OrgHands) -> None:
    shared = hands.add(person(1), owner=PRIYA)
    store = make_store(live, scope=ContactScope.ALL)
    first = store.list_changes(None)
    assert set(first.entries) == {shared}

    hands.org.settings.apply({"sharing": {"Contact": "Private"}})
    quiet = store.list_changes(first.cursor)
    assert quiet.entries == {} and quiet.removed == {}  # sharing moves no SystemModstamp...

    live.state.clock.advance(timedelta(days=1, minutes=1))
    daily = store.list_changes(quiet.cursor)  # ...so once a day the listing is complete
    assert daily.complete and shared not in daily.entries
    assert isinstance(store.get_many([shared])[shared], OutOfScope)


def _europe_view(hands: OrgHands) -> str:
    return hands.org.list_view_ids["Key_contacts_Europe"]


def test_a_list_view_holds_its_members_and_a_contact_leaving_it_is_out_of_scope(
    live: LiveSandbox, hands: OrgHands
) -> None:
    paris = hands.add(person(1, country="France"))
    hands.add(person(2, country="Canada"))
    berlin = hands.add(person(3, country="Germany"), owner=PRIYA)
    store = make_store(live, scope=ContactScope.LIST_VIEW, list_view_id=_europe_view(hands))

    before = last_call_id(live)
    first = store.list_changes(None)
    assert first.complete and set(first.entries) == {paris, berlin}
    assert api_calls(live, before) == 2  # the view's SOQL (and the describe), then the listing

    hands.edit(paris, {"country": "Canada"})
    hands.remove(berlin, by=PRIYA)
    before = last_call_id(live)
    listing = store.list_changes(first.cursor)
    assert api_calls(live, before) == 1
    assert listing.complete and listing.entries == {}
    found = store.get_many([paris, berlin])
    assert isinstance(found[paris], OutOfScope) and isinstance(found[berlin], Gone)

    before = last_call_id(live)
    quiet = store.list_changes(listing.cursor)
    assert api_calls(live, before) == 1 and quiet.entries == {}


def test_a_list_view_using_scope_mine(live: LiveSandbox, hands: OrgHands) -> None:
    own, priyas = hands.add(person(1)), hands.add(person(2), owner=PRIYA)
    view_id = hands.org.list_view_ids["MyContacts"]
    store = make_store(live, scope=ContactScope.LIST_VIEW, list_view_id=view_id)

    first = store.list_changes(None)
    assert set(first.entries) == {own}
    hands.update(own, {"OwnerId": user_id(live, PRIYA)})
    listing = store.list_changes(first.cursor)
    assert listing.entries == {}
    assert isinstance(store.get_many([own])[own], OutOfScope)
    assert isinstance(store.get_many([priyas])[priyas], OutOfScope)


def test_a_changed_list_view_definition_is_read_again_within_a_day(
    live: LiveSandbox, hands: OrgHands, monkeypatch: pytest.MonkeyPatch
) -> None:
    paris = hands.add(person(1, country="France"))
    toronto = hands.add(person(2, country="Canada"))
    store = make_store(live, scope=ContactScope.LIST_VIEW, list_view_id=_europe_view(hands))
    first = store.list_changes(None)
    assert set(first.entries) == {paris}

    changed = tuple(
        dataclasses.replace(view, filter=listviews.Filter("MailingCountry", "equals", ("Canada",)))
        if view.developer_name == "Key_contacts_Europe"
        else view
        for view in listviews.LIST_VIEWS
    )
    monkeypatch.setattr(listviews, "LIST_VIEWS", changed)
    same_day = store.list_changes(first.cursor)
    assert set(same_day.entries) == {paris}  # the cached SOQL

    live.state.clock.advance(timedelta(days=1, minutes=1))
    before = last_call_id(live)
    next_day = store.list_changes(same_day.cursor)
    assert next_day.complete and set(next_day.entries) == {toronto}
    assert api_calls(live, before) == 2  # the listing with the view's describe, then again with its new SOQL
    assert isinstance(store.get_many([paris])[paris], OutOfScope)
