"""sObject Collections (composite/sobjects) and upsert by external id."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMoreThanOneRecord, SalesforceResourceNotFound

from tests.sandbox.salesforce.conftest import OrgSandbox, Rest


def _contacts(count: int, *, bad_every: int = 0) -> list[dict[str, Any]]:
    records = []
    for index in range(count):
        record: dict[str, Any] = {"attributes": {"type": "Contact"}, "LastName": f"Bulk {index}"}
        if bad_every and index % bad_every == 0:
            record["LastName"] = "x" * 100
        records.append(record)
    return records


def test_create_200_records_with_per_record_failures(sf: Salesforce, sf_sandbox: OrgSandbox) -> None:
    before = sf.query("SELECT COUNT() FROM Contact")["totalSize"]
    calls_before = sf_sandbox.org.usage.used(sf_sandbox.org.now())
    results = sf.restful(
        "composite/sobjects", method="POST", json={"allOrNone": False, "records": _contacts(200, bad_every=50)}
    )
    assert len(results) == 200
    failures = [i for i, r in enumerate(results) if not r["success"]]
    assert failures == [0, 50, 100, 150]
    assert results[0] == {
        "success": False,
        "errors": [
            {
                "statusCode": "STRING_TOO_LONG",
                "message": f"Last Name: data value too large: {'x' * 100} (max length=80)",
                "fields": ["LastName"],
            }
        ],
    }
    assert results[1]["success"] is True and results[1]["id"].startswith("003") and results[1]["errors"] == []
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == before + 196
    # One call for the whole batch (plus the count query).
    assert sf_sandbox.org.usage.used(sf_sandbox.org.now()) == calls_before + 2


def test_all_or_none_rolls_everything_back(sf: Salesforce) -> None:
    before = sf.query("SELECT COUNT() FROM Contact")["totalSize"]
    records = [*_contacts(2), {"attributes": {"type": "Contact"}, "FirstName": "No last name"}]
    results = sf.restful("composite/sobjects", method="POST", json={"allOrNone": True, "records": records})
    assert results[0] == {
        "success": False,
        "errors": [
            {
                "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                "message": "Record rolled back because not all records were valid and the request was using "
                "AllOrNone header",
                "fields": [],
            }
        ],
    }
    assert results[2]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == before


def test_mixed_types_update_retrieve_and_delete(sf: Salesforce, rest: Rest) -> None:
    created = sf.restful(
        "composite/sobjects",
        method="POST",
        json={
            "records": [
                {"attributes": {"type": "Account"}, "Name": "Matterhorn Präzision Zwei"},
                {"attributes": {"type": "Lead"}, "LastName": "Brändli", "Company": "Glarus Textil"},
            ]
        },
    )
    account_id, lead_id = created[0]["id"], created[1]["id"]
    updated = sf.restful(
        "composite/sobjects",
        method="PATCH",
        json={
            "records": [
                {"attributes": {"type": "Account"}, "id": account_id, "Industry": "Engineering"},
                {"attributes": {"type": "Lead"}, "id": lead_id, "Status": "Working - Contacted"},
            ]
        },
    )
    assert [r["success"] for r in updated] == [True, True]
    fetched = rest.get(
        "composite/sobjects/Account", params={"ids": f"{account_id},001Sb00000000zzIAA", "fields": "Name,Industry"}
    )
    assert fetched.json()[0]["Industry"] == "Engineering" and fetched.json()[1] is None
    deleted = rest.delete(
        "composite/sobjects", params={"ids": f"{account_id},{lead_id},001RM000003oLrB000", "allOrNone": "false"}
    )
    body = deleted.json()
    assert body[:2] == [
        {"id": account_id, "success": True, "errors": []},
        {"id": lead_id, "success": True, "errors": []},
    ]
    assert body[2]["errors"][0] == {
        "statusCode": "MALFORMED_ID",
        "message": "malformed id 001RM000003oLrB000",
        "fields": [],
    }


def test_more_than_200_records_is_refused(rest: Rest) -> None:
    response = rest.post("composite/sobjects", json={"records": _contacts(201)})
    assert response.status_code == 400
    assert response.json() == [
        {
            "message": "record limit reached. cannot submit more than 200 records into this call",
            "errorCode": "EXCEEDED_ID_LIMIT",
        }
    ]
    assert rest.post("composite/sobjects", json={"records": [{"LastName": "typeless"}]}).json()[0]["errorCode"] == (
        "INVALID_TYPE"
    )


def test_upsert_by_external_id(sf: Salesforce, sf_sandbox: OrgSandbox, rest: Rest) -> None:
    created = sf.Contact.upsert("crmbridge_Id__c/cb-42", {"LastName": "Gonçalves"}, raw_response=True)
    assert created.status_code == 201
    body = created.json()
    assert body["created"] is True and body["success"] is True
    updated = sf.Contact.upsert("crmbridge_Id__c/CB-42", {"Title": "Diretor"}, raw_response=True)
    assert updated.status_code == 200
    assert updated.json() == {"id": body["id"], "success": True, "errors": [], "created": False}
    fetched = sf.Contact.get_by_custom_id("crmbridge_Id__c", "cb-42")
    assert (fetched["Title"], fetched["crmbridge_Id__c"]) == ("Diretor", "cb-42")
    with pytest.raises(SalesforceResourceNotFound) as unknown_field:
        sf.Contact.upsert("Email/someone@example.com", {"LastName": "X"})
    assert unknown_field.value.content[0]["message"] == (
        "Provided external ID field does not exist or is not accessible: Email"
    )
    only_update = rest.patch("sobjects/Contact/crmbridge_Id__c/new-one?updateOnly=true", json={"LastName": "Y"})
    assert only_update.status_code == 404


def test_upsert_with_several_matches_answers_300(sf: Salesforce, sf_sandbox: OrgSandbox) -> None:
    first = sf.Contact.create({"LastName": "Twin", "crmbridge_Id__c": "twin"})["id"]
    # Two records can only share a unique value if written around validation (as a data load might).
    twin = dict(sf_sandbox.org.find(first)[1])  # type: ignore[index]
    twin["Id"] = sf_sandbox.org.ids.for_object("Contact")
    sf_sandbox.org.store.put("Contact", twin)
    with pytest.raises(SalesforceMoreThanOneRecord) as several:
        sf.Contact.upsert("crmbridge_Id__c/twin", {"Title": "x"})
    assert sorted(several.value.content) == sorted(
        f"/services/data/v59.0/sobjects/Contact/{record_id}" for record_id in (first, twin["Id"])
    )


def test_unique_external_id(sf: Salesforce) -> None:
    sf.Contact.create({"LastName": "One", "crmbridge_Id__c": "same"})
    from simple_salesforce.exceptions import SalesforceMalformedRequest

    with pytest.raises(SalesforceMalformedRequest) as duplicate:
        sf.Contact.create({"LastName": "Two", "crmbridge_Id__c": "SAME"})
    assert duplicate.value.content[0]["errorCode"] == "DUPLICATE_VALUE"


def test_collection_upsert(rest: Rest) -> None:
    records = [
        {"attributes": {"type": "Contact"}, "crmbridge_Id__c": "u-1", "LastName": "Uno"},
        {"attributes": {"type": "Contact"}, "crmbridge_Id__c": "u-2", "LastName": "Dos"},
    ]
    first = rest.patch("composite/sobjects/Contact/crmbridge_Id__c", json={"records": records}).json()
    assert [r["created"] for r in first] == [True, True]
    records[0]["LastName"] = "Uno bis"
    second = rest.patch("composite/sobjects/Contact/crmbridge_Id__c", json={"records": records}).json()
    assert [r["created"] for r in second] == [False, False]
    assert [r["id"] for r in second] == [r["id"] for r in first]
