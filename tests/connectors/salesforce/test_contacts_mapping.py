"""The contact store's pure parts: rows to fields, what a write sends, list view SOQL, the Company rule, errors."""

from __future__ import annotations

import pytest

from app.connectors.salesforce.contacts_company import CONTAINING_LIMIT, choose_accounts
from app.connectors.salesforce.contacts_errors import write_failure
from app.connectors.salesforce.contacts_mapping import (
    ContactDescribe,
    Prepared,
    marker_of,
    prepare,
    projection,
    select_list,
)
from app.connectors.salesforce.contacts_soql import ListViewFilter, contact_soql
from app.sync.items import normalise_fields
from app.sync.stores import FailureKind, WriteFailure

LENGTHS = {"FirstName": 40, "LastName": 80, "Email": 80, "Phone": 40, "OtherPhone": 40, "Title": 128}


def test_a_row_reads_as_the_projection() -> None:
    row = {
        "Id": "003Sb0000000001IAA",
        "FirstName": " Zoë ",
        "LastName": "Lefèvre",
        "Email": "zoe@example.fr",
        "Phone": "+33 1 23 45 67 89",
        "OtherPhone": None,
        "MobilePhone": "+33 6 12 34 56 78",
        "Account": {"attributes": {"type": "Account"}, "Name": "Société Générale"},
        "MailingCity": "Paris",
        "Description": "Met in Lyon.\ncrmbridge:mailbox:AAMk==",
    }
    assert projection(row) == normalise_fields(
        {
            "first_name": "Zoë",
            "last_name": "Lefèvre",
            "email": "zoe@example.fr",
            "phones": ("+33 1 23 45 67 89",),
            "mobile_phone": "+33 6 12 34 56 78",
            "company": "Société Générale",
            "city": "Paris",
        }
    )
    assert marker_of(row) == "crmbridge:mailbox:AAMk=="
    assert marker_of({"Description": "crmbridge: is what we use"}) is None


def test_prepare_keeps_the_current_phone_in_place_and_drops_a_third() -> None:
    fields = normalise_fields({"last_name": "Ng", "phones": ("1", "2", "3")})
    prepared = prepare(fields, LENGTHS, current_phone="3")
    assert isinstance(prepared, Prepared)
    assert (prepared.values["Phone"], prepared.values["OtherPhone"]) == ("3", "1")
    assert prepared.written["phones"] == ("1", "3")


def test_prepare_clears_every_field_left_out() -> None:
    prepared = prepare(normalise_fields({"last_name": "Ng"}), LENGTHS)
    assert isinstance(prepared, Prepared)
    assert prepared.values["Title"] is None and prepared.values["Email"] is None and prepared.values["Phone"] is None


def test_prepare_cuts_then_normalises() -> None:
    prepared = prepare(normalise_fields({"last_name": "Ng", "title": "a" * 127 + " b"}), LENGTHS)
    assert isinstance(prepared, Prepared)
    assert prepared.values["Title"] == "a" * 127
    refused = prepare(normalise_fields({"email": "a" * 81}), LENGTHS)
    assert isinstance(refused, WriteFailure) and refused.kind is FailureKind.INVALID


@pytest.mark.parametrize(
    ("soql", "scope", "where"),
    [
        (
            "SELECT name, id FROM Contact WHERE MailingCountry IN ('France', 'Spain') "
            "ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST",
            None,
            "MailingCountry IN ('France', 'Spain')",
        ),
        ("SELECT name FROM Contact USING SCOPE mine ORDER BY Name ASC NULLS FIRST", "mine", None),
        (
            "SELECT name FROM Contact USING SCOPE Team WHERE (Title = 'Head of order by' OR Title LIKE 'it\\'s%') "
            "AND LastName != 'WHERE' LIMIT 100",
            "team",
            "(Title = 'Head of order by' OR Title LIKE 'it\\'s%') AND LastName != 'WHERE'",
        ),
        ("select Id from contact where Department = 'Sales' with security_enforced", None, "Department = 'Sales'"),
    ],
)
def test_a_list_view_query_gives_its_scope_and_condition(soql: str, scope: str | None, where: str | None) -> None:
    parsed = ListViewFilter.parse(soql)
    assert (parsed.scope, parsed.where) == (scope, where)


