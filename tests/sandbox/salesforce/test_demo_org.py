"""The demo org and generated orgs: deterministic, international, complete; and every call in the call log."""

from __future__ import annotations

import time

from simple_salesforce import Salesforce

from app.sandbox.calls import CallFilter
from app.sandbox.demo_people import demo_companies, demo_people
from tests.sandbox.salesforce.conftest import ALEX, PRIYA, SAM, OrgSandbox


def test_demo_org_is_deterministic(sf_sandbox: OrgSandbox) -> None:
    org = sf_sandbox.org

    def snapshot() -> dict[str, list[tuple[str, str | None]]]:
        return {
            name: sorted((row["Id"], row.get("Name") or row.get("Subject")) for row in org.rows(name))
            for name in ("User", "Account", "Contact", "Lead", "Opportunity", "Case", "Event", "Task", "EmailMessage")
        }

    first = snapshot()
    org.reset("demo", sf_sandbox.state.directory)
    assert snapshot() == first
    assert len(first["Account"]) == len(demo_companies()) == 54
    assert (len(first["Contact"]), len(first["Lead"])) == (240, 60)


def test_demo_people_match_the_org(sf: Salesforce) -> None:
    people = demo_people()
    assert len(people) == 300 and len({p.email for p in people}) == 300
    names = {p.name for p in people}
    assert {"José Núñez", "Zoë Ångström", "Łukasz Wójcik", "Søren Kierkegaard-Holm", "Seán O'Connor"} <= names
    contacts = sf.query_all("SELECT Name, Email, Owner.Email, Account.Name FROM Contact")["records"]
    by_email = {c["Email"]: c for c in contacts}
    for person in people:
        if person.kind != "contact":
            continue
        record = by_email[person.email]
        assert record["Name"] == person.name and record["Account"]["Name"] == person.company
        expected_owner = person.known_by if person.known_by != "jordan.lee@example.com" else SAM
        assert record["Owner"]["Email"] == expected_owner


def test_demo_org_content(sf_sandbox: OrgSandbox) -> None:
    sam = sf_sandbox.client(SAM)
    users = sam.query("SELECT Username, Profile.Name FROM User ORDER BY Username")["records"]
    assert [(u["Username"], u["Profile"]["Name"]) for u in users] == [
        (ALEX, "Standard User"),
        (PRIYA, "Standard User"),
        ("sam.taylor@example.com", "System Administrator"),
        ("zoe.lefevre@example.com", "Standard User"),
    ]
    opportunities = sam.query_all("SELECT IsClosed FROM Opportunity")["records"]
    assert {o["IsClosed"] for o in opportunities} == {True, False}
    cases = sam.query_all("SELECT IsClosed FROM Case")["records"]
    assert {c["IsClosed"] for c in cases} == {True, False}
    series = sam.query_all(
        "SELECT StartDateTime, IsRecurrence2Exception FROM Event WHERE Subject = 'Weekly pipeline review'"
    )["records"]
    assert len(series) == 8 and sum(e["IsRecurrence2Exception"] for e in series) == 1
    assert sam.query("SELECT COUNT() FROM Event WHERE IsPrivate = true")["totalSize"] == 1
    assert sam.query("SELECT COUNT() FROM Event WHERE IsAllDayEvent = true")["totalSize"] == 1
    assert sam.query("SELECT COUNT() FROM EventRelation WHERE IsInvitee = true")["totalSize"] == 4
    assert sam.query("SELECT COUNT() FROM Task")["totalSize"] == 30
    assert sam.query("SELECT COUNT() FROM EmailMessage")["totalSize"] == 5
    assert sam.query("SELECT COUNT() FROM ContentDocument")["totalSize"] == 1
    dates = sam.query_all("SELECT CreatedDate, LastModifiedDate FROM Contact")["records"]
    assert all(d["CreatedDate"] <= d["LastModifiedDate"] for d in dates)
    # Activities are private by default: a rep sees their own events only.
    alex = sf_sandbox.client(ALEX)
    owners = {e["OwnerId"] for e in alex.query_all("SELECT OwnerId FROM Event")["records"]}
    assert owners == {sf_sandbox.user_id(ALEX)}


def test_generated_org_is_quick_and_sized(sf_sandbox: OrgSandbox) -> None:
    started = time.perf_counter()
    sf_sandbox.org.reset(4500, sf_sandbox.state.directory)
    assert time.perf_counter() - started < 2.0
    sam = sf_sandbox.client(SAM)
    for name in ("Account", "Contact", "Lead", "Opportunity", "Case", "Event", "Task"):
        assert sam.query(f"SELECT COUNT() FROM {name}")["totalSize"] == 4500
    emails = sam.query_all("SELECT Email FROM Contact")["records"]
    assert len({e["Email"] for e in emails}) == 4500


def test_every_call_is_in_the_call_log(sf: Salesforce, sf_sandbox: OrgSandbox) -> None:
    calls = sf_sandbox.state.calls
    before = calls.last_id
    sf.Contact.create({"LastName": "Logged"})
    sf.query("SELECT Id FROM Contact LIMIT 1")
    sf.limits()
    logged = calls.calls(CallFilter(provider="salesforce", after_id=before))
    assert [(c.method, c.status) for c in logged] == [("POST", 201), ("GET", 200), ("GET", 200)]
    assert all(c.user == ALEX for c in logged)
    assert logged[0].path == "/sandbox.my.salesforce.com/services/data/v59.0/sobjects/Contact/"
