"""Calendar resources as JSON: ``Event``, ``Calendar`` and ``CalendarListEntry``."""

from __future__ import annotations

import base64
import copy
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from app.sandbox.google.calendar.events import StoredEvent
from app.sandbox.google.wire import epoch_millis, rfc3339

if TYPE_CHECKING:
    from app.sandbox.google.calendar.models import CalendarStore

DEFAULT_REMINDERS = [{"method": "popup", "minutes": 10}]


def calendar_json(calendar: CalendarStore) -> dict[str, Any]:
    """The ``Calendar`` resource."""
    return {
        "kind": "calendar#calendar",
        "etag": f'"{epoch_millis(calendar.updated)}"',
        "id": calendar.owner,
        "summary": calendar.summary or calendar.owner,
        "timeZone": calendar.time_zone,
        "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
    }


def list_entry(calendar: CalendarStore) -> dict[str, Any]:
    """The primary calendar's ``CalendarListEntry``."""
    return {
        "kind": "calendar#calendarListEntry",
        "etag": f'"{epoch_millis(calendar.updated)}"',
        "id": calendar.owner,
        "summary": calendar.summary or calendar.owner,
        "timeZone": calendar.time_zone,
        "colorId": "14",
        "backgroundColor": "#9fe1e7",
        "foregroundColor": "#000000",
        "selected": True,
        "accessRole": "owner",
        "defaultReminders": copy.deepcopy(DEFAULT_REMINDERS),
        "notificationSettings": {
            "notifications": [
                {"type": "eventCreation", "method": "email"},
                {"type": "eventChange", "method": "email"},
                {"type": "eventCancellation", "method": "email"},
                {"type": "eventResponse", "method": "email"},
            ]
        },
        "primary": True,
        "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
    }


def render_event(
    event: StoredEvent,
    owner: str,
    *,
    display: ZoneInfo,
    max_attendees: int | None = None,
    minimal_if_cancelled: bool = False,
) -> dict[str, Any]:
    """The ``Event`` JSON (a cancelled event in a list carries only its identity)."""
    out: dict[str, Any] = {"kind": "calendar#event", "etag": event.etag, "id": event.id, "status": event.status}
    if event.cancelled and minimal_if_cancelled:
        _add_instance_identity(out, event, display)
        return out
    out["htmlLink"] = _html_link(event.id, owner)
    out["created"] = rfc3339(event.created)
    out["updated"] = rfc3339(event.updated)
    for name in ("summary", "description", "location", "colorId"):
        if event.body.get(name):
            out[name] = event.body[name]
    out["creator"] = {"email": owner, "self": True}
    out["organizer"] = {"email": owner, "self": True}
    out["start"] = event.start.render(display)
    out["end"] = event.end.render(display)
    if event.body.get("endTimeUnspecified"):
        out["endTimeUnspecified"] = True
    if event.is_series:
        out["recurrence"] = list(event.body.get("recurrence") or [])
    _add_instance_identity(out, event, display)
    for name in ("transparency", "visibility"):
        value = event.body.get(name)
        if value and value != ("opaque" if name == "transparency" else "default"):
            out[name] = value
    out["iCalUID"] = event.ical_uid
    out["sequence"] = event.sequence
    attendees = _attendees(event, owner)
    if attendees:
        if max_attendees is not None and len(attendees) > max_attendees:
            out["attendees"] = [a for a in attendees if a.get("self")]
            out["attendeesOmitted"] = True
        else:
            out["attendees"] = attendees
    for name in (
        "extendedProperties",
        "guestsCanInviteOthers",
        "guestsCanModify",
        "guestsCanSeeOtherGuests",
        "anyoneCanAddSelf",
        "source",
        "attachments",
    ):
        if name in event.body and event.body[name] not in (None, {}, []):
            out[name] = copy.deepcopy(event.body[name])
    out["reminders"] = copy.deepcopy(event.body.get("reminders") or {"useDefault": True})
    out["eventType"] = "default"
    return out


def _add_instance_identity(out: dict[str, Any], event: StoredEvent, display: ZoneInfo) -> None:
    if event.recurring_event_id is not None and event.original_start is not None:
        out["recurringEventId"] = event.recurring_event_id
        out["originalStartTime"] = event.original_start.render(display)


def _attendees(event: StoredEvent, owner: str) -> list[dict[str, Any]]:
    attendees = []
    for attendee in event.body.get("attendees") or []:
        entry = dict(attendee)
        if str(entry.get("email", "")).lower() == owner:
            entry.update({"self": True, "organizer": True})
            entry.setdefault("responseStatus", "accepted")
        entry.setdefault("responseStatus", "needsAction")
        attendees.append(entry)
    return attendees


def _html_link(event_id: str, owner: str) -> str:
    eid = base64.urlsafe_b64encode(f"{event_id} {owner}".encode()).decode().rstrip("=")
    return f"https://www.google.com/calendar/event?eid={eid}"
