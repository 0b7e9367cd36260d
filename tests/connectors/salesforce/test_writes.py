"""Writes: what Salesforce holds (cut values, a derived last name), per-record failures, limits and retries."""

from __future__ import annotations

import pytest

from app.connectors.retry import RetryPolicy
from app.sandbox.faults import FaultSpec
from app.sync.items import normalise_fields
from app.sync.stores import Create, Delete, FailureKind, Item, StoreError, Update, WriteFailure, Written
from tests.connectors.salesforce.support import SAM, OrgHands, api_calls, last_call_id, make_store
from tests.sandbox.conftest import LiveSandbox

COMPOSITE = "/sandbox.my.salesforce.com/services/data/*/composite"


def person(n: int, **extra: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "first_name": f"Ray{n}",
        "last_name": f"Write{n}",
        "email": f"ray{n}@write.example.com",
    }
    fields.update(extra)
    return fields


def creates(*batch: dict[str, object]) -> list[Create]:
    return [Create(normalise_fields(fields), f"crmbridge:mailbox:w{i}") for i, fields in enumerate(batch)]


def test_values_longer_than_described_are_cut_and_what_is_held_is_reported(live: LiveSandbox, hands: OrgHands) -> None:
    store = make_store(live)
    sent = person(1, title="T" * 200, city="Llanfairpwllgwyngyll" * 3, phones=("+1 555 0100", "+1 555 0101", "9" * 50))

    (result,) = store.create_many(creates(sent))

    assert isinstance(result, Written) and result.stored is not None
    row = hands.row(result.id)
    assert row["Title"] == "T" * 128 and len(row["MailingCity"]) == 40
    assert result.stored["title"] == "T" * 128 and result.stored["city"] == row["MailingCity"]
    assert len(result.stored["phones"]) == 2 and {row["Phone"], row["OtherPhone"]} == set(result.stored["phones"])
    read = store.get_many([result.id])[result.id]
    assert isinstance(read, Item) and read.fields == result.stored


def test_a_missing_last_name_is_derived_and_reported(live: LiveSandbox, hands: OrgHands) -> None:
    store = make_store(live)
    batch = [
        {"first_name": "Ada", "email": "ada@write.example.com"},
        {"email": "grace.hopper@write.example.com"},
        {"phones": ("+1 555 0199",)},
    ]

    results = store.create_many(creates(*batch))

    assert all(isinstance(result, Written) for result in results), results
    rows = [hands.row(result.id) for result in results if isinstance(result, Written)]
    assert [(row["FirstName"], row["LastName"]) for row in rows] == [
        (None, "Ada"),
        (None, "grace.hopper"),
        (None, "[not provided]"),
    ]
    stored = [result.stored for result in results if isinstance(result, Written)]
    assert stored[0] == normalise_fields({"last_name": "Ada", "email": "ada@write.example.com"})
    assert stored[2] == normalise_fields({"last_name": "[not provided]", "phones": ("+1 555 0199",)})


def test_an_email_longer_than_salesforce_holds_is_refused_not_cut(live: LiveSandbox, hands: OrgHands) -> None:
    store = make_store(live)
    store.list_changes(None)

    before = last_call_id(live)
    (result,) = store.create_many(creates(person(1, email="x" * 80 + "@write.example.com")))

    assert isinstance(result, WriteFailure) and result.kind is FailureKind.INVALID
    assert api_calls(live, before) == 0 and hands.contacts() == []


def test_one_bad_record_in_a_batch_of_200_fails_alone(live: LiveSandbox, hands: OrgHands) -> None:
    hands.org.settings.apply({"duplicate_rule": {"enabled": True, "action": "block"}})
    existing = hands.add(person(999, email="taken@write.example.com"), owner=SAM)
    store = make_store(live)
    store.list_changes(None)
    batch = [person(n) for n in range(200)]
    batch[17]["email"] = "not-an-email"
    batch[150]["email"] = "TAKEN@write.example.com"

    before = last_call_id(live)
    results = store.create_many(creates(*batch))

    assert api_calls(live, before) == 2  # the write, and a look at the record the duplicate rule matched
    failed = {index: result for index, result in enumerate(results) if isinstance(result, WriteFailure)}
    assert set(failed) == {17, 150}
    assert failed[17].kind is FailureKind.INVALID and "INVALID_EMAIL_ADDRESS" in failed[17].message
    assert failed[150].kind is FailureKind.INVALID and existing in failed[150].message
    assert len(hands.contacts()) == 1 + 198


