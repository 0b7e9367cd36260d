"""The Calendar API emulator through google-api-python-client."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from tests.sandbox.google.conftest import Google

SERIES_ID = "teamcall0001"


def _error(exc: HttpError) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(exc.content)["error"]
    return body


def _all(events_api: Any, **params: Any) -> tuple[list[dict[str, Any]], str | None]:
    items: list[dict[str, Any]] = []
    page_token = None
    while True:
        page = events_api.list(calendarId="primary", pageToken=page_token, **params).execute()
        items += page["items"]
        page_token = page.get("nextPageToken")
        if not page_token:
            return items, page.get("nextSyncToken")


def _series(events_api: Any) -> dict[str, Any]:
    created: dict[str, Any] = events_api.insert(
        calendarId="primary",
        body={
            "id": SERIES_ID,
            "summary": "Weekly sync",
            "start": {"dateTime": "2030-01-07T10:00:00", "timeZone": "Europe/Paris"},
            "end": {"dateTime": "2030-01-07T10:30:00", "timeZone": "Europe/Paris"},
            "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE;TZID=Europe/Paris:20300121T100000"],
            "extendedProperties": {"private": {"salesforceId": "00U000000000001"}},
        },
    ).execute()
    return created


def test_a_recurring_event_with_one_moved_instance_with_and_without_single_events(google: Google) -> None:
    events = google.service("calendar").events()
    series = _series(events)
    assert series["id"] == SERIES_ID and series["recurrence"][0].startswith("RRULE")
    instances = events.instances(calendarId="primary", eventId=SERIES_ID).execute()["items"]
    assert [i["originalStartTime"]["dateTime"] for i in instances] == [
        "2030-01-07T10:00:00+01:00",
        "2030-01-14T10:00:00+01:00",
        "2030-01-28T10:00:00+01:00",
    ]
    moved = events.patch(
        calendarId="primary",
        eventId=instances[1]["id"],
        body={"start": {"dateTime": "2030-01-15T16:00:00+01:00"}, "end": {"dateTime": "2030-01-15T16:30:00+01:00"}},
    ).execute()
    assert moved["id"] == f"{SERIES_ID}_20300114T090000Z"
    assert moved["recurringEventId"] == SERIES_ID
    assert moved["originalStartTime"] == {"dateTime": "2030-01-14T10:00:00+01:00", "timeZone": "Europe/Paris"}
    assert moved["iCalUID"] == series["iCalUID"]

    window = {"timeMin": "2030-01-01T00:00:00Z", "timeMax": "2030-02-01T00:00:00Z"}
    expanded, _ = _all(events, singleEvents=True, orderBy="startTime", **window)
    assert [e["start"]["dateTime"] for e in expanded] == [
        "2030-01-07T10:00:00+01:00",
        "2030-01-15T16:00:00+01:00",
        "2030-01-28T10:00:00+01:00",
    ]
    assert all(e["recurringEventId"] == SERIES_ID for e in expanded)
    assert all(e["extendedProperties"]["private"]["salesforceId"] == "00U000000000001" for e in expanded)

    collapsed, _ = _all(events, **window)
    ours = [e for e in collapsed if e["id"].startswith(SERIES_ID)]
    assert {e["id"] for e in ours} == {SERIES_ID, moved["id"]}
    master = next(e for e in ours if e["id"] == SERIES_ID)
    assert "recurrence" in master and "recurringEventId" not in master


def test_a_cancelled_instance_is_listed_as_google_documents(google: Google) -> None:
    events = google.service("calendar").events()
    _series(events)
    first = f"{SERIES_ID}_20300107T090000Z"
    events.delete(calendarId="primary", eventId=first).execute()
    window = {"timeMin": "2030-01-01T00:00:00Z", "timeMax": "2030-02-01T00:00:00Z"}
    collapsed, _ = _all(events, **window)
    cancelled = [e for e in collapsed if e["id"] == first]
    assert cancelled and cancelled[0]["status"] == "cancelled"
    expanded, _ = _all(events, singleEvents=True, **window)
    assert first not in {e["id"] for e in expanded}
    with_deleted, _ = _all(events, singleEvents=True, showDeleted=True, **window)
    assert first in {e["id"] for e in with_deleted}
    with pytest.raises(HttpError) as again:
        events.delete(calendarId="primary", eventId=first).execute()
    assert again.value.resp.status == 410
    assert _error(again.value)["errors"][0]["reason"] == "deleted"


def test_incremental_sync_and_an_expired_sync_token_answered_with_410(google: Google) -> None:
    events = google.service("calendar").events()
    items, token = _all(events, maxResults=3)
    assert items and token
    created = events.insert(
        calendarId="primary",
        body={"summary": "New", "start": {"date": "2030-03-01"}, "end": {"date": "2030-03-02"}},
    ).execute()
    events.delete(calendarId="primary", eventId=items[0]["id"]).execute()
    changes, next_token = _all(events, syncToken=token)
    assert {e["id"]: e["status"] for e in changes} == {created["id"]: "confirmed", items[0]["id"]: "cancelled"}
    assert next_token

    with pytest.raises(HttpError) as combined:
        events.list(calendarId="primary", syncToken=next_token, timeMin="2030-01-01T00:00:00Z").execute()
    assert combined.value.resp.status == 400
    with pytest.raises(HttpError) as hidden_deletes:
        events.list(calendarId="primary", syncToken=next_token, showDeleted=False).execute()
    assert hidden_deletes.value.resp.status == 400

    google.advance(timedelta(days=8))
    with pytest.raises(HttpError) as gone:
        google.service("calendar").events().list(calendarId="primary", syncToken=next_token).execute()
    assert gone.value.resp.status == 410
    error = _error(gone.value)
    assert error["errors"][0] == {
        "domain": "calendar",
        "reason": "fullSyncRequired",
        "message": "Sync token is no longer valid, a full sync is required.",
        "locationType": "parameter",
        "location": "syncToken",
    }
    assert error["code"] == 410


def test_client_supplied_ids_duplicates_and_invalid_ids(google: Google) -> None:
    events = google.service("calendar").events()
    body = {"id": "abcdef0123", "summary": "Idempotent", "start": {"date": "2030-05-01"}, "end": {"date": "2030-05-02"}}
    events.insert(calendarId="primary", body=body).execute()
    with pytest.raises(HttpError) as duplicate:
        events.insert(calendarId="primary", body=body).execute()
    assert duplicate.value.resp.status == 409
    assert _error(duplicate.value)["errors"][0]["reason"] == "duplicate"
    for bad in ("ABCDEF0123", "abcd", "wxyz12345"):
        with pytest.raises(HttpError) as invalid:
            events.insert(calendarId="primary", body={**body, "id": bad}).execute()
        assert invalid.value.resp.status == 400


def test_all_day_and_timed_events_visibility_and_extended_properties(google: Google) -> None:
    events = google.service("calendar").events()
    all_day = events.insert(
        calendarId="primary",
        body={
            "summary": "Offsite",
            "start": {"date": "2030-06-10"},
            "end": {"date": "2030-06-12"},
            "visibility": "private",
            "attendees": [{"email": "someone@example.org"}],
        },
    ).execute()
    assert all_day["start"] == {"date": "2030-06-10"} and all_day["end"] == {"date": "2030-06-12"}
    assert all_day["visibility"] == "private"
    assert all_day["attendees"][0]["responseStatus"] == "needsAction"
    in_window, _ = _all(events, timeMin="2030-06-11T23:00:00Z", timeMax="2030-06-13T00:00:00Z", singleEvents=True)
    assert all_day["id"] in {e["id"] for e in in_window}
    after, _ = _all(events, timeMin="2030-06-12T08:00:00Z", timeMax="2030-06-13T00:00:00Z", singleEvents=True)
    assert all_day["id"] not in {e["id"] for e in after}

    timed = events.insert(
        calendarId="primary",
        body={
            "summary": "Call",
            "start": {"dateTime": "2030-06-10T09:00:00Z", "timeZone": "America/New_York"},
            "end": {"dateTime": "2030-06-10T09:30:00Z", "timeZone": "America/New_York"},
            "extendedProperties": {"private": {"sfid": "00U1", "keep": "yes"}},
        },
    ).execute()
    assert timed["start"] == {"dateTime": "2030-06-10T05:00:00-04:00", "timeZone": "America/New_York"}
    patched = events.patch(
        calendarId="primary", eventId=timed["id"], body={"extendedProperties": {"private": {"sfid": "00U2"}}}
    ).execute()
    assert patched["extendedProperties"]["private"] == {"sfid": "00U2", "keep": "yes"}
    found = events.list(calendarId="primary", privateExtendedProperty="sfid=00U2").execute()["items"]
    assert [e["id"] for e in found] == [timed["id"]]
    with pytest.raises(HttpError) as empty_range:
        events.insert(
            calendarId="primary", body={"start": {"date": "2030-01-02"}, "end": {"date": "2030-01-01"}}
        ).execute()
    assert _error(empty_range.value)["errors"][0]["reason"] == "timeRangeEmpty"


def test_etags_with_if_match(google: Google) -> None:
    service = google.service("calendar")
    event = (
        service.events()
        .insert(
            calendarId="primary",
            body={"summary": "Versioned", "start": {"date": "2030-07-01"}, "end": {"date": "2030-07-02"}},
        )
        .execute()
    )
    request = service.events().patch(calendarId="primary", eventId=event["id"], body={"summary": "v2"})
    request.headers["If-Match"] = event["etag"]
    updated = request.execute()
    assert updated["etag"] != event["etag"]
    stale = service.events().update(calendarId="primary", eventId=event["id"], body={**event, "summary": "v3"})
    stale.headers["If-Match"] = event["etag"]
    with pytest.raises(HttpError) as refused:
        stale.execute()
    assert refused.value.resp.status == 412
    assert _error(refused.value)["errors"][0]["reason"] == "conditionNotMet"


def test_list_parameters_are_checked(google: Google) -> None:
    events = google.service("calendar").events()
    with pytest.raises(HttpError) as ordering:
        events.list(calendarId="primary", orderBy="startTime").execute()
    assert ordering.value.resp.status == 400
    page = events.list(calendarId="primary", maxResults=5000).execute()
    assert len(page["items"]) <= 2500
    with pytest.raises(HttpError) as unknown_calendar:
        events.list(calendarId="someone.else@example.com").execute()
    assert unknown_calendar.value.resp.status == 404


def test_the_demo_calendar_has_a_series_with_an_exception_and_a_private_event(google: Google) -> None:
    service = google.service("calendar")
    entries = service.calendarList().list().execute()["items"]
    assert entries[0]["primary"] is True and entries[0]["id"] == google.email
    items, _ = _all(service.events())
    assert any("recurrence" in e for e in items)
    assert any("recurringEventId" in e for e in items)
    assert any(e.get("visibility") == "private" for e in items)
    assert any("date" in e["start"] for e in items)


def test_calendar_batch_through_the_batch_endpoint(google: Google) -> None:
    service = google.service("calendar")
    results: dict[str, Any] = {}

    def collect(request_id: str, response: Any, exception: HttpError | None) -> None:
        results[request_id] = exception.resp.status if exception else response

    batch = google.batch("calendar", collect)
    for index in range(5):
        batch.add(
            service.events().insert(
                calendarId="primary",
                body={
                    "id": f"batchevent{index}",
                    "summary": f"Batch {index}",
                    "start": {"date": "2030-08-01"},
                    "end": {"date": "2030-08-02"},
                },
            )
        )
    batch.add(
        service.events().insert(
            calendarId="primary",
            body={
                "id": "batchevent0",
                "summary": "dup",
                "start": {"date": "2030-08-01"},
                "end": {"date": "2030-08-02"},
            },
        )
    )
    batch.add(service.events().get(calendarId="primary", eventId="nosuchevent"))
    batch.execute()
    assert [results[str(i)]["id"] for i in range(1, 6)] == [f"batchevent{i}" for i in range(5)]
    assert results["6"] == 409 and results["7"] == 404
