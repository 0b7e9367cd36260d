"""Google Calendar event JSON <-> the event projection (pure)."""

from __future__ import annotations

import re

from app.connectors.google import events_mapping as mapping
from app.sync.items import normalise_fields


def test_a_timed_event_reads_in_utc_without_the_owner_among_attendees() -> None:
    event = {
        "summary": "Quote review",
        "location": "Room 4",
        "description": "Bring the numbers",
        "start": {"dateTime": "2026-11-21T10:30:00+01:00", "timeZone": "Europe/Paris"},
        "end": {"dateTime": "2026-11-21T11:30:00+01:00"},
        "visibility": "confidential",
        "attendees": [{"email": "Ada@Example.com"}, {"email": "me@example.com", "self": True}],
    }

    assert mapping.event_fields(event) == normalise_fields(
        {
            "subject": "Quote review",
            "location": "Room 4",
            "notes": "Bring the numbers",
            "start": "2026-11-21T09:30:00Z",
            "end": "2026-11-21T10:30:00Z",
            "private": "true",
            "attendees": ("ada@example.com",),
        }
    )


def test_an_all_day_event_keeps_google_exclusive_end_date() -> None:
    event = {"summary": "Offsite", "start": {"date": "2026-11-21"}, "end": {"date": "2026-11-23"}}

    fields = mapping.event_fields(event)

    assert (fields["start"], fields["end"], fields["all_day"]) == ("2026-11-21", "2026-11-23", "true")


def test_a_new_event_carries_marker_selection_and_an_id_derived_from_the_marker() -> None:
    fields = normalise_fields(
        {"subject": "Call", "start": "2026-11-21T09:00:00Z", "end": "2026-11-21T10:00:00Z", "attendees": ("a@b.c",)}
    )

    body = mapping.new_event(fields, "crmbridge:salesforce:00U1", mark_selected=True)

    assert re.fullmatch(r"[a-v0-9]{5,1024}", body["id"])
    assert body["id"] == mapping.event_id_for("crmbridge:salesforce:00U1")
    assert body["start"] == {"dateTime": "2026-11-21T09:00:00Z", "timeZone": "UTC"}
    assert body["extendedProperties"]["private"] == {
        "crmbridgeMarker": "crmbridge:salesforce:00U1",
        "crmbridgeSelection": "sync",
    }
    assert "attendees" not in body
    assert body["visibility"] == "default"
    assert mapping.marker(body) == "crmbridge:salesforce:00U1"


def test_a_patch_clears_fields_left_out_and_switches_between_timed_and_all_day() -> None:
    fields = normalise_fields(
        {"subject": "Offsite", "start": "2026-11-21", "end": "2026-11-22", "all_day": "true", "private": "true"}
    )

    patch = mapping.event_patch(fields)

    assert patch["location"] is None and patch["description"] is None
    assert patch["start"] == {"date": "2026-11-21", "dateTime": None, "timeZone": None}
    assert patch["visibility"] == "private"


def test_stored_reports_attendees_the_event_does_not_hold() -> None:
    event = {
        "summary": "Call",
        "start": {"dateTime": "2026-11-21T09:00:00Z"},
        "end": {"dateTime": "2026-11-21T10:00:00Z"},
    }
    sent = {"subject": "Call", "start": "2026-11-21T09:00:00Z", "end": "2026-11-21T10:00:00Z"}

    assert mapping.stored_if_different(event, sent) is None
    assert mapping.stored_if_different(event, {**sent, "attendees": ("a@b.c",)}) == normalise_fields(sent)


def test_a_patch_writes_visibility_only_when_it_changes_whether_the_event_is_private() -> None:
    shown = normalise_fields({"subject": "Call", "start": "2026-11-21T09:00:00Z", "end": "2026-11-21T10:00:00Z"})
    hidden = normalise_fields({**shown, "private": "true"})

    assert "visibility" not in mapping.event_patch(shown, held={"visibility": "public"})
    assert "visibility" not in mapping.event_patch(shown, held={"visibility": "default"})
    assert "visibility" not in mapping.event_patch(shown, held={})
    assert "visibility" not in mapping.event_patch(hidden, held={"visibility": "confidential"})
    assert "visibility" not in mapping.event_patch(hidden, held={"visibility": "private"})
    assert mapping.event_patch(hidden, held={"visibility": "public"})["visibility"] == "private"
    assert mapping.event_patch(shown, held={"visibility": "confidential"})["visibility"] == "default"
    assert mapping.event_patch(shown)["visibility"] == "default"  # the event unknown: written
