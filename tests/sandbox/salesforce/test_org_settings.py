"""Org settings through the control API: duplicate rule, sharing, daily API allocation."""

from __future__ import annotations

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from tests.sandbox.salesforce.conftest import ALEX, PRIYA, SAM, OrgSandbox

EXISTING = "jose.nunez@iberia-logistica.example.es"


def test_control_api_shows_and_validates_settings(sf_sandbox: OrgSandbox) -> None:
    status = sf_sandbox.control("GET", "org").json()
    assert status["settings"] == {
        "enhanced_email": True,
        "duplicate_rule": {"enabled": False, "action": "block"},
        "sharing": {
            "Account": "ReadWrite",
            "Contact": "ReadWrite",
            "Lead": "ReadWrite",
            "Opportunity": "ReadWrite",
            "Case": "ReadWrite",
            "Event": "Private",
            "Task": "Private",
            "EmailMessage": "ReadWrite",
            "ContentDocument": "ReadWrite",
        },
        "daily_api_requests": 100_000,
    }
    assert status["records"]["Contact"] == 240 and status["records"]["Lead"] == 60
    for bad in ({"sharing": {"Contact": "Public"}}, {"duplicate_rule": {"action": "warn"}}, {"colour": "blue"}):
        assert sf_sandbox.control("PATCH", "org", json=bad).status_code == 422


def test_duplicate_rule_blocks(sf: Salesforce, sf_sandbox: OrgSandbox) -> None:
    assert sf.Contact.create({"LastName": "Twin", "Email": EXISTING})["success"]  # the rule is off by default
    sf_sandbox.control("PATCH", "org", json={"duplicate_rule": {"enabled": True, "action": "block"}})
    with pytest.raises(SalesforceMalformedRequest) as blocked:
        sf.Contact.create(
            {"LastName": "Núñez", "Email": EXISTING.upper()}, headers={"Sforce-Duplicate-Rule-Header": "allowSave=true"}
        )
    [error] = blocked.value.content
    assert error["errorCode"] == "DUPLICATES_DETECTED" and error["message"] == "Use one of these records?"
    result = error["duplicateResult"]
    assert result["allowSave"] is False and result["duplicateRuleEntityType"] == "Contact"
    assert (
        result["errorMessage"] == "You're creating a duplicate record. We recommend you use an existing record instead."
    )
    [match] = result["matchResults"]
    assert match["entityType"] == "Contact" and match["matchEngine"] == "ExactMatchEngine" and match["size"] == 2
    assert match["matchRecords"][0]["matchConfidence"] == 100.0
    assert match["matchRecords"][0]["record"]["attributes"]["type"] == "Contact"
    lead = sf.Lead.create({"LastName": "Other", "Company": "X", "Email": "new.lead@example.com"})
    with pytest.raises(SalesforceMalformedRequest):
        sf.Lead.create({"LastName": "Again", "Company": "X", "Email": "New.Lead@example.com"})
    assert lead["success"]


def test_alert_rule_honours_allow_save(sf: Salesforce, sf_sandbox: OrgSandbox) -> None:
    sf_sandbox.control("PATCH", "org", json={"duplicate_rule": {"enabled": True, "action": "alert"}})
    with pytest.raises(SalesforceMalformedRequest) as alerted:
        sf.Contact.create({"LastName": "Núñez", "Email": EXISTING})
    assert alerted.value.content[0]["duplicateResult"]["allowSave"] is True
    saved = sf.Contact.create(
        {"LastName": "Núñez", "Email": EXISTING}, headers={"Sforce-Duplicate-Rule-Header": "allowSave=true"}
    )
    assert saved["success"] is True
    records = [{"attributes": {"type": "Contact"}, "LastName": "N", "Email": EXISTING}]
    results = sf.restful("composite/sobjects", method="POST", json={"records": records})
    assert results[0]["errors"][0]["statusCode"] == "DUPLICATES_DETECTED"


def test_private_sharing(sf_sandbox: OrgSandbox) -> None:
    alex, priya, sam = sf_sandbox.client(ALEX), sf_sandbox.client(PRIYA), sf_sandbox.client(SAM)
    total = sam.query("SELECT COUNT() FROM Contact")["totalSize"]
    alex_id = sf_sandbox.user_id(ALEX)
    alex_owned = sam.query(f"SELECT COUNT() FROM Contact WHERE OwnerId = '{alex_id}'")["totalSize"]
    assert 0 < alex_owned < total
    assert alex.query("SELECT COUNT() FROM Contact")["totalSize"] == total  # ReadWrite by default

    sf_sandbox.control("PATCH", "org", json={"sharing": {"Contact": "Private"}})
    assert alex.query("SELECT COUNT() FROM Contact")["totalSize"] == alex_owned
    assert sam.query("SELECT COUNT() FROM Contact")["totalSize"] == total  # a System Administrator sees all
    priya_contact = priya.Contact.create({"LastName": "Reddy"})["id"]
    with pytest.raises(SalesforceResourceNotFound):
        alex.Contact.get(priya_contact)
    with pytest.raises(SalesforceResourceNotFound):
        alex.Contact.update(priya_contact, {"Title": "x"})
    assert sam.Contact.get(priya_contact)["LastName"] == "Reddy"

    sf_sandbox.control("PATCH", "org", json={"sharing": {"Contact": "Read"}})
    assert alex.Contact.get(priya_contact)["LastName"] == "Reddy"
    with pytest.raises(SalesforceMalformedRequest) as read_only:
        alex.Contact.update(priya_contact, {"Title": "x"})
    assert read_only.value.content[0]["errorCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"

    sf_sandbox.control("PATCH", "org", json={"sharing": {"Contact": "ReadWrite"}})
    assert alex.Contact.update(priya_contact, {"Title": "x"}) == 204
    with pytest.raises(SalesforceMalformedRequest) as delete:
        alex.Contact.delete(priya_contact)  # deleting needs ownership
    assert delete.value.content[0]["errorCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"


def test_daily_api_limit(sf: Salesforce, sf_sandbox: OrgSandbox) -> None:
    sf_sandbox.control("PATCH", "org", json={"daily_api_requests": 1000, "api_requests_used": 998})
    limits = sf.limits()
    assert limits["DailyApiRequests"] == {"Max": 1000, "Remaining": 1}
    sf.query("SELECT Id FROM Account LIMIT 1")
    with pytest.raises(SalesforceRefusedRequest) as refused:
        sf.query("SELECT Id FROM Account LIMIT 1")
    assert refused.value.status == 403
    assert refused.value.content == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]
    # The allocation is per org, not per user.
    with pytest.raises(SalesforceRefusedRequest):
        sf_sandbox.client(PRIYA).query("SELECT Id FROM Account LIMIT 1")
    assert sf_sandbox.control("GET", "org").json()["api_requests_used"] == 1000
