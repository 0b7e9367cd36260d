"""Calendar: events, series with occurrences and exceptions, calendar views and their delta, time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.sandbox.microsoft.seed import SERIES_SUBJECT
from tests.sandbox.microsoft.conftest import Graph, assert_graph_error

PACIFIC = {"Prefer": 'outlook.timezone="Pacific Standard Time"'}


def _series(graph: Graph, **extra: Any) -> dict[str, Any]:
    body = {
        "subject": "Ten weeks",
        "start": {"dateTime": "2030-02-25T10:00:00", "timeZone": "Pacific Standard Time"},
        "end": {"dateTime": "2030-02-25T10:30:00", "timeZone": "Pacific Standard Time"},
        "recurrence": {
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"]},
            "range": {"type": "numbered", "startDate": "2030-02-25", "numberOfOccurrences": 10},
        },
        **extra,
    }
    created = graph.post("/me/events", body)
    assert created.status_code == 201, created.text
    return dict(created.json())


WINDOW = {"startDateTime": "2030-02-01T00:00:00Z", "endDateTime": "2030-06-01T00:00:00Z"}


def test_ten_weekly_occurrences_with_one_moved_in_calendar_view_and_instances(graph: Graph) -> None:
    master = _series(graph)
    assert master["type"] == "seriesMaster"
    assert master["recurrence"]["range"] == {
        "type": "numbered",
        "startDate": "2030-02-25",
        "endDate": "0001-01-01",
        "recurrenceTimeZone": "Pacific Standard Time",
        "numberOfOccurrences": 10,
    }
    assert master["recurrence"]["pattern"]["firstDayOfWeek"] == "sunday"

    instances = graph.get(f"/me/events/{master['id']}/instances", params={**WINDOW, "$top": "50"}).json()["value"]
    assert len(instances) == 10 and {i["type"] for i in instances} == {"occurrence"}
    assert {i["seriesMasterId"] for i in instances} == {master["id"]}
    assert len({i["id"] for i in instances}) == 10 and len({i["iCalUId"] for i in instances}) == 10
    assert all(i["recurrence"] is None for i in instances)
    # 10:00 Pacific every Monday: 18:00 UTC in winter, 17:00 UTC once daylight saving time starts on 10 March.
    hours = [i["start"]["dateTime"][11:13] for i in instances]
    assert hours[:2] == ["18", "18"] and set(hours[2:]) == {"17"}

    fourth = instances[3]
    moved_start = "2030-03-19T10:00:00"
    exception = graph.patch(
        f"/me/events/{fourth['id']}",
        {
            "subject": "Moved to Tuesday",
            "start": {"dateTime": moved_start, "timeZone": "Pacific Standard Time"},
            "end": {"dateTime": "2030-03-19T10:30:00", "timeZone": "Pacific Standard Time"},
        },
    )
    assert exception.status_code == 200, exception.text
    assert exception.json()["type"] == "exception" and exception.json()["seriesMasterId"] == master["id"]

    view = graph.get("/me/calendarView", params={**WINDOW, "$top": "50"}, headers=PACIFIC).json()["value"]
    ours = [e for e in view if e.get("seriesMasterId") == master["id"]]
    assert len(ours) == 10
    kinds = [e["type"] for e in ours]
    assert kinds.count("exception") == 1 and kinds.count("occurrence") == 9
    moved = next(e for e in ours if e["type"] == "exception")
    assert moved["subject"] == "Moved to Tuesday"
    assert moved["start"] == {"dateTime": f"{moved_start}.0000000", "timeZone": "Pacific Standard Time"}
    assert moved["originalStart"] == "2030-03-18T17:00:00Z"
    assert all(e["start"]["dateTime"][11:16] == "10:00" for e in ours)
    assert [e["start"]["dateTime"][:10] for e in ours][3] == "2030-03-19"

    again = graph.get(f"/me/events/{master['id']}/instances", params={**WINDOW, "$top": "50"}).json()["value"]
    assert [e["type"] for e in again].count("exception") == 1 and len(again) == 10
    fetched = graph.get(f"/me/events/{instances[0]['id']}").json()
    assert fetched["type"] == "occurrence" and fetched["start"] == instances[0]["start"]

    assert graph.delete(f"/me/events/{instances[4]['id']}").status_code == 204
    after_delete = graph.get(f"/me/events/{master['id']}/instances", params={**WINDOW, "$top": "50"}).json()["value"]
    assert len(after_delete) == 9 and instances[4]["id"] not in {e["id"] for e in after_delete}
    assert_graph_error(graph.get(f"/me/events/{instances[4]['id']}"), 404, "ErrorItemNotFound")

    narrow = {"startDateTime": "2030-03-01T00:00:00Z", "endDateTime": "2030-03-12T00:00:00Z"}
    assert len(graph.get(f"/me/events/{master['id']}/instances", params=narrow).json()["value"]) == 2
    listed = graph.get("/me/events", params={"$filter": "subject eq 'Ten weeks'"}).json()["value"]
    assert [e["type"] for e in listed] == ["seriesMaster"]


def test_patching_the_master_changes_every_occurrence(graph: Graph) -> None:
    master = _series(graph)
    first = graph.get(f"/me/events/{master['id']}/instances", params=WINDOW).json()["value"][0]
    graph.patch(f"/me/events/{first['id']}", {"subject": "Special"})
    graph.patch(f"/me/events/{master['id']}", {"subject": "Renamed series"})
    instances = graph.get(f"/me/events/{master['id']}/instances", params={**WINDOW, "$top": "50"}).json()["value"]
    assert sorted({i["subject"] for i in instances}) == ["Renamed series", "Special"]
    assert len({i["@odata.etag"] for i in instances}) == 1  # every instance carries the master's change key
    shorter = {
        "recurrence": {**master["recurrence"], "range": {**master["recurrence"]["range"], "numberOfOccurrences": 3}}
    }
    graph.patch(f"/me/events/{master['id']}", shorter)
    remaining = graph.get(f"/me/events/{master['id']}/instances", params=WINDOW).json()["value"]
    assert [i["type"] for i in remaining] == ["occurrence"] * 3  # a new pattern drops the exception
    assert {i["subject"] for i in remaining} == {"Renamed series"}


def test_calendar_view_needs_a_window(graph: Graph) -> None:
    missing = graph.get("/me/calendarView")
    error = assert_graph_error(missing, 400, "ErrorInvalidParameter")
    assert "StartDateTime and EndDateTime" in error["message"]
    assert_graph_error(graph.get("/me/calendarView/delta"), 400, "ErrorInvalidParameter")
    master = _series(graph)
    assert_graph_error(graph.get(f"/me/events/{master['id']}/instances"), 400, "ErrorInvalidParameter")


def test_prefer_outlook_timezone(graph: Graph) -> None:
    body = {
        "subject": "Call",
        "start": {"dateTime": "2030-07-01T09:00:00", "timeZone": "W. Europe Standard Time"},
        "end": {"dateTime": "2030-07-01T09:30:00", "timeZone": "W. Europe Standard Time"},
    }
    created = graph.post("/me/events", body).json()
    assert created["start"] == {"dateTime": "2030-07-01T07:00:00.0000000", "timeZone": "UTC"}
    assert created["originalStartTimeZone"] == "W. Europe Standard Time"
    pacific = graph.get(f"/me/events/{created['id']}", headers=PACIFIC)
    assert pacific.json()["start"] == {"dateTime": "2030-07-01T00:00:00.0000000", "timeZone": "Pacific Standard Time"}
    assert pacific.headers["Preference-Applied"] == 'outlook.timezone="Pacific Standard Time"'
    iana = graph.get(f"/me/events/{created['id']}", headers={"Prefer": 'outlook.timezone="Asia/Tokyo"'}).json()
    assert iana["end"] == {"dateTime": "2030-07-01T16:30:00.0000000", "timeZone": "Asia/Tokyo"}
    unknown = graph.get(f"/me/events/{created['id']}", headers={"Prefer": 'outlook.timezone="Mars Standard Time"'})
    assert unknown.json()["start"]["timeZone"] == "UTC" and "Preference-Applied" not in unknown.headers
    bad = {**body, "start": {"dateTime": "2030-07-01T09:00:00", "timeZone": "Greenwich Mean Time"}}
    assert_graph_error(graph.post("/me/events", bad), 400, "TimeZoneNotSupportedException")


def test_transaction_id_deduplicates_creates(graph: Graph) -> None:
    body = {
        "subject": "Retried create",
        "transactionId": "7E163156-7762-4BEB-A1C6-729EA81755A7",
        "start": {"dateTime": "2030-08-01T09:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2030-08-01T10:00:00", "timeZone": "UTC"},
    }
    first = graph.post("/me/events", body)
    second = graph.post("/me/events", body)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"] and first.json()["transactionId"] == body["transactionId"]
    listed = graph.get("/me/events", params={"$filter": "subject eq 'Retried create'"}).json()["value"]
    assert len(listed) == 1
    change = graph.patch(f"/me/events/{first.json()['id']}", {"transactionId": "another"})
    assert_graph_error(change, 400, "ErrorInvalidProperty")


def test_event_properties_sensitivity_all_day_attendees_categories_and_extended(graph: Graph) -> None:
    marker = "String {00020329-0000-0000-C000-000000000046} Name crmbridge-id"
    body = {
        "subject": "Offsite",
        "isAllDay": True,
        "sensitivity": "private",
        "categories": ["Sync with Salesforce"],
        "start": {"dateTime": "2030-09-02T00:00:00", "timeZone": "Romance Standard Time"},
        "end": {"dateTime": "2030-09-04T00:00:00", "timeZone": "Romance Standard Time"},
        "attendees": [{"emailAddress": {"address": "someone@example.net", "name": "Someone"}, "type": "optional"}],
        "singleValueExtendedProperties": [{"id": marker, "value": "00UXX000001"}],
    }
    created = graph.post("/me/events", body)
    assert created.status_code == 201, created.text
    event = created.json()
    assert event["isAllDay"] and event["sensitivity"] == "private" and event["isOrganizer"]
    assert event["organizer"]["emailAddress"]["address"] == graph.email
    assert event["attendees"][0]["status"] == {"response": "none", "time": "0001-01-01T00:00:00Z"}
    assert event["start"] == {"dateTime": "2030-09-02T00:00:00.0000000", "timeZone": "Romance Standard Time"}
    expanded = graph.get(
        f"/me/events/{event['id']}", params={"$expand": f"singleValueExtendedProperties($filter=id eq '{marker}')"}
    ).json()
    assert expanded["singleValueExtendedProperties"] == [{"id": marker, "value": "00UXX000001"}]
    not_midnight = {**body, "start": {"dateTime": "2030-09-02T08:00:00", "timeZone": "UTC"}}
    assert_graph_error(graph.post("/me/events", not_midnight), 400, "ErrorPropertyValidationFailure")
    assert_graph_error(graph.post("/me/events", {**body, "sensitivity": "secret"}), 400, "RequestBodyRead")
    stale = event["@odata.etag"]
    graph.patch(f"/me/events/{event['id']}", {"subject": "Offsite (moved)"})
    assert_graph_error(
        graph.patch(f"/me/events/{event['id']}", {"subject": "x"}, headers={"If-Match": stale}),
        412,
        "ErrorIrresolvableConflict",
    )


def _delta_round(graph: Graph, url: str) -> tuple[list[dict[str, Any]], str]:
    items: list[dict[str, Any]] = []
    while True:
        body = graph.get(url, headers={"Prefer": "odata.maxpagesize=3"}).json()
        items.extend(body["value"])
        if "@odata.deltaLink" in body:
            return items, body["@odata.deltaLink"]
        url = body["@odata.nextLink"]


def _single(graph: Graph, subject: str, start: datetime) -> dict[str, Any]:
    body = {
        "subject": subject,
        "start": {"dateTime": start.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
        "end": {"dateTime": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
    }
    return dict(graph.post("/me/events", body).json())


def test_calendar_view_delta_reports_changes_and_items_leaving_the_window(graph: Graph) -> None:
    start = datetime(2031, 1, 6, tzinfo=UTC)
    window = {"startDateTime": "2031-01-06T00:00:00Z", "endDateTime": "2031-01-20T00:00:00Z"}
    stays = _single(graph, "Stays", start + timedelta(days=1, hours=9))
    leaves = _single(graph, "Leaves", start + timedelta(days=2, hours=9))
    goes = _single(graph, "Goes", start + timedelta(days=3, hours=9))
    series = _series(
        graph,
        start={"dateTime": "2031-01-07T12:00:00", "timeZone": "UTC"},
        end={"dateTime": "2031-01-07T12:30:00", "timeZone": "UTC"},
        recurrence={
            "pattern": {"type": "daily", "interval": 1},
            "range": {"type": "endDate", "startDate": "2031-01-07", "endDate": "2031-01-09"},
        },
    )
    url = "/me/calendarView/delta?startDateTime={startDateTime}&endDateTime={endDateTime}".format(**window)
    initial, link = _delta_round(graph, url)
    by_id = {e["id"]: e for e in initial}
    assert {stays["id"], leaves["id"], goes["id"]} <= set(by_id)
    assert all(e["@odata.type"] == "#microsoft.graph.event" for e in initial)
    occurrences = [e for e in initial if e.get("seriesMasterId") == series["id"]]
    assert len(occurrences) == 3 and series["id"] not in by_id

    graph.patch(f"/me/events/{stays['id']}", {"subject": "Stays (renamed)"})
    moved_out = (start + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S")
    graph.patch(
        f"/me/events/{leaves['id']}",
        {
            "start": {"dateTime": moved_out, "timeZone": "UTC"},
            "end": {"dateTime": moved_out.replace("T00", "T01"), "timeZone": "UTC"},
        },
    )
    graph.delete(f"/me/events/{goes['id']}")
    outside = _single(graph, "Outside", start + timedelta(days=60))
    inside = _single(graph, "Inside", start + timedelta(days=5, hours=9))
    graph.delete(f"/me/events/{occurrences[1]['id']}")

    changes, next_link = _delta_round(graph, link)
    seen = {e["id"]: e for e in changes}
    assert seen[stays["id"]]["subject"] == "Stays (renamed)"
    assert seen[leaves["id"]]["@removed"] == {"reason": "deleted"}
    assert seen[goes["id"]]["@removed"] == {"reason": "deleted"}
    assert seen[outside["id"]]["@removed"] == {"reason": "deleted"}  # outside the window: documented as removed
    assert seen[inside["id"]]["subject"] == "Inside"
    assert seen[occurrences[1]["id"]]["@removed"] == {"reason": "deleted"}
    assert occurrences[0]["id"] in seen  # the series changed, so its instances come again
    assert series["id"] not in seen  # but never its master
    assert _delta_round(graph, next_link)[0] == []


def test_calendars_and_the_demo_calendar(graph: Graph) -> None:
    calendars = graph.get("/me/calendars").json()["value"]
    assert [c["name"] for c in calendars] == ["Calendar"] and calendars[0]["isDefaultCalendar"]
    assert graph.get("/me/calendar").json()["id"] == calendars[0]["id"]
    created = graph.post("/me/calendars", {"name": "Team"}).json()
    event = graph.post(
        f"/me/calendars/{created['id']}/events",
        {
            "subject": "In Team",
            "start": {"dateTime": "2030-01-01T10:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2030-01-01T11:00:00", "timeZone": "UTC"},
        },
    ).json()
    assert [e["id"] for e in graph.get(f"/me/calendars/{created['id']}/events").json()["value"]] == [event["id"]]

    today = graph.sandbox.state.clock.now()
    window = {
        "startDateTime": (today - timedelta(days=30)).strftime("%Y-%m-%dT00:00:00Z"),
        "endDateTime": (today + timedelta(days=60)).strftime("%Y-%m-%dT00:00:00Z"),
        "$top": "100",
    }
    view = graph.get("/me/calendarView", params=window).json()["value"]
    pipeline = [e for e in view if e["subject"].startswith(SERIES_SUBJECT)]
    assert len(pipeline) == 10 and sum(e["type"] == "exception" for e in pipeline) == 1
    assert any(e["sensitivity"] == "private" for e in view)
    assert any(e["isAllDay"] for e in view)
    assert any(e["subject"] == "Monthly forecast call" and e["type"] == "occurrence" for e in view)
    first_thursdays = [e["start"]["dateTime"][:10] for e in view if e["subject"] == "Monthly forecast call"]
    assert all(date.fromisoformat(d).weekday() == 3 and int(d[8:10]) <= 7 for d in first_thursdays)