@pytest.mark.parametrize("action", ["block", "alert"])
def test_a_duplicate_rule_match_in_scope_is_linked_instead_of_created(
    live: LiveSandbox, hands: OrgHands, action: str
) -> None:
    hands.org.settings.apply({"duplicate_rule": {"enabled": True, "action": action}})
    existing = hands.add(person(1))
    store = make_store(live)
    store.list_changes(None)

    (result,) = store.create_many(creates(person(2, email="ray1@write.example.com")))

    assert isinstance(result, Written) and result.id == existing
    found = store.get_many([existing])[existing]
    assert isinstance(found, Item) and result.stored == found.fields
    assert len(hands.contacts()) == 1  # an alert rule is not overridden


def test_a_duplicate_rule_match_out_of_scope_fails_and_names_the_record(live: LiveSandbox, hands: OrgHands) -> None:
    hands.org.settings.apply({"duplicate_rule": {"enabled": True, "action": "block"}})
    existing = hands.add(person(1), owner=SAM)
    store = make_store(live)

    (result,) = store.create_many(creates(person(2, email="ray1@write.example.com")))

    assert isinstance(result, WriteFailure) and result.kind is FailureKind.INVALID
    assert "DUPLICATES_DETECTED" in result.message and existing in result.message


def test_deleting_a_deleted_contact_is_not_found(live: LiveSandbox, hands: OrgHands) -> None:
    contact = hands.add(person(1))
    store = make_store(live)

    (first,) = store.delete_many([Delete(contact, "")])
    (again,) = store.delete_many([Delete(contact, "")])

    assert isinstance(first, Written) and hands.row(contact)["IsDeleted"] is True
    assert isinstance(again, WriteFailure) and again.kind is FailureKind.NOT_FOUND


def test_updating_a_deleted_contact_is_not_found(live: LiveSandbox, hands: OrgHands) -> None:
    contact = hands.add(person(1))
    hands.remove(contact)
    store = make_store(live)

    (answer,) = store.update_many([Update(contact, "", normalise_fields(person(1, title="CTO")))])

    assert isinstance(answer, WriteFailure) and answer.kind is FailureKind.NOT_FOUND


def test_the_request_limit_stops_writing_without_further_calls(live: LiveSandbox, hands: OrgHands) -> None:
    contact = hands.add(person(1))
    store = make_store(live)
    store.list_changes(None)
    org = hands.org
    org.settings.apply({"daily_api_requests": org.usage.used(org.now())})

    with pytest.raises(StoreError, match=r"Limit exceeded"):
        store.create_many(creates(person(2)))
    before = last_call_id(live)
    with pytest.raises(StoreError):
        store.update_many([Update(contact, "", normalise_fields(person(1)))])
    assert live.state.calls.last_id == before and len(hands.contacts()) == 1


def test_the_request_limit_midway_keeps_what_was_written(live: LiveSandbox, hands: OrgHands) -> None:
    store = make_store(live)
    store.list_changes(None)
    org = hands.org
    org.settings.apply({"daily_api_requests": org.usage.used(org.now()) + 1})

    results = store.create_many(creates(*[person(n) for n in range(1200)]))

    assert all(isinstance(result, Written) for result in results[:1000])
    assert all(isinstance(r, WriteFailure) and r.kind is FailureKind.THROTTLED for r in results[1000:])
    assert len(hands.contacts()) == 1000


def test_server_errors_are_retried_after_a_back_off_without_sleeping(live: LiveSandbox, hands: OrgHands) -> None:
    waits: list[float] = []
    store = make_store(live, retry=RetryPolicy(sleep=waits.append, jitter=lambda: 0.5))
    hands.add(person(1))
    live.state.faults.add(FaultSpec(provider="salesforce", method="POST", path=COMPOSITE, status=503, times=2))

    listing = store.list_changes(None)

    assert len(listing.entries) == 1 and len(waits) == 2 and waits[1] > waits[0]


def test_a_create_call_that_may_have_been_lost_is_never_sent_again(live: LiveSandbox, hands: OrgHands) -> None:
    store = make_store(live)
    store.list_changes(None)
    live.state.faults.add(FaultSpec(provider="salesforce", method="POST", path=COMPOSITE, status=503, times=1))

    before = last_call_id(live)
    with pytest.raises(StoreError):
        store.create_many(creates(person(1)))

    assert live.state.calls.last_id == before + 1  # one attempt: a resent create could make a second contact
    contact = hands.add(person(2))
    live.state.faults.add(FaultSpec(provider="salesforce", method="POST", path=COMPOSITE, status=503, times=1))
    (answer,) = store.update_many([Update(contact, "", normalise_fields(person(2, title="CTO")))])
    assert isinstance(answer, Written) and hands.row(contact)["Title"] == "CTO"  # updates are safe to resend
