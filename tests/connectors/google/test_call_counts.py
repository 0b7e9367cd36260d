"""API calls of the People contact store, counted from the sandbox's call log (exact numbers: a regression guard)."""

from __future__ import annotations

from collections import Counter

from app.sync.items import Item, normalise_fields
from app.sync.stores import Create, Delete, Update, Written
from tests.connectors.google.hands import SALESFORCE_CONTACTS, PeopleHands

V1 = "/people.googleapis.com/v1"


def person(n: int, **extra: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "first_name": f"Katherine{n}",
        "last_name": f"Johnson{n}",
        "email": f"katherine{n}@nasa.example",
        "phones": (f"+1 757 555 {n:04d}",),
        "company": "NASA",
        "title": "Mathematician",
        "city": "Hampton",
    }
    fields.update(extra)
    return fields


def calls_since(hands: PeopleHands, after_id: int) -> Counter[str]:
    return Counter(hands.call_paths(after_id))


def test_listing_1000_contacts_then_writing_250_of_each_kind(hands: PeopleHands) -> None:
    group = hands.group(SALESFORCE_CONTACTS)
    contacts = hands.add_many([person(n) for n in range(1000)], group)
    store = hands.store()

    mark = hands.last_call_id()
    listing = store.list_changes(None)
    assert listing.complete and set(listing.entries) == set(contacts)
    assert calls_since(hands, mark) == {
        f"GET {V1}/contactGroups": 1,  # find "Salesforce Contacts" by name
        f"POST {V1}/contactGroups": 1,  # create "Don't sync with Salesforce"
        f"GET {V1}/people/me/connections": 1,  # one page of 1000
    }

    mark = hands.last_call_id()
    found = store.get_many(contacts)
    assert all(isinstance(found[c], Item) for c in contacts)
    assert calls_since(hands, mark) == {}  # read by this pass's listing: served from memory

    mark = hands.last_call_id()
    updates = [
        Update(c, listing.entries[c], normalise_fields(person(n, title="Research Mathematician")))
        for n, c in enumerate(contacts[:250])
    ]
    updated = store.update_many(updates)
    assert all(isinstance(answer, Written) for answer in updated)
    assert calls_since(hands, mark) == {f"POST {V1}/people:batchUpdateContacts": 2}

    mark = hands.last_call_id()
    creates = [Create(normalise_fields(person(n)), f"crmbridge:salesforce:003{n:012d}") for n in range(1000, 1250)]
    created = store.create_many(creates)
    assert all(isinstance(answer, Written) for answer in created)
    assert calls_since(hands, mark) == {f"POST {V1}/people:batchCreateContacts": 2}

    mark = hands.last_call_id()
    deleted = store.delete_many([Delete(c, listing.entries[c]) for c in contacts[250:500]])
    assert all(isinstance(answer, Written) for answer in deleted)
    assert calls_since(hands, mark) == {f"POST {V1}/people:batchDeleteContacts": 1}

    # The next pass sees our own writes come back with the etags we recorded: nothing to fetch.
    mark = hands.last_call_id()
    echo = store.list_changes(listing.cursor)
    written = {answer.id: answer.etag for answer in [*updated, *created] if isinstance(answer, Written)}
    assert dict(echo.entries) == written
    assert set(echo.removed) == set(contacts[250:500])
    assert calls_since(hands, mark) == {
        f"GET {V1}/people/me/connections": 1,
        f"GET {V1}/contactGroups:batchGet": 1,  # deletions seen: is the group still there?
    }

    mark = hands.last_call_id()
    quiet = store.list_changes(echo.cursor)
    assert dict(quiet.entries) == {} and dict(quiet.removed) == {}
    assert calls_since(hands, mark) == {f"GET {V1}/people/me/connections": 1}

    # Ids this pass did not read: 200 per getBatchGet.
    fresh = hands.store()
    mark = hands.last_call_id()
    answers = fresh.get_many(contacts[500:750])
    assert all(isinstance(answers[c], Item) for c in contacts[500:750])
    # A getBatchGet of 200 names makes a URL longer than 2048 characters: google-api-python-client sends it as a
    # POST with X-HTTP-Method-Override: GET (still one call each).
    assert calls_since(hands, mark) == {f"GET {V1}/contactGroups": 1, f"POST {V1}/people:batchGet": 2}


def test_find_by_markers_is_one_scan_of_pages_of_1000(hands: PeopleHands) -> None:
    group = hands.group(SALESFORCE_CONTACTS)
    hands.add_many([person(n) for n in range(1001)], group)
    store = hands.store()
    (ours,) = store.create_many([Create(normalise_fields(person(5000)), "crmbridge:salesforce:003LOST")])
    assert isinstance(ours, Written)

    mark = hands.last_call_id()
    found = store.find_by_markers(["crmbridge:salesforce:003LOST", "crmbridge:salesforce:003NONE"])

    assert set(found) == {"crmbridge:salesforce:003LOST"}
    assert found["crmbridge:salesforce:003LOST"].item.id == ours.id and found["crmbridge:salesforce:003LOST"].in_scope
    assert calls_since(hands, mark) == {f"GET {V1}/people/me/connections": 2}
