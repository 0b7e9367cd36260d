"""The lookup: an email's people in Salesforce, in one Salesforce call."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from simple_salesforce.api import Salesforce

from tests.addin.conftest import ALEX, LiveSandbox, connect_rep, email_people, records, salesforce_calls


def _headers(sender: str, *others: str, message_id: str | None = "<lookup-1@example.com>") -> dict[str, object]:
    return {
        "internet_message_id": message_id,
        "from": {"address": sender, "name": "Sender"},
        "to": [{"address": ALEX, "name": "Alex Morgan"}],
        "cc": [{"address": address} for address in others],
    }


def test_five_addresses_cost_one_salesforce_call(
    addin_app: FastAPI, api: TestClient, sandbox: LiveSandbox, admin_sf: Salesforce
) -> None:
    rep = connect_rep(addin_app, sandbox, ALEX)
    people = email_people(admin_sf, 4)
    addresses = [person["Email"] for person in people] + ["nobody@unknown.example"]
    body = _headers(addresses[0], *addresses[1:])

    mark = sandbox.state.calls.last_id
    cold = api.post("/api/emails/lookup", json=body, headers=rep.headers)  # the org's describes ride along
    assert cold.status_code == 200, cold.text
    assert len(salesforce_calls(sandbox, mark)) == 1

    mark = sandbox.state.calls.last_id
    warm = api.post("/api/emails/lookup", json=body, headers=rep.headers)
    assert warm.status_code == 200
    calls = salesforce_calls(sandbox, mark)
    assert len(calls) == 1, [call.path for call in calls]
    assert calls[0].path.endswith("/composite")
    assert warm.json() == cold.json()


def test_matches_accounts_opportunities_cases_and_unknowns(
    addin_app: FastAPI, api: TestClient, sandbox: LiveSandbox, admin_sf: Salesforce
) -> None:
    rep = connect_rep(addin_app, sandbox, ALEX)
    contact = records(
        admin_sf,
        "SELECT Id, Email, AccountId, Account.Name FROM Contact WHERE AccountId IN "
        "(SELECT AccountId FROM Opportunity WHERE IsClosed = false) ORDER BY CreatedDate LIMIT 1",
    )[0]
    lead = records(admin_sf, "SELECT Id, Email, Company FROM Lead WHERE Email != null ORDER BY CreatedDate LIMIT 1")[0]
    # Addresses differ in case from Salesforce's: SOQL compares them case-insensitively.
    body = _headers(contact["Email"].upper(), lead["Email"].title(), "stranger@unknown.example", "Not-An-Address")
    result = api.post("/api/emails/lookup", json=body, headers=rep.headers)
    assert result.status_code == 422  # an address that is not one is refused, with where it was
    assert "cc.2.address" in result.text

    body = _headers(contact["Email"].upper(), lead["Email"].title(), "stranger@unknown.example")
    found = api.post("/api/emails/lookup", json=body, headers=rep.headers).json()
    by_address = {person["address"]: person for person in found["people"]}
    assert ALEX not in by_address  # the rep is not one of "the people"
    sender = by_address[contact["Email"].lower()]
    assert sender["roles"] == ["from"]
    assert [(m["object"], m["id"]) for m in sender["matches"]] == [("Contact", contact["Id"])]
    assert sender["matches"][0]["account"]["id"] == contact["AccountId"]
    assert sender["matches"][0]["url"].endswith(f"/lightning/r/Contact/{contact['Id']}/view")
    assert [m["object"] for m in by_address[lead["Email"].lower()]["matches"]] == ["Lead"]
    assert found["unknown"] == ["stranger@unknown.example"]

    account = next(item for item in found["accounts"] if item["id"] == contact["AccountId"])
    open_opportunities = records(
        admin_sf, f"SELECT Id FROM Opportunity WHERE IsClosed = false AND AccountId = '{contact['AccountId']}'"
    )
    open_cases = records(
        admin_sf, f"SELECT Id FROM Case WHERE IsClosed = false AND AccountId = '{contact['AccountId']}'"
    )
    assert {item["id"] for item in account["opportunities"]} == {row["Id"] for row in open_opportunities}
    assert {item["id"] for item in account["cases"]} == {row["Id"] for row in open_cases}
    assert found["logged"] is None
    assert found["enhanced_email"] is True


def test_lookup_while_composing_has_no_message_id(addin_app: FastAPI, api: TestClient, sandbox: LiveSandbox) -> None:
    rep = connect_rep(addin_app, sandbox, ALEX)
    body = {"to": [{"address": "someone@unknown.example"}], "cc": []}
    found = api.post("/api/emails/lookup", json=body, headers=rep.headers)
    assert found.status_code == 200, found.text
    assert found.json()["unknown"] == ["someone@unknown.example"]
    assert found.json()["logged"] is None


def test_a_rep_without_salesforce_is_told_to_connect(addin_app: FastAPI, api: TestClient, sandbox: LiveSandbox) -> None:
    from tests.addin.conftest import api_token, bearer

    token = api_token(sandbox, "jordan.lee@example.com")
    me = api.get("/api/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.json()["salesforce_connected"] is False
    answer = api.post("/api/emails/lookup", json=_headers("x@unknown.example"), headers=bearer(token))
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "connection_unavailable"
    assert "Connect your Salesforce account" in error["message"]
