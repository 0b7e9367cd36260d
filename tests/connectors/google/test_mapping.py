"""Person JSON <-> contact projection (pure)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.connectors.google import mapping
from app.sync.items import normalise_fields

SOURCE = {"source": {"type": "CONTACT", "id": "abc"}}


def _read_back(body: dict[str, Any]) -> dict[str, Any]:
    """What Google returns for a body: the same items with output-only decorations added."""
    person: dict[str, Any] = {"resourceName": "people/c1", "etag": "%e"}
    for field, items in body.items():
        if isinstance(items, list):
            person[field] = [{**item, "metadata": SOURCE, "formattedType": "Work"} for item in items]
    return person


def test_every_field_is_read_from_its_place() -> None:
    person = {
        "names": [{"givenName": "Ada", "familyName": "Lovelace", "displayName": "Ada Lovelace"}],
        "emailAddresses": [{"value": "ada@work.example"}, {"value": "ada@home.example"}],
        "phoneNumbers": [
            {"value": "+1 555 0100", "type": "work"},
            {"value": "+1 555 0101"},
            {"value": "+1 555 0102", "type": "mobile"},
            {"value": "+1 555 0103", "type": "mobile"},
            {"value": "+1 555 0104", "type": "home"},
            {"value": "+1 555 0105", "type": "homeFax"},
        ],
        "organizations": [{"name": "Analytical", "title": "Engineer", "department": "R&D"}, {"name": "Other"}],
        "addresses": [
            {"type": "home", "city": "London"},
            {
                "type": "work",
                "streetAddress": "1 Main St",
                "city": "Oxford",
                "region": "Oxon",
                "postalCode": "OX1",
                "country": "United Kingdom",
            },
        ],
    }
    assert dict(mapping.contact_fields(person)) == {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@work.example",
        "phones": ("+1 555 0100", "+1 555 0101", "+1 555 0105"),
        "mobile_phone": "+1 555 0102",
        "home_phone": "+1 555 0104",
        "company": "Analytical",
        "title": "Engineer",
        "department": "R&D",
        "street": "1 Main St",
        "city": "Oxford",
        "state": "Oxon",
        "postal_code": "OX1",
        "country": "United Kingdom",
    }


def test_the_first_address_is_used_when_none_is_work() -> None:
    person = {"addresses": [{"type": "home", "city": "London"}, {"type": "other", "city": "Paris"}]}
    assert dict(mapping.contact_fields(person)) == {"city": "London"}


def test_a_new_person_reads_back_as_the_fields_it_was_made_of() -> None:
    fields = normalise_fields(
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@example.com",
            "phones": ("+1 555 0100", "+1 555 0199"),
            "mobile_phone": "+1 555 0102",
            "home_phone": "+1 555 0104",
            "company": "Analytical",
            "title": "Engineer",
            "street": "1 Main St",
            "country": "UK",
        }
    )
    body = mapping.new_person(fields, "crmbridge:salesforce:003X", ["contactGroups/myContacts", "contactGroups/g1"])

    assert body["clientData"] == [{"key": mapping.MARKER_KEY, "value": "crmbridge:salesforce:003X"}]
    assert [m["contactGroupMembership"]["contactGroupResourceName"] for m in body["memberships"]] == [
        "contactGroups/myContacts",
        "contactGroups/g1",
    ]
    person = _read_back(body)
    assert mapping.contact_fields(person) == fields
    assert mapping.marker(person) == "crmbridge:salesforce:003X"
    assert mapping.group_names(person) == {"contactGroups/myContacts", "contactGroups/g1"}


def test_an_update_replaces_what_is_mapped_and_keeps_everything_else() -> None:
    current = {
        "resourceName": "people/c1",
        "etag": "%old",
        "names": [
            {
                "givenName": "Ada",
                "familyName": "Byron",
                "middleName": "King",
                "unstructuredName": "Ada Byron",
                "displayName": "Ada King Byron",
                "metadata": SOURCE,
            }
        ],
        "emailAddresses": [
            {"value": "ada@old.example", "type": "work", "metadata": SOURCE},
            {"value": "ada@home.example", "type": "home"},
        ],
        "phoneNumbers": [
            {"value": "+1 555 0100", "type": "work", "canonicalForm": "+15550100"},
            {"value": "+1 555 0102", "type": "mobile"},
            {"value": "+1 555 0103", "type": "mobile"},
            {"value": "+1 555 0104", "type": "home"},
        ],
        "organizations": [{"name": "Analytical", "title": "Engineer", "symbol": "AE", "type": "work"}],
        "addresses": [
            {"type": "home", "city": "London"},
            {
                "type": "work",
                "city": "Oxford",
                "countryCode": "GB",
                "country": "UK",
                "formattedValue": "Oxford, UK",
                "poBox": "12",
            },
        ],
        "biographies": [{"value": "not mapped"}],
    }
    fields = normalise_fields(
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@new.example",
            "phones": ("+1 555 0100", "+1 555 0111"),
            "mobile_phone": "+1 555 0122",
            "company": "Analytical",
            "title": "Countess",
            "city": "Cambridge",
            "country": "France",
        }
    )

    body = mapping.updated_person(current, fields, "%old")

    assert body["etag"] == "%old"
    assert set(body) == {"etag", *mapping.UPDATE_MASK.split(",")}
    assert body["names"] == [{"givenName": "Ada", "familyName": "Lovelace", "middleName": "King"}]
    assert body["emailAddresses"] == [
        {"value": "ada@new.example", "type": "work"},
        {"value": "ada@home.example", "type": "home"},
    ]
    assert body["phoneNumbers"] == [
        {"value": "+1 555 0100", "type": "work"},
        {"value": "+1 555 0122", "type": "mobile"},
        {"value": "+1 555 0103", "type": "mobile"},  # a second mobile number is not mapped: kept
        {"value": "+1 555 0111", "type": "work"},
    ]
    assert body["organizations"] == [{"name": "Analytical", "title": "Countess", "symbol": "AE", "type": "work"}]
    assert body["addresses"] == [
        {"type": "home", "city": "London"},
        {"type": "work", "city": "Cambridge", "country": "France", "poBox": "12"},
    ]
    assert mapping.contact_fields(_read_back(body)) == fields


def test_an_update_clears_every_field_left_out() -> None:
    current = {
        "names": [{"givenName": "Ada", "familyName": "Lovelace"}],
        "emailAddresses": [{"value": "ada@example.com"}],
        "phoneNumbers": [{"value": "+1 555 0100", "type": "work"}, {"value": "+1 555 0104", "type": "home"}],
        "organizations": [{"title": "Engineer", "type": "work"}],
        "addresses": [{"type": "work", "city": "Oxford"}],
    }
    body = mapping.updated_person(current, normalise_fields({"last_name": "Lovelace"}), "%e")

    assert body["names"] == [{"familyName": "Lovelace"}]
    assert body["emailAddresses"] == []
    assert body["phoneNumbers"] == []
    assert body["organizations"] == []
    assert body["addresses"] == []


def test_deleted_people_and_update_times() -> None:
    assert mapping.is_deleted({"resourceName": "people/c1", "metadata": {"deleted": True}})
    assert not mapping.is_deleted({"resourceName": "people/c1", "metadata": {"sources": []}})
    person = {"metadata": {"sources": [{"type": "CONTACT", "updateTime": "2026-03-04T05:06:07.123456789Z"}]}}
    assert mapping.modified_at(person) == datetime(2026, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)
    assert mapping.modified_at({}) is None
