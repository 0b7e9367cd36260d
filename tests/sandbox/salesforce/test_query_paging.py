"""The query, queryAll and search resources through simple-salesforce: batches, locators, sharing, errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from tests.sandbox.salesforce.conftest import OrgSandbox, Rest


@pytest.fixture
def big_org(sf_sandbox: OrgSandbox) -> OrgSandbox:
    """The org with 4,500 generated records per type (the users' owners spread round-robin)."""
    sf_sandbox.org.reset(4500, sf_sandbox.state.directory)
    sf_sandbox.org.settings.apply({"sharing": {"Contact": "ReadWrite"}})
    return sf_sandbox


def test_page_through_4500_contacts_with_next_records_url(big_org: OrgSandbox) -> None:
    sf = big_org.client()
    first = sf.query("SELECT Id, Email FROM Contact")
    assert first["totalSize"] == 4500 and first["done"] is False and len(first["records"]) == 2000
    locator = first["nextRecordsUrl"]
    assert locator.startswith("/services/data/v59.0/query/01g") and locator.endswith("-2000")
    second = sf.query_more(locator, identifier_is_url=True)
    assert len(second["records"]) == 2000 and second["nextRecordsUrl"].endswith("-4000")
    third = sf.query_more(second["nextRecordsUrl"].rsplit("/", 1)[1])
    assert third["done"] is True and len(third["records"]) == 500 and "nextRecordsUrl" not in third
    everything = sf.query_all("SELECT Id FROM Contact")
    ids = [r["Id"] for r in everything["records"]]
    assert len(ids) == len(set(ids)) == 4500
    assert ids == [r["Id"] for r in first["records"] + second["records"] + third["records"]]


def test_batch_size_header_and_expired_locator(big_org: OrgSandbox) -> None:
    rest = big_org.rest()
    page = rest.get("query", params={"q": "SELECT Id FROM Lead"}, headers={"Sforce-Query-Options": "batchSize=500"})
    assert len(page.json()["records"]) == 500
    big_org.state.clock.advance(timedelta(minutes=16))
    expired = rest.get(page.json()["nextRecordsUrl"].split("/v59.0/", 1)[1])
    assert expired.status_code == 400
    assert expired.json() == [{"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}]


def test_email_matches_case_insensitively_and_parent_fields(sf: Salesforce) -> None:
    result = sf.query(
        "SELECT Id, Name, Email, Account.Name FROM Contact WHERE Email = 'JOSE.NUNEZ@IBERIA-LOGISTICA.EXAMPLE.ES'"
    )
    [record] = result["records"]
    assert record["Name"] == "José Núñez"
    assert record["Account"]["Name"] == "Iberia Logística"
    assert record["Account"]["attributes"]["type"] == "Account"


def test_like_and_in_filters(sf: Salesforce) -> None:
    liked = sf.query_all("SELECT LastName FROM Contact WHERE LastName LIKE 'Nú%'")["records"]
    assert liked and all(r["LastName"].startswith("Nú") for r in liked)
    countries = sf.query_all("SELECT MailingCountry FROM Contact WHERE MailingCountry IN ('Sweden', 'Poland')")
    assert {r["MailingCountry"] for r in countries["records"]} == {"Sweden", "Poland"}
    apostrophe = sf.query("SELECT Name FROM Lead WHERE LastName = 'O\\'Connor'")
    assert [r["Name"] for r in apostrophe["records"]] == ["Seán O'Connor"]


def test_query_all_includes_deleted_rows(sf: Salesforce) -> None:
    record_id = sf.Contact.create({"LastName": "Sæther", "Email": "saether@example.no"})["id"]
    sf.Contact.delete(record_id)
    soql = f"SELECT Id, IsDeleted FROM Contact WHERE Id = '{record_id}'"
    assert sf.query(soql)["totalSize"] == 0
    rows = sf.query_all(soql, include_deleted=True)["records"]
    assert [(r["Id"], r["IsDeleted"]) for r in rows] == [(record_id, True)]


def test_child_subquery_and_count(sf: Salesforce) -> None:
    account = sf.query("SELECT Id, Name, (SELECT LastName FROM Contacts) FROM Account WHERE Name = 'Iberia Logística'")
    contacts = account["records"][0]["Contacts"]
    assert contacts["totalSize"] >= 1 and contacts["records"][0]["attributes"]["type"] == "Contact"
    count = sf.query("SELECT COUNT() FROM Account")
    assert count == {"totalSize": 54, "done": True, "records": []}


def test_query_errors_come_from_the_engine(sf: Salesforce, rest: Rest) -> None:
    with pytest.raises(SalesforceMalformedRequest) as malformed:
        sf.query("SELECT Id FROM")
    assert malformed.value.content[0]["errorCode"] == "MALFORMED_QUERY"
    with pytest.raises(SalesforceMalformedRequest) as field:
        sf.query("SELECT Nmae FROM Account")
    assert field.value.content[0]["errorCode"] == "INVALID_FIELD"
    with pytest.raises(SalesforceMalformedRequest) as sobject:
        sf.query("SELECT Id FROM Shoe__c")
    assert sobject.value.content[0]["errorCode"] == "INVALID_TYPE"
    assert rest.get("query").status_code == 400


def test_search_finds_contacts_and_leads_by_email(sf: Salesforce) -> None:
    # "-" is a reserved SOSL character, so the address is escaped as a client must.
    term = "oliver.smith@kestrel\\-media.example.net"
    found = sf.search(f"FIND {{{term}}} IN EMAIL FIELDS RETURNING Contact(Id), Lead(Id, Name)")
    records = found["searchRecords"]
    assert [(r["attributes"]["type"], r["Name"]) for r in records] == [("Lead", "Oliver Smith")]