def test_a_list_view_on_another_object_is_refused() -> None:
    with pytest.raises(ValueError, match="Contact"):
        ListViewFilter.parse("SELECT Id FROM Lead WHERE Status = 'Open'")


def test_contact_soql_ands_the_conditions_in_parentheses() -> None:
    assert contact_soql("Id", ["A = 1 OR B = 2", "C = 3"], scope="mine") == (
        "SELECT Id FROM Contact USING SCOPE mine WHERE (A = 1 OR B = 2) AND (C = 3)"
    )


def test_the_select_list_follows_what_the_describe_lets_the_user_read() -> None:
    assert "Description" in select_list(None) and "Account.Name" in select_list(None)
    hidden = ContactDescribe(lengths={}, readable=frozenset({"FirstName", "LastName"}), marker_writable=False)
    assert select_list(hidden) == "Id, IsDeleted, SystemModstamp, LastModifiedDate, OwnerId, FirstName, LastName"


def test_the_company_rule_over_batch_results() -> None:
    named = [{"Id": "001A", "Name": "ACME"}, {"Id": "001B", "Name": "Acme"}]
    containing = [*named, {"Id": "001C", "Name": "Initech Ltd"}, {"Id": "001D", "Name": "Hooli East"}]
    containing += [{"Id": "001E", "Name": "Hooli West"}]
    choice = choose_accounts(["acme", "Initech", "Hooli", "Nobody"], named, containing)
    assert {key: ref.id if ref else None for key, ref in choice.accounts.items()} == {
        "acme": "001A",
        "initech": "001C",
        "hooli": None,
        "nobody": None,
    }
    assert not choice.unsure
    page = [{"Id": f"001{n:05d}", "Name": f"Generic {n}"} for n in range(CONTAINING_LIMIT)]
    unsure = choose_accounts(["Generic", "Rare"], [], page)
    assert unsure.unsure == {"Rare"}  # a full page may hide Rare's only match; Generic is ambiguous anyway


@pytest.mark.parametrize(
    ("errors", "kind", "text"),
    [
        ([{"statusCode": "ENTITY_IS_DELETED", "message": "entity is deleted", "fields": []}], "not_found", "deleted"),
        ([{"statusCode": "INVALID_CROSS_REFERENCE_KEY", "message": "bad", "fields": []}], "not_found", "bad"),
        ([{"statusCode": "INVALID_CROSS_REFERENCE_KEY", "message": "bad", "fields": ["AccountId"]}], "invalid", "Acc"),
        ([{"statusCode": "UNABLE_TO_LOCK_ROW", "message": "locked", "fields": []}], "transient", "locked"),
        ([{"statusCode": "REQUEST_LIMIT_EXCEEDED", "message": "limit", "fields": []}], "throttled", "limit"),
        ([{"statusCode": "DUPLICATES_DETECTED", "message": "Use one of these records?"}], "invalid", "Use one"),
        (
            [
                {
                    "statusCode": "DUPLICATES_DETECTED",
                    "message": "Use one of these records?",
                    "duplicateResult": {"matchResults": [{"matchRecords": [{"record": {"Id": "003X"}}]}]},
                }
            ],
            "invalid",
            "003X",
        ),
        ([{"statusCode": "STRING_TOO_LONG", "message": "too long", "fields": ["Title"]}], "invalid", "[Title]"),
        (None, "invalid", "refused"),
    ],
)
def test_per_record_errors(errors: object, kind: str, text: str) -> None:
    failure = write_failure(errors)
    assert failure.kind is FailureKind(kind) and text in failure.message
