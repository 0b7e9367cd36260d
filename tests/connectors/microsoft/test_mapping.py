"""Graph contact JSON <-> the contact projection (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.connectors.microsoft import mapping
from app.sync.items import normalise_fields

CONTACT = {
    "id": "AAkALgAAA",
    "@odata.etag": 'W/"ck1"',
    "changeKey": "ck1",
    "createdDateTime": "2026-01-01T00:00:00Z",
    "lastModifiedDateTime": "2026-01-02T03:04:05Z",
    "parentFolderId": "AAMkFolder",
    "categories": ["Blue category"],
    "displayName": "Ada King Lovelace",
    "givenName": "Ada",
    "middleName": "King",
    "surname": "Lovelace",
    "emailAddresses": [
        {"name": "Ada", "address": "ada@engines.example"},
        {"name": "Ada (home)", "address": "ada@home.example"},
    ],
    "businessPhones": ["+44 20 1", "+44 20 2"],
    "homePhones": ["+44 20 3", "+44 20 4"],
    "mobilePhone": "+44 7700 1",
    "companyName": "Analytical Engines",
    "jobTitle": "Analyst",
    "department": "R&D",
    "businessAddress": {
        "street": "1 St James's Square",
        "city": "London",
        "postalCode": "SW1",
        "countryOrRegion": "UK",
    },
    "personalNotes": "notes",
    "singleValueExtendedProperties": [
        {"id": "Integer 0x36", "value": "2"},
        {"id": f"string {{{mapping.MARKER_PROPERTY_SET.upper()}}} name CRMBRIDGEMARKER", "value": "other name"},
        {"id": f"String {{{mapping.MARKER_PROPERTY_SET.upper()}}} Name crmbridgeMarker", "value": "crmbridge:x:1"},
    ],
}


def test_a_contact_maps_to_the_projection() -> None:
    assert mapping.to_fields(CONTACT) == normalise_fields(
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@engines.example",
            "phones": ("+44 20 1", "+44 20 2"),
            "mobile_phone": "+44 7700 1",
            "home_phone": "+44 20 3",
            "company": "Analytical Engines",
            "title": "Analyst",
            "department": "R&D",
            "street": "1 St James's Square",
            "city": "London",
            "postal_code": "SW1",
            "country": "UK",
        }
    )
    assert mapping.change_key(CONTACT) == "ck1"
    assert mapping.change_key({"@odata.etag": 'W/"ck2"'}) == "ck2"
    assert mapping.modified_at(CONTACT) == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_extended_properties_are_matched_in_any_id_form_but_the_name_case() -> None:
    assert mapping.is_private(CONTACT)
    assert mapping.marker_of(CONTACT) == "crmbridge:x:1"
    assert not mapping.is_private({"singleValueExtendedProperties": [{"id": "Integer 0x0036", "value": "1"}]})
    assert mapping.marker_of({}) is None


def test_an_update_sets_every_mapped_property_and_keeps_what_is_not_mapped() -> None:
    fields = normalise_fields({"first_name": "Augusta", "last_name": "Lovelace", "email": "ADA@engines.example"})

    body = mapping.update_body(fields, CONTACT)

    assert body["givenName"] == "Augusta" and body["jobTitle"] is None and body["mobilePhone"] is None
    assert body["businessPhones"] == [] and body["businessAddress"] == dict.fromkeys(
        ("street", "city", "state", "postalCode", "countryOrRegion")
    )
    assert body["emailAddresses"] == [
        {"name": "Ada", "address": "ADA@engines.example"},
        {"name": "Ada (home)", "address": "ada@home.example"},
    ]
    assert body["homePhones"] == ["+44 20 4"]  # the first (mapped) number cleared, the other kept
    assert body["displayName"] == "Augusta King Lovelace"  # it was derived from the name parts, so it follows
    assert "personalNotes" not in body and "categories" not in body


def test_a_derived_display_name_follows_the_name_and_a_custom_one_stays() -> None:
    derived = {**CONTACT, "displayName": "Ada King Lovelace"}
    custom = {**CONTACT, "displayName": "Countess of Lovelace"}
    fields = normalise_fields({"first_name": "Augusta", "last_name": "King"})
    assert mapping.update_body(fields, derived)["displayName"] == "Augusta King King"
    assert "displayName" not in mapping.update_body(fields, custom)


def test_a_new_primary_address_goes_first_and_a_cleared_one_leaves_the_others() -> None:
    new = mapping.update_body(normalise_fields({"email": "countess@engines.example"}), CONTACT)
    assert [e["address"] for e in new["emailAddresses"]] == ["countess@engines.example", "ada@home.example"]
    cleared = mapping.update_body(normalise_fields({}), CONTACT)
    assert [e["address"] for e in cleared["emailAddresses"]] == ["ada@home.example"]


def test_a_create_body_carries_the_marker_and_the_categories_and_nothing_empty() -> None:
    body = mapping.create_body(
        normalise_fields({"first_name": "Ada", "last_name": "Lovelace", "email": "ada@x.example", "city": "London"}),
        marker="crmbridge:salesforce:003",
        with_categories=["Sync with Salesforce"],
    )
    assert body == {
        "givenName": "Ada",
        "surname": "Lovelace",
        "displayName": "Ada Lovelace",
        "emailAddresses": [{"address": "ada@x.example", "name": "Ada Lovelace"}],
        "businessAddress": {"city": "London"},
        "categories": ["Sync with Salesforce"],
        "singleValueExtendedProperties": [{"id": mapping.MARKER_PROPERTY_ID, "value": "crmbridge:salesforce:003"}],
    }


def test_a_copy_keeps_every_writable_property_and_the_extended_ones() -> None:
    body = mapping.copy_body(CONTACT, with_categories=["Sync with Salesforce"])
    assert not {"id", "@odata.etag", "changeKey", "createdDateTime", "lastModifiedDateTime", "parentFolderId"} & set(
        body
    )
    assert body["personalNotes"] == "notes" and body["middleName"] == "King"
    assert body["categories"] == ["Blue category", "Sync with Salesforce"]
    assert body["singleValueExtendedProperties"] == [
        {"id": mapping.MARKER_PROPERTY_ID, "value": "crmbridge:x:1"},
        {"id": mapping.SENSITIVITY_PROPERTY_ID, "value": "2"},
    ]
