"""Adding unknown people (the Company rule), finding records to relate to, and escaping every value that goes
into SOQL or SOSL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from simple_salesforce.api import Salesforce

from tests.addin.conftest import ALEX, LiveSandbox, Rep, connect_rep, records
from tests.addin.test_logging import email, email_messages, log

TRICKY = 'O\'Brien \\ Sons "100%" _Ltd_'


@pytest.fixture
def accounts(admin_sf: Salesforce, control: httpx.Client) -> dict[str, str]:
    """Accounts whose names exercise the Company rule, created a minute apart (the first one is the oldest)."""
    created: dict[str, str] = {}
    for key, name in (
        ("acme_old", "Acme Robotics"),
        ("acme_new", "acme robotics"),
        ("globex", "Globex Corporation"),
        ("initech_east", "Initech East"),
        ("initech_west", "Initech West"),
        ("tricky", TRICKY),
    ):
        created[key] = admin_sf.Account.create({"Name": name})["id"]
        control.post("/clock/advance", json={"seconds": 60})
    return created


@pytest.fixture
def alex(addin_app: FastAPI, sandbox: LiveSandbox) -> Rep:
    """Alex, connected."""
    return connect_rep(addin_app, sandbox, ALEX)


def _match(api: TestClient, rep: Rep, company: str) -> dict[str, Any]:
    answer = api.get("/api/accounts/match", params={"company": company}, headers=rep.headers)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def test_the_company_rule(api: TestClient, alex: Rep, accounts: dict[str, str]) -> None:
    exact = _match(api, alex, "ACME ROBOTICS")  # equal names ignore case; of two, the earliest created wins
    assert (exact["rule"], exact["account"]["id"]) == ("exact", accounts["acme_old"])
    partial = _match(api, alex, "  Globex ")
    assert (partial["rule"], partial["account"]["id"]) == ("unique_substring", accounts["globex"])
    ambiguous = _match(api, alex, "Initech")
    assert (ambiguous["rule"], ambiguous["account"]) == ("none", None)
    assert _match(api, alex, "Nothing Like It")["account"] is None
    assert _match(api, alex, "")["rule"] == "none"


def test_values_are_escaped_in_soql(api: TestClient, alex: Rep, accounts: dict[str, str]) -> None:
    tricky = _match(api, alex, TRICKY)
    assert (tricky["rule"], tricky["account"]["id"]) == ("exact", accounts["tricky"])
    assert _match(api, alex, "Brien \\ Sons")["account"]["id"] == accounts["tricky"]
    # Wildcards are literal: "%" and "_" match only names that contain them.
    assert _match(api, alex, "%")["account"]["id"] == accounts["tricky"]
    assert _match(api, alex, "_Ltd_")["account"]["id"] == accounts["tricky"]
    assert _match(api, alex, "Ro%ics")["account"] is None
    assert _match(api, alex, "Glo_ex")["account"] is None
    assert _match(api, alex, "' OR Name != '")["account"] is None


def test_message_ids_and_addresses_with_quotes_and_wildcards(api: TestClient, alex: Rep, admin_sf: Salesforce) -> None:
    address = "o'brien%_\\x@odd.example"
    contact = admin_sf.Contact.create({"LastName": "O'Brien", "Email": address})["id"]
    message_id = "<it's\\a%_*{x}@mail.example>"
    body = email(address, [ALEX], message_id=message_id)
    found = api.post(
        "/api/emails/lookup",
        json={k: body[k] for k in ("internet_message_id", "from", "to", "cc")},
        headers=alex.headers,
    ).json()
    assert [match["id"] for match in found["people"][0]["matches"]] == [contact]
    assert log(api, alex, body, relate_ids=[contact]).json()["outcome"] == "created"
    assert log(api, alex, body, relate_ids=[contact]).json()["outcome"] == "already_logged"  # found again by id
    assert len(email_messages(admin_sf, message_id.replace("\\", "\\\\").replace("'", "\\'"))) == 1


def test_search_escapes_sosl(api: TestClient, alex: Rep, accounts: dict[str, str]) -> None:
    for text in ('O\'Brien "100%"', "Sons (Ltd) & {x} *", "AND OR NOT"):
        answer = api.get("/api/records/search", params={"q": text}, headers=alex.headers)
        assert answer.status_code == 200, (text, answer.text)
    found = api.get("/api/records/search", params={"q": "Globex"}, headers=alex.headers).json()
    assert [item["id"] for item in found["accounts"]] == [accounts["globex"]]
    assert api.get("/api/records/search", params={"q": "x"}, headers=alex.headers).status_code == 422


def test_create_contact_with_the_company_rule_and_a_lead(
    api: TestClient, alex: Rep, accounts: dict[str, str], admin_sf: Salesforce
) -> None:
    created = api.post(
        "/api/people",
        json={
            "kind": "contact",
            "email": "New.Person@Globex.example",
            "first_name": "New",
            "last_name": "Person",
            "company": "Globex",
        },
        headers=alex.headers,
    )
    assert created.status_code == 201, created.text
    person = created.json()["person"]
    assert (created.json()["account_rule"], person["account"]["id"]) == ("unique_substring", accounts["globex"])
    [row] = records(
        admin_sf, f"SELECT Email, FirstName, LastName, AccountId, OwnerId FROM Contact WHERE Id = '{person['id']}'"
    )
    assert (row["Email"], row["AccountId"], row["OwnerId"]) == (
        "new.person@globex.example",
        accounts["globex"],
        alex.salesforce_id,
    )

    lead = api.post(
        "/api/people",
        json={"kind": "lead", "email": "lead@initech.example", "last_name": "Lead", "company": "Initech"},
        headers=alex.headers,
    )
    assert lead.status_code == 201
    [lead_row] = records(admin_sf, f"SELECT Company, Email FROM Lead WHERE Id = '{lead.json()['person']['id']}'")
    assert lead_row == {"attributes": lead_row["attributes"], "Company": "Initech", "Email": "lead@initech.example"}

    no_company = api.post(
        "/api/people", json={"kind": "lead", "email": "x@y.example", "last_name": "X"}, headers=alex.headers
    )
    assert no_company.status_code == 422
    assert "company" in no_company.json()["error"]["message"]
