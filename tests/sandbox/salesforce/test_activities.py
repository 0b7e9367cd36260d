"""Events (timed, all-day, private, series and exceptions), EventRelation, tasks."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from tests.sandbox.salesforce.conftest import ALEX, PRIYA, SAM, OrgSandbox


def _contact(sf: Salesforce, last: str = "Zieliński") -> str:
    return str(sf.Contact.create({"LastName": last, "Email": f"{last.lower()}@example.pl"})["id"])


def test_timed_event_fills_its_dates(sf: Salesforce) -> None:
    event_id = sf.Event.create(
        {"Subject": "Meeting", "StartDateTime": "2030-03-04T09:30:00+01:00", "EndDateTime": "2030-03-04T10:15:00+01:00"}
    )["id"]
    event = sf.Event.get(event_id)
    assert event["StartDateTime"] == event["ActivityDateTime"] == "2030-03-04T08:30:00.000+0000"
    assert event["EndDateTime"] == "2030-03-04T09:15:00.000+0000"
    assert (event["DurationInMinutes"], event["ActivityDate"], event["EndDate"]) == (45, "2030-03-04", "2030-03-04")
    assert (event["IsAllDayEvent"], event["ShowAs"], event["IsPrivate"]) == (False, "Busy", False)
    sf.Event.update(event_id, {"StartDateTime": "2030-03-05T08:00:00Z"})
    moved = sf.Event.get(event_id)
    assert (moved["EndDateTime"], moved["DurationInMinutes"]) == ("2030-03-05T08:45:00.000+0000", 45)


def test_all_day_event_rules(sf: Salesforce) -> None:
    event_id = sf.Event.create(
        {"Subject": "Offsite", "IsAllDayEvent": True, "ActivityDate": "2030-06-10", "DurationInMinutes": 2880}
    )["id"]
    event = sf.Event.get(event_id)
    assert event["StartDateTime"] == "2030-06-10T00:00:00.000+0000"
    assert event["EndDateTime"] == "2030-06-11T00:00:00.000+0000" and event["EndDate"] == "2030-06-11"
    assert event["DurationInMinutes"] == 2880
    single = sf.Event.get(
        sf.Event.create({"Subject": "Holiday", "IsAllDayEvent": True, "ActivityDate": "2030-06-12"})["id"]
    )
    assert (single["DurationInMinutes"], single["EndDate"]) == (1440, "2030-06-12")


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"Subject": "No time"}, "REQUIRED_FIELD_MISSING"),
        ({"Subject": "No end", "StartDateTime": "2030-01-01T10:00:00Z"}, "REQUIRED_FIELD_MISSING"),
        (
            {"Subject": "Too long", "StartDateTime": "2030-01-01T10:00:00Z", "DurationInMinutes": 15 * 1440},
            "FIELD_INTEGRITY_EXCEPTION",
        ),
        (
            {
                "Subject": "Disagree",
                "StartDateTime": "2030-01-01T10:00:00Z",
                "EndDateTime": "2030-01-01T11:00:00Z",
                "DurationInMinutes": 30,
            },
            "FIELD_INTEGRITY_EXCEPTION",
        ),
        ({"Subject": "All day, no date", "IsAllDayEvent": True}, "REQUIRED_FIELD_MISSING"),
    ],
)
def test_event_timing_errors(sf: Salesforce, payload: dict[str, Any], code: str) -> None:
    with pytest.raises(SalesforceMalformedRequest) as error:
        sf.Event.create(payload)
    assert error.value.content[0]["errorCode"] == code


def test_who_and_what_become_event_relations(sf: Salesforce) -> None:
    contact_id = _contact(sf)
    account_id = sf.Account.create({"Name": "Wisła Software Bis"})["id"]
    sf.Contact.update(contact_id, {"AccountId": account_id})
    event_id = sf.Event.create(
        {"Subject": "Lunch", "StartDateTime": "2030-01-02T12:00:00Z", "DurationInMinutes": 60, "WhoId": contact_id}
    )["id"]
    event = sf.Event.get(event_id)
    assert event["AccountId"] == account_id
    relations = sf.query(
        f"SELECT RelationId, IsParent, IsInvitee, IsWhat FROM EventRelation WHERE EventId = '{event_id}'"
    )
    assert [(r["RelationId"], r["IsParent"], r["IsInvitee"], r["IsWhat"]) for r in relations["records"]] == [
        (contact_id, True, False, False)
    ]
    invitee = sf.EventRelation.create({"EventId": event_id, "RelationId": _contact(sf, "Woźniak")})
    created = sf.EventRelation.get(invitee["id"])
    assert (created["IsInvitee"], created["IsParent"], created["Status"]) == (True, False, "New")
    assert sf.Event.get(event_id)["IsGroupEvent"] is True
    subquery = sf.query(f"SELECT Id, (SELECT RelationId FROM EventRelations) FROM Event WHERE Id = '{event_id}'")
    assert subquery["records"][0]["EventRelations"]["totalSize"] == 2
    sf.Event.update(event_id, {"WhatId": account_id})
    whats = sf.query(f"SELECT RelationId FROM EventRelation WHERE EventId = '{event_id}' AND IsWhat = true")
    assert [r["RelationId"] for r in whats["records"]] == [account_id]
    sf.Event.delete(event_id)
    assert sf.query(f"SELECT COUNT() FROM EventRelation WHERE EventId = '{event_id}'")["totalSize"] == 0


def test_event_relation_limits(sf: Salesforce) -> None:
    lead_id = sf.Lead.create({"LastName": "Dąbrowski", "Company": "Tatry Consulting"})["id"]
    event_id = sf.Event.create(
        {"Subject": "Intro", "StartDateTime": "2030-01-02T12:00:00Z", "DurationInMinutes": 30, "WhoId": lead_id}
    )["id"]
    with pytest.raises(SalesforceMalformedRequest) as second_lead:
        sf.EventRelation.create({"EventId": event_id, "RelationId": _contact(sf), "IsParent": True})
    assert second_lead.value.content[0]["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"
    with pytest.raises(SalesforceMalformedRequest) as duplicate:
        sf.EventRelation.create({"EventId": event_id, "RelationId": lead_id})
    assert duplicate.value.content[0]["errorCode"] == "DUPLICATE_VALUE"
    group = sf.Event.create({"Subject": "Webinar", "StartDateTime": "2030-01-03T12:00:00Z", "DurationInMinutes": 30})[
        "id"
    ]
    records = [
        {"attributes": {"type": "Contact"}, "LastName": f"Guest {i}", "Email": f"guest{i}@example.com"}
        for i in range(51)
    ]
    guests = [r["id"] for r in sf.restful("composite/sobjects", method="POST", json={"records": records})]
    relations = [
        {"attributes": {"type": "EventRelation"}, "EventId": group, "RelationId": guest, "IsParent": True}
        for guest in guests
    ]
    results = sf.restful("composite/sobjects", method="POST", json={"records": relations})
    assert [r["success"] for r in results].count(True) == 50
    assert results[50]["errors"][0]["statusCode"] == "FIELD_INTEGRITY_EXCEPTION"


def test_weekly_series_occurrences_and_exception(sf: Salesforce) -> None:
    first_id = sf.Event.create(
        {
            "Subject": "Stand-up",
            "StartDateTime": "2030-03-18T09:00:00Z",
            "DurationInMinutes": 15,
            "IsRecurrence2": True,
            "Recurrence2PatternText": "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE;COUNT=6",
            "Recurrence2PatternTimeZone": "Europe/London",
        }
    )["id"]
    series = sf.query_all(
        "SELECT Id, StartDateTime, IsRecurrence2, Recurrence2PatternText, Recurrence2PatternStartDate "
        "FROM Event WHERE Subject = 'Stand-up' ORDER BY StartDateTime"
    )["records"]
    starts = [r["StartDateTime"] for r in series]
    assert starts == [
        "2030-03-18T09:00:00.000+0000",
        "2030-03-20T09:00:00.000+0000",
        "2030-03-25T09:00:00.000+0000",
        "2030-03-27T09:00:00.000+0000",
        # London moves to summer time on 31 March: 09:00 local is 08:00 UTC.
        "2030-04-01T08:00:00.000+0000",
        "2030-04-03T08:00:00.000+0000",
    ]
    assert series[0]["Id"] == first_id
    assert all(r["IsRecurrence2"] and r["Recurrence2PatternStartDate"] == starts[0] for r in series)
    sf.Event.update(series[2]["Id"], {"Subject": "Stand-up (moved)", "StartDateTime": "2030-03-25T10:00:00Z"})
    moved = sf.Event.get(series[2]["Id"])
    assert moved["IsRecurrence2Exception"] is True
    assert sf.Event.get(series[3]["Id"])["IsRecurrence2Exception"] is False
    sf.Event.update(first_id, {"Recurrence2PatternText": "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3"})
    regenerated = sf.query_all("SELECT StartDateTime, IsRecurrence2Exception FROM Event WHERE Subject LIKE 'Stand-up%'")
    assert len(regenerated["records"]) == 4  # three Mondays and the kept exception


def test_series_errors(sf: Salesforce) -> None:
    base = {"Subject": "S", "StartDateTime": "2030-03-18T09:00:00Z", "DurationInMinutes": 15, "IsRecurrence2": True}
    with pytest.raises(SalesforceMalformedRequest) as missing:
        sf.Event.create(base)
    assert missing.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    with pytest.raises(SalesforceMalformedRequest) as bad:
        sf.Event.create({**base, "Recurrence2PatternText": "RRULE:FREQ=HOURLY"})
    assert bad.value.content[0]["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"
    assert bad.value.content[0]["fields"] == ["Recurrence2PatternText"]


def test_private_events_are_their_owners_alone(sf_sandbox: OrgSandbox) -> None:
    sf_sandbox.control("PATCH", "org", json={"sharing": {"Event": "ReadWrite"}})
    alex, priya, sam = sf_sandbox.client(ALEX), sf_sandbox.client(PRIYA), sf_sandbox.client(SAM)
    private = alex.query("SELECT Id FROM Event WHERE Subject = 'Dentist'")["records"][0]["Id"]
    public = alex.Event.create({"Subject": "Open", "StartDateTime": "2030-01-01T10:00:00Z", "DurationInMinutes": 30})[
        "id"
    ]
    assert priya.Event.get(public)["Subject"] == "Open"
    with pytest.raises(SalesforceResourceNotFound):
        priya.Event.get(private)
    assert priya.query(f"SELECT COUNT() FROM Event WHERE Id = '{private}'")["totalSize"] == 0
    assert sam.Event.get(private)["IsPrivate"] is True  # a System Administrator sees everything


def test_tasks(sf: Salesforce) -> None:
    contact_id = _contact(sf)
    task_id = sf.Task.create(
        {
            "Subject": "Call back",
            "WhoId": contact_id,
            "ActivityDate": "2030-02-01",
            "TaskSubtype": "Call",
            "Priority": "High",
        }
    )["id"]
    task = sf.Task.get(task_id)
    assert (task["Status"], task["IsClosed"], task["IsHighPriority"], task["TaskSubtype"]) == (
        "Not Started",
        False,
        True,
        "Call",
    )
    sf.Task.update(task_id, {"Status": "Completed"})
    done = sf.Task.get(task_id)
    assert done["IsClosed"] is True and done["CompletedDateTime"] is not None
    with pytest.raises(SalesforceMalformedRequest) as subtype:
        sf.Task.update(task_id, {"TaskSubtype": "Email"})
    assert subtype.value.content[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert sf.Task.get(sf.Task.create({"Subject": "Plain"})["id"])["TaskSubtype"] == "Task"


def test_deleting_the_who_relation_promotes_another_contact(sf: Salesforce, sf_sandbox: OrgSandbox) -> None:
    first, second = _contact(sf, "Kamińska"), _contact(sf, "Lewandowska")
    event_id = sf.Event.create(
        {"Subject": "Review", "StartDateTime": "2030-01-02T12:00:00Z", "DurationInMinutes": 30, "WhoId": first}
    )["id"]
    sf.EventRelation.create({"EventId": event_id, "RelationId": second, "IsParent": True})
    who = sf.query(f"SELECT Id FROM EventRelation WHERE EventId = '{event_id}' AND RelationId = '{first}'")
    sf.EventRelation.delete(who["records"][0]["Id"])
    assert sf.Event.get(event_id)["WhoId"] == second

    sf.Event.delete(event_id)
    restored = sf_sandbox.control("POST", "org/undelete", json={"ids": [event_id], "user": ALEX}).json()
    assert restored["results"][0]["success"] is True
    relations = sf.query(f"SELECT RelationId FROM EventRelation WHERE EventId = '{event_id}'")["records"]
    assert [r["RelationId"] for r in relations] == [second]
