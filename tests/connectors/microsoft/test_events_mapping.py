"""Graph events <-> the event projection: pure conversion (all-day, time zones, private, attendees, body text)."""

from __future__ import annotations

from typing import Any

from app.connectors.microsoft import events_mapping as em
from app.connectors.microsoft.mapping import MARKER_PROPERTY_ID
from app.sync.items import normalise_fields

OWNER = "alex.morgan@example.com"


def event(**extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": "AAkALgEvent",
        "changeKey": "ck1",
        "subject": "Quarterly review",
        "body": {"contentType": "text", "content": "Bring the\r\nforecast"},
        "location": {"displayName": "Room 4"},
        "start": {"dateTime": "2030-03-04T09:30:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2030-03-04T10:15:00.0000000", "timeZone": "UTC"},
        "isAllDay": False,
        "sensitivity": "normal",
        "type": "singleInstance",
    }
    doc.update(extra)
    return doc


def test_a_timed_event_reads_as_utc_instants_and_text_notes() -> None:
    fields = em.to_fields(event(), OWNER)

    assert dict(fields) == {
        "subject": "Quarterly review",
        "notes": "Bring the forecast",
        "location": "Room 4",
        "start": "2030-03-04T09:30:00Z",
        "end": "2030-03-04T10:15:00Z",
    }


def test_times_in_another_zone_are_converted_to_utc() -> None:
    doc = event(
        start={"dateTime": "2030-07-01T09:00:00.0000000", "timeZone": "America/New_York"},
        end={"dateTime": "2030-07-01T10:00:00.5000000", "timeZone": "America/New_York"},
    )

    fields = em.to_fields(doc, OWNER)

    assert (fields["start"], fields["end"]) == ("2030-07-01T13:00:00Z", "2030-07-01T14:00:00Z")


def test_an_all_day_event_reads_as_dates_with_an_exclusive_end_whatever_its_zone() -> None:
    doc = event(
        isAllDay=True,
        start={"dateTime": "2030-03-10T00:00:00.0000000", "timeZone": "Pacific Standard Time"},
        end={"dateTime": "2030-03-12T00:00:00.0000000", "timeZone": "Pacific Standard Time"},
    )

    fields = em.to_fields(doc, OWNER)

    assert (fields["start"], fields["end"], fields["all_day"]) == ("2030-03-10", "2030-03-12", "true")


def test_private_and_confidential_are_private_personal_is_not() -> None:
    assert em.to_fields(event(sensitivity="private"), OWNER)["private"] == "true"
    assert em.to_fields(event(sensitivity="confidential"), OWNER)["private"] == "true"
    assert "private" not in em.to_fields(event(sensitivity="personal"), OWNER)


def test_attendees_are_lower_cased_without_the_owner() -> None:
    attendees = [
        {"type": "required", "emailAddress": {"address": "Grace@Navy.example", "name": "Grace"}},
        {"type": "required", "emailAddress": {"address": "ALEX.MORGAN@example.com", "name": "Alex"}},
        {"type": "optional", "emailAddress": {"address": "grace@navy.example"}},
        {"type": "optional", "emailAddress": {"name": "No address"}},
    ]

    fields = em.to_fields(event(attendees=attendees), OWNER)

    assert fields["attendees"] == ("grace@navy.example",)


def test_series_members_and_markers_are_recognised() -> None:
    occurrence = event(type="occurrence", seriesMasterId="AAkALgMaster")
    marked = event(singleValueExtendedProperties=[{"id": MARKER_PROPERTY_ID, "value": "crmbridge:salesforce:1"}])

    assert em.is_series_member(occurrence) and em.series_of(occurrence) == "AAkALgMaster"
    assert not em.is_series_member(event())
    assert em.marker_of(marked) == "crmbridge:salesforce:1"
    assert em.change_key({"@odata.etag": 'W/"ck9"'}) == "ck9"


def test_a_create_body_has_utc_times_text_body_marker_transaction_and_never_attendees() -> None:
    fields = normalise_fields(
        {
            "subject": "Demo",
            "start": "2030-03-04T09:30:00Z",
            "end": "2030-03-04T10:00:00Z",
            "notes": "Hello",
            "private": "true",
            "attendees": ("grace@navy.example",),
        }
    )

    body = em.create_body(fields, marker="crmbridge:salesforce:7", with_categories=["Sync with Salesforce"])

    assert body["start"] == {"dateTime": "2030-03-04T09:30:00", "timeZone": "UTC"}
    assert body["end"] == {"dateTime": "2030-03-04T10:00:00", "timeZone": "UTC"}
    assert body["isAllDay"] is False
    assert body["body"] == {"contentType": "text", "content": "Hello"}
    assert body["sensitivity"] == "private"
    assert body["categories"] == ["Sync with Salesforce"]
    assert body["singleValueExtendedProperties"] == [{"id": MARKER_PROPERTY_ID, "value": "crmbridge:salesforce:7"}]
    assert body["transactionId"] == em.transaction_id("crmbridge:salesforce:7")
    assert em.transaction_id("crmbridge:salesforce:7") != em.transaction_id("crmbridge:salesforce:8")
    assert "attendees" not in body


def test_an_all_day_create_uses_utc_midnights() -> None:
    fields = normalise_fields({"subject": "Trade show", "start": "2030-03-10", "end": "2030-03-12", "all_day": "true"})

    body = em.create_body(fields, marker="m")

    assert body["isAllDay"] is True
    assert body["start"] == {"dateTime": "2030-03-10T00:00:00", "timeZone": "UTC"}
    assert body["end"] == {"dateTime": "2030-03-12T00:00:00", "timeZone": "UTC"}


def test_an_update_clears_absent_fields_and_writes_sensitivity_only_when_privacy_changes() -> None:
    fields = normalise_fields({"subject": "Demo", "start": "2030-03-04T09:30:00Z", "end": "2030-03-04T10:00:00Z"})

    personal = em.update_body(fields, event(sensitivity="personal"))
    unprivate = em.update_body(fields, event(sensitivity="private"))

    assert personal["location"] == {"displayName": ""} and personal["body"]["content"] == ""
    assert "sensitivity" not in personal
    assert unprivate["sensitivity"] == "normal"
    assert "attendees" not in personal


def test_an_update_of_an_unread_event_or_of_unchanged_privacy_writes_no_sensitivity() -> None:
    fields = normalise_fields({"subject": "Demo", "start": "2030-03-04T09:30:00Z", "end": "2030-03-04T10:00:00Z"})
    private = normalise_fields({**fields, "private": "true"})

    assert "sensitivity" not in em.update_body(fields, None)
    assert "sensitivity" not in em.update_body(private, None)
    assert "sensitivity" not in em.update_body(private, event(sensitivity="confidential"))
    assert em.update_body(private, event(sensitivity="personal"))["sensitivity"] == "private"
