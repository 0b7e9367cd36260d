"""List views on Contact: the list, a view's describe with its SOQL, and its results."""

from __future__ import annotations

from typing import Any

from simple_salesforce import Salesforce

from app.sandbox.salesforce.listviews import EUROPE
from tests.sandbox.salesforce.conftest import ALEX, OrgSandbox, Rest


def _views(rest: Rest) -> dict[str, dict[str, Any]]:
    body = rest.get("sobjects/Contact/listviews").json()
    assert body["done"] is True and body["sobjectType"] == "Contact" and body["size"] == 3
    return {view["developerName"]: view for view in body["listviews"]}


def test_listviews_and_their_urls(rest: Rest) -> None:
    views = _views(rest)
    assert {v["label"] for v in views.values()} == {"All Contacts", "My Contacts", "Key contacts — Europe"}
    mine = views["MyContacts"]
    assert mine["id"].startswith("00B") and len(mine["id"]) == 18 and mine["soqlCompatible"] is True
    assert mine["describeUrl"] == f"/services/data/v59.0/sobjects/Contact/listviews/{mine['id']}/describe"
    assert rest.get(f"sobjects/Contact/listviews/{mine['id']}").json() == mine
    assert rest.get("sobjects/Contact/listviews/00BSb00000000zzIAA/describe").status_code == 404


def test_describe_gives_the_soql_salesforce_builds(rest: Rest) -> None:
    views = _views(rest)
    described = rest.get(f"sobjects/Contact/listviews/{views['MyContacts']['id']}/describe").json()
    assert described["query"] == (
        "SELECT name, account.name, title, phone, email, owner.alias, id, createddate, lastmodifieddate, "
        "systemmodstamp FROM Contact USING SCOPE mine ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST"
    )
    assert described["scope"] == "mine" and described["whereCondition"] is None
    assert described["id"] == views["MyContacts"]["id"][:15]
    assert described["orderBy"][0] == {
        "fieldNameOrPath": "Name",
        "nullsPosition": "first",
        "sortDirection": "ascending",
    }
    columns = {c["fieldNameOrPath"]: c for c in described["columns"]}
    assert columns["Id"]["hidden"] is True and columns["Name"]["sortIndex"] == 0
    europe = rest.get(f"sobjects/Contact/listviews/{views['Key_contacts_Europe']['id']}/describe").json()
    assert europe["whereCondition"] == {"field": "MailingCountry", "operator": "equals", "values": list(EUROPE)}
    assert "WHERE MailingCountry IN ('Austria', 'Belgium'" in europe["query"]
    assert europe["scope"] is None


def test_results(rest: Rest, sf: Salesforce, sf_sandbox: OrgSandbox) -> None:
    views = _views(rest)
    everyone = rest.get(f"sobjects/Contact/listviews/{views['AllContacts']['id']}/results", params={"limit": 2000})
    body = everyone.json()
    assert body["developerName"] == "AllContacts" and body["size"] == 240 and body["done"] is True
    ordered = sf.query_all("SELECT Id FROM Contact ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST")["records"]
    assert [_column(record, "Id") for record in body["records"]] == [r["Id"] for r in ordered]
    first = body["records"][0]["columns"]
    assert [c["fieldNameOrPath"] for c in first][:6] == [
        "Name",
        "Account.Name",
        "Title",
        "Phone",
        "Email",
        "Owner.Alias",
    ]
    assert _column(body["records"][0], "CreatedDate").endswith(
        " GMT " + _column(body["records"][0], "CreatedDate")[-4:]
    )

    mine = rest.get(f"sobjects/Contact/listviews/{views['MyContacts']['id']}/results", params={"limit": 2000}).json()
    alex_alias = sf.User.get(sf_sandbox.user_id(ALEX))["Alias"]
    assert (
        mine["size"]
        == sf.query("SELECT COUNT() FROM Contact WHERE Owner.Email = 'alex.morgan@example.com'")["totalSize"]
    )
    assert {_column(r, "Owner.Alias") for r in mine["records"]} == {alex_alias}

    europe = rest.get(f"sobjects/Contact/listviews/{views['Key_contacts_Europe']['id']}/results").json()
    assert europe["size"] == 25 and europe["done"] is False
    assert {_column(r, "MailingCountry") for r in europe["records"]} <= set(EUROPE)
    page = rest.get(
        f"sobjects/Contact/listviews/{views['Key_contacts_Europe']['id']}/results", params={"limit": 5, "offset": 25}
    ).json()
    assert page["size"] == 5


def _column(record: dict[str, Any], path: str) -> Any:
    return next(c["value"] for c in record["columns"] if c["fieldNameOrPath"] == path)
