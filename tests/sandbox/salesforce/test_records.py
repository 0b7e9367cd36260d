"""sObject Rows, describe, versions, authentication and the record-level errors, through simple-salesforce."""

from __future__ import annotations

from datetime import timedelta

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceResourceNotFound,
)

from app.sandbox.salesforce.ids import checksum_suffix, normalize_id
from tests.sandbox.salesforce.conftest import ALEX, INSTANCE, JORDAN, SAM, OrgSandbox, Rest


def test_create_read_update_delete_a_contact(sf: Salesforce, sf_sandbox: OrgSandbox) -> None:
    created = sf.Contact.create({"FirstName": "Zoë", "LastName": "Ångström-Berg", "Email": "zoe.ab@example.se"})
    assert created["success"] is True and created["errors"] == []
    record_id = created["id"]
    assert len(record_id) == 18 and record_id.startswith("003")
    assert checksum_suffix(record_id[:15]) == record_id[15:]

    contact = sf.Contact.get(record_id)
    assert contact["attributes"] == {"type": "Contact", "url": f"/services/data/v59.0/sobjects/Contact/{record_id}"}
    assert contact["Name"] == "Zoë Ångström-Berg"
    assert contact["OwnerId"] == contact["CreatedById"] == sf_sandbox.user_id(ALEX)
    assert contact["IsDeleted"] is False
    assert contact["CreatedDate"].endswith("+0000") and contact["CreatedDate"] == contact["SystemModstamp"]

    sf_sandbox.state.clock.advance(timedelta(minutes=5))
    assert sf.Contact.update(record_id, {"Title": "CFO", "FirstName": "Zoe"}) == 204
    updated = sf.Contact.get(record_id)
    assert (updated["Title"], updated["Name"]) == ("CFO", "Zoe Ångström-Berg")
    assert updated["LastModifiedDate"] > contact["LastModifiedDate"]
    assert updated["CreatedDate"] == contact["CreatedDate"]

    assert sf.Contact.delete(record_id) == 204
    with pytest.raises(SalesforceResourceNotFound) as gone:
        sf.Contact.get(record_id)
    assert gone.value.content == [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]
    with pytest.raises(SalesforceResourceNotFound) as deleted_again:
        sf.Contact.delete(record_id)
    assert deleted_again.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"


def test_get_with_fields_parameter(sf: Salesforce, rest: Rest) -> None:
    record_id = sf.Contact.create({"LastName": "Wójcik", "Email": "l.w@example.pl"})["id"]
    body = rest.get(f"sobjects/Contact/{record_id}", params={"fields": "Email,lastname"}).json()
    assert body == {
        "attributes": {"type": "Contact", "url": f"/services/data/v59.0/sobjects/Contact/{record_id}"},
        "Email": "l.w@example.pl",
        "LastName": "Wójcik",
    }
    bad = rest.get(f"sobjects/Contact/{record_id}", params={"fields": "Nope"})
    assert bad.status_code == 400 and bad.json()[0]["errorCode"] == "INVALID_FIELD"


