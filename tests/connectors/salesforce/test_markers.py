"""Markers: a contact crmbridge created carries its marker in Description and is found by it, so that a create
whose answer was lost is linked on the next pass instead of being made twice."""

from __future__ import annotations

import pytest

from app.connectors.contact_fields import MATCH_KEY, MULTI_VALUED
from app.connectors.salesforce.contacts_store import ContactScope
from app.sync.config import Side, SyncConfig
from app.sync.engine import run_pass
from app.sync.items import normalise_fields
from app.sync.memory import MemoryItemStore, MemoryStatusStore, SimulatedCrash
from app.sync.stores import Create, Item, Written
from tests.connectors.salesforce.support import PRIYA, OrgHands, api_calls, last_call_id, make_store, user_id
from tests.sandbox.conftest import LiveSandbox


def person(n: int) -> dict[str, object]:
    return {"first_name": f"Mo{n}", "last_name": f"Marker{n}", "email": f"mo{n}@marker.example.com"}


def test_the_marker_is_in_description_read_back_and_found_in_scope_or_not(live: LiveSandbox, hands: OrgHands) -> None:
    store = make_store(live)
    first = store.list_changes(None)
    results = store.create_many(
        [Create(normalise_fields(person(n)), f"crmbridge:mailbox:AAMkAGI2{n}==") for n in range(3)]
    )
    ids = [result.id for result in results if isinstance(result, Written)]
    assert hands.row(ids[0])["Description"] == "crmbridge:mailbox:AAMkAGI20=="
    hands.edit(ids[1], {"title": "Notes added by hand"})
    hands.update(
        ids[1], {"Description": "Met at the fair.\ncrmbridge:mailbox:AAMkAGI21==\n"}, by="alex.morgan@example.com"
    )
    hands.update(ids[2], {"OwnerId": user_id(live, PRIYA)})

    next_pass = make_store(live)
    listing = next_pass.list_changes(first.cursor)
    found = next_pass.get_many(ids[:2])
    markers = [item.marker if isinstance(item, Item) else None for item in (found[i] for i in ids[:2])]
    assert markers == ["crmbridge:mailbox:AAMkAGI20==", "crmbridge:mailbox:AAMkAGI21=="]
    assert set(listing.entries) == set(ids[:2])

    before = last_call_id(live)
    marked = next_pass.find_by_markers([f"crmbridge:mailbox:AAMkAGI2{n}==" for n in range(3)] + ["crmbridge:x:y"])
    assert api_calls(live, before) == 1
    assert {marker: (m.item.id, m.in_scope) for marker, m in marked.items()} == {
        "crmbridge:mailbox:AAMkAGI20==": (ids[0], True),
        "crmbridge:mailbox:AAMkAGI21==": (ids[1], True),
        "crmbridge:mailbox:AAMkAGI22==": (ids[2], False),
    }


def test_markers_are_found_in_a_list_view_scope_too(live: LiveSandbox, hands: OrgHands) -> None:
    view_id = hands.org.list_view_ids["Key_contacts_Europe"]
    store = make_store(live, scope=ContactScope.LIST_VIEW, list_view_id=view_id)
    store.list_changes(None)
    inside, outside = store.create_many(
        [
            Create(normalise_fields({**person(1), "country": "France"}), "crmbridge:mailbox:in"),
            Create(normalise_fields({**person(2), "country": "Canada"}), "crmbridge:mailbox:out"),
        ]
    )
    assert isinstance(inside, Written) and isinstance(outside, Written)

    marked = store.find_by_markers(["crmbridge:mailbox:in", "crmbridge:mailbox:out"])

    assert marked["crmbridge:mailbox:in"].in_scope and marked["crmbridge:mailbox:in"].item.id == inside.id
    assert not marked["crmbridge:mailbox:out"].in_scope


def test_a_pass_that_died_after_creating_leaves_no_duplicate(live: LiveSandbox, hands: OrgHands) -> None:
    mailbox = MemoryItemStore("mailbox")
    for n in range(3):
        mailbox.put(person(n))
    status = MemoryStatusStore()
    config = SyncConfig(multi_valued=MULTI_VALUED, match_key=MATCH_KEY)

    status.crash_on_next_commit()
    with pytest.raises(SimulatedCrash):
        run_pass(mailbox, make_store(live), status, config)
    assert len(hands.contacts()) == 3  # created, never recorded

    again = run_pass(mailbox, make_store(live), status, config)

    assert again.ok and again.summary[Side.SALESFORCE].created == 0
    assert len(hands.contacts()) == 3 and len(status.links()) == 3
    quiet = run_pass(mailbox, make_store(live), status, config)
    assert quiet.ok and quiet.writes == 0