def test_an_over_long_field_gets_salesforce_error_format(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as error:
        sf.Contact.create({"LastName": "x" * 81})
    assert error.value.status == 400
    assert error.value.content == [
        {
            "message": f"Last Name: data value too large: {'x' * 81} (max length=80)",
            "errorCode": "STRING_TOO_LONG",
            "fields": ["LastName"],
        }
    ]


@pytest.mark.parametrize(
    ("payload", "code", "fields"),
    [
        ({"FirstName": "Only"}, "REQUIRED_FIELD_MISSING", ["LastName"]),
        ({"LastName": "X", "Shoe_Size__c": 9}, "INVALID_FIELD", ["Shoe_Size__c"]),
        ({"LastName": "X", "Name": "Compound"}, "INVALID_FIELD_FOR_INSERT_UPDATE", ["Name"]),
        ({"LastName": "X", "CreatedDate": "2020-01-01T00:00:00Z"}, "INVALID_FIELD_FOR_INSERT_UPDATE", ["CreatedDate"]),
        ({"LastName": "X", "AccountId": "not-an-id"}, "MALFORMED_ID", ["AccountId"]),
        ({"LastName": "X", "AccountId": "003Sb0000000001IAA"}, "FIELD_INTEGRITY_EXCEPTION", ["AccountId"]),
        ({"LastName": "X", "AccountId": "001Sb00000000zzIAA"}, "INVALID_CROSS_REFERENCE_KEY", ["AccountId"]),
        ({"LastName": "X", "Email": "not an address"}, "INVALID_EMAIL_ADDRESS", ["Email"]),
        ({"LastName": "X", "HasOptedOutOfEmail": "maybe"}, "JSON_PARSER_ERROR", None),
    ],
)
def test_create_errors(sf: Salesforce, payload: dict[str, object], code: str, fields: list[str] | None) -> None:
    with pytest.raises(SalesforceMalformedRequest) as error:
        sf.Contact.create(payload)
    [item] = error.value.content
    assert item["errorCode"] == code
    assert item.get("fields") == fields


def test_required_fields_are_listed_together(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as error:
        sf.Opportunity.create({"Amount": 5})
    [item] = error.value.content
    assert item["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert item["fields"] == ["Name", "StageName", "CloseDate"]
    assert item["message"] == "Required fields are missing: [Name, StageName, CloseDate]"


def test_restricted_picklist(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as error:
        sf.Event.create(
            {"Subject": "Call", "StartDateTime": "2030-01-01T10:00:00Z", "DurationInMinutes": 30, "ShowAs": "Maybe"}
        )
    assert error.value.content == [
        {
            "message": "Show Time As: bad value for restricted picklist field: Maybe",
            "errorCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "fields": ["ShowAs"],
        }
    ]


def test_ids_wrong_type_unknown_and_15_characters(sf: Salesforce, rest: Rest) -> None:
    account_id = sf.Account.create({"Name": "Łódź Robotics"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as wrong_type:
        sf.Contact.get(account_id)
    assert wrong_type.value.content[0]["errorCode"] == "MALFORMED_ID"
    assert wrong_type.value.content[0]["fields"] == ["Id"]
    with pytest.raises(SalesforceResourceNotFound) as missing:
        sf.Account.get("001Sb00000000zzIAA")
    assert missing.value.content[0]["errorCode"] == "NOT_FOUND"
    with pytest.raises(SalesforceResourceNotFound) as garbage:
        sf.Account.get("banana")
    assert (
        "Provided external ID field does not exist or is not accessible: banana" in garbage.value.content[0]["message"]
    )
    assert sf.Account.get(account_id[:15])["Id"] == account_id
    assert sf.Account.get(account_id.lower())["Id"] == account_id
    assert normalize_id(account_id.lower()) == account_id


def test_update_of_a_deleted_record_and_not_updateable_fields(sf: Salesforce) -> None:
    record_id = sf.Lead.create({"LastName": "Kowalczyk", "Company": "Wisła Software"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as not_updateable:
        sf.Lead.update(record_id, {"IsConverted": True})
    assert not_updateable.value.content[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    with pytest.raises(SalesforceMalformedRequest) as required:
        sf.Lead.update(record_id, {"Company": None})
    assert required.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    sf.Lead.delete(record_id)
    with pytest.raises(SalesforceResourceNotFound) as deleted:
        sf.Lead.update(record_id, {"Title": "x"})
    assert deleted.value.content == [{"message": "entity is deleted", "errorCode": "ENTITY_IS_DELETED", "fields": []}]


def test_users_cannot_be_deleted_and_unknown_objects_do_not_exist(
    sf: Salesforce, sf_sandbox: OrgSandbox, rest: Rest
) -> None:
    response = rest.delete(f"sobjects/User/{sf_sandbox.user_id(SAM)}")
    assert response.status_code == 405
    assert response.json()[0]["errorCode"] == "METHOD_NOT_ALLOWED"
    unknown = rest.post("sobjects/Shoe__c", json={"Name": "x"})
    assert unknown.status_code == 404
    assert unknown.json() == [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]


def test_derived_fields(sf: Salesforce) -> None:
    account_id = sf.Account.create({"Name": "Fjord Havbruk"})["id"]
    opportunity_id = sf.Opportunity.create(
        {"Name": "Nets", "StageName": "Closed Won", "CloseDate": "2030-01-31", "Amount": 1000, "AccountId": account_id}
    )["id"]
    opportunity = sf.Opportunity.get(opportunity_id)
    assert (opportunity["IsClosed"], opportunity["IsWon"], opportunity["Probability"]) == (True, True, 100.0)
    case = sf.Case.get(sf.Case.create({"Subject": "Broken", "AccountId": account_id})["id"])
    assert case["Status"] == "New" and case["Priority"] == "Medium" and case["IsClosed"] is False
    assert len(case["CaseNumber"]) == 8 and case["CaseNumber"].isdigit()
    sf.Case.update(case["Id"], {"Status": "Closed"})
    closed = sf.Case.get(case["Id"])
    assert closed["IsClosed"] is True and closed["ClosedDate"] is not None


def test_describe(sf: Salesforce) -> None:
    describe = sf.Contact.describe()
    assert describe["name"] == "Contact" and describe["keyPrefix"] == "003"
    assert describe["urls"]["describe"] == "/services/data/v59.0/sobjects/Contact/describe"
    fields = {f["name"]: f for f in describe["fields"]}
    assert fields["LastName"]["nillable"] is False and fields["LastName"]["length"] == 80
    assert fields["LastName"]["createable"] and fields["LastName"]["updateable"]
    assert fields["Name"]["createable"] is False and fields["Name"]["nameField"] is True
    assert fields["AccountId"]["type"] == "reference"
    assert fields["AccountId"]["referenceTo"] == ["Account"] and fields["AccountId"]["relationshipName"] == "Account"
    assert fields["Email"]["type"] == "email"
    assert fields["crmbridge_Id__c"]["externalId"] is True and fields["crmbridge_Id__c"]["custom"] is True
    assert [p["value"] for p in fields["LeadSource"]["picklistValues"]][:2] == ["Web", "Phone Inquiry"]
    assert fields["OwnerId"]["defaultedOnCreate"] is True
    relationships = {r["relationshipName"]: r for r in sf.Account.describe()["childRelationships"]}
    assert relationships["Contacts"]["childSObject"] == "Contact" and relationships["Contacts"]["field"] == "AccountId"
    event = {f["name"]: f for f in sf.Event.describe()["fields"]}
    assert event["WhoId"]["referenceTo"] == ["Contact", "Lead"] and event["WhoId"]["polymorphicForeignKey"]
    assert event["ShowAs"]["restrictedPicklist"] is True
    email = {f["name"]: f for f in sf.EmailMessage.describe()["fields"]}
    assert (email["Subject"]["length"], email["TextBody"]["length"], email["HtmlBody"]["length"]) == (
        3000,
        131072,
        131072,
    )
    assert [p["value"] for p in email["Status"]["picklistValues"]] == ["0", "1", "2", "3", "4", "5"]
    assert [p["label"] for p in email["Status"]["picklistValues"]][5] == "Draft"
    event_relations = {r["relationshipName"] for r in sf.Event.describe()["childRelationships"]}
    assert "EventRelations" in event_relations


def test_global_describe_and_basic_information(sf: Salesforce, rest: Rest) -> None:
    described = sf.describe()
    assert described["encoding"] == "UTF-8" and described["maxBatchSize"] == 200
    prefixes = {o["name"]: o["keyPrefix"] for o in described["sobjects"]}
    assert prefixes["Account"] == "001" and prefixes["EventRelation"] == "0RE"
    assert {"Contact", "Lead", "EmailMessage", "ContentVersion", "ContentDocumentLink"} <= set(prefixes)
    basic = rest.get("sobjects/Lead").json()
    assert basic["objectDescribe"]["name"] == "Lead" and basic["recentItems"] == []


def test_versions_and_unknown_version(sf_sandbox: OrgSandbox) -> None:
    session = sf_sandbox.live.requests_session()
    versions = session.get(f"{INSTANCE}/services/data/").json()
    assert [v["version"] for v in versions] == ["55.0", "56.0", "57.0", "58.0", "59.0", "60.0", "61.0", "62.0"]
    assert versions[4] == {"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"}
    for version in ("55.0", "62.0"):
        client = sf_sandbox.client(version=version)
        record_id = client.Account.create({"Name": f"Version {version}"})["id"]
        assert client.Account.get(record_id)["attributes"]["url"].startswith(f"/services/data/v{version}/")
    old = sf_sandbox.rest(version="54.0").get("sobjects")
    assert old.status_code == 404 and old.json()[0]["errorCode"] == "NOT_FOUND"
    resources = sf_sandbox.rest().get("").json()
    assert resources["query"] == "/services/data/v59.0/query"


def test_invalid_expired_and_revoked_tokens(sf_sandbox: OrgSandbox) -> None:
    session = sf_sandbox.live.requests_session()
    missing = session.get(f"{INSTANCE}/services/data/v59.0/sobjects")
    assert missing.status_code == 401
    assert missing.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    bogus = Salesforce(instance_url=INSTANCE, session_id="00Dbogus", session=session, version="59.0")
    with pytest.raises(SalesforceExpiredSession):
        bogus.query("SELECT Id FROM Account")
    expiring = sf_sandbox.client()
    sf_sandbox.state.clock.advance(timedelta(hours=2))
    with pytest.raises(SalesforceExpiredSession):
        expiring.query("SELECT Id FROM Account")
    revoked_token = sf_sandbox.token()
    sf_sandbox.state.tokens.revoke(revoked_token)
    revoked = sf_sandbox.live.requests_session().get(
        f"{INSTANCE}/services/data/v59.0/limits", headers={"Authorization": f"Bearer {revoked_token}"}
    )
    assert revoked.status_code == 401
    not_a_salesforce_user = sf_sandbox.live.token("salesforce", JORDAN)
    assert (
        sf_sandbox.live.requests_session()
        .get(f"{INSTANCE}/services/data/v59.0/limits", headers={"Authorization": f"Bearer {not_a_salesforce_user}"})
        .status_code
        == 401
    )


def test_sforce_limit_info_header_counts_calls(rest: Rest) -> None:
    first = rest.get("limits")
    second = rest.get("limits")
    used_first = int(first.headers["Sforce-Limit-Info"].split("=")[1].split("/")[0])
    used_second = int(second.headers["Sforce-Limit-Info"].split("=")[1].split("/")[0])
    assert used_second == used_first + 1
    assert second.json()["DailyApiRequests"]["Remaining"] == 100_000 - used_second


def test_bodies_must_be_json_objects(rest: Rest) -> None:
    broken = rest.session.post(
        rest.url("sobjects/Contact"), data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400 and broken.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    listed = rest.post("sobjects/Contact", json=[{"LastName": "A"}])
    assert listed.status_code == 400 and listed.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    wrong_method = rest.session.put(rest.url("sobjects/Contact"))
    assert wrong_method.status_code == 405
