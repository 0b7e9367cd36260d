"""Pure functions between a Google Calendar ``Event`` (JSON) and the event projection of
:mod:`app.connectors.event_fields`.

- ``summary`` ↔ subject, ``location`` ↔ location, ``description`` ↔ notes.
- ``start``/``end``: ``date`` (all-day, exclusive end: the projection's own convention) or ``dateTime`` read in any
  offset and written in UTC ``Z`` form with ``timeZone: "UTC"``.
- ``visibility`` private or confidential ↔ ``private: "true"`` (written as private / default; an update writes it
  only when it changes whether the event is private, so a public or confidential event keeps its visibility).
- ``attendees[].email``, lower-cased, without the calendar's owner (``self: true``); never written.
- crmbridge's marker and the user's selection mark live in ``extendedProperties.private`` (invisible in Google
  Calendar's UI), under :data:`MARKER_KEY` and :data:`SELECTION_KEY` (``sync`` / ``dont_sync``).
- An event crmbridge creates gets the id :func:`event_id_for` its marker, so a repeated insert is a 409 duplicate.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from app.connectors.event_fields import (
    ALL_DAY,
    ATTENDEES,
    END,
    LOCATION,
    NOTES,
    PRIVATE,
    START,
    SUBJECT,
    TRUE,
    EventWindow,
    utc_text,
)
from app.sync.items import Fields, normalise_fields

#: ``extendedProperties.private`` key of crmbridge's marker.
MARKER_KEY = "crmbridgeMarker"
#: ``extendedProperties.private`` key of the user's selection mark.
SELECTION_KEY = "crmbridgeSelection"
#: Selection mark values: "Sync with Salesforce" and "Don't sync with Salesforce".
SELECT_SYNC = "sync"
SELECT_DONT_SYNC = "dont_sync"
_PRIVATE_VISIBILITIES = frozenset({"private", "confidential"})
_UTC = "UTC"


def event_id_for(marker: str) -> str:
    """The event id crmbridge gives the event it creates for ``marker``: base32hex (``[a-v0-9]``), no padding."""
    return base64.b32hexencode(marker.encode("utf-8")).decode("ascii").rstrip("=").lower()


def private_properties(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """The event's ``extendedProperties.private`` (empty when it has none)."""
    extended = event.get("extendedProperties")
    found = extended.get("private") if isinstance(extended, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def marker(event: Mapping[str, Any]) -> str | None:
    """crmbridge's marker on the event, if crmbridge created it."""
    value = private_properties(event).get(MARKER_KEY)
    return str(value) if value else None


def selection_mark(event: Mapping[str, Any]) -> str | None:
    """The user's selection mark (:data:`SELECT_SYNC`, :data:`SELECT_DONT_SYNC`) or None."""
    value = private_properties(event).get(SELECTION_KEY)
    return str(value) if value else None


def is_cancelled(event: Mapping[str, Any]) -> bool:
    """True for a deleted event (``status: cancelled``)."""
    return event.get("status") == "cancelled"


def is_occurrence(event: Mapping[str, Any]) -> bool:
    """True for an instance or exception of a recurring series."""
    return bool(event.get("recurringEventId")) or bool(event.get("recurrence"))


def is_private(event: Mapping[str, Any]) -> bool:
    """True for an event marked private or confidential."""
    return event.get("visibility") in _PRIVATE_VISIBILITIES


def is_plain_event(event: Mapping[str, Any]) -> bool:
    """True for an ordinary event (not working location, out of office, focus time, birthday...)."""
    return event.get("eventType") in (None, "default")


def modified_at(event: Mapping[str, Any]) -> datetime | None:
    """The event's ``updated`` instant (UTC), if it has one."""
    text = event.get("updated")
    return _instant(str(text)) if text else None


def _instant(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _when(value: object) -> tuple[str, bool] | None:
    """A ``start``/``end`` as projection text, and whether it is a date."""
    if not isinstance(value, Mapping):
        return None
    if value.get("date"):
        return date.fromisoformat(str(value["date"])).isoformat(), True
    if value.get("dateTime"):
        return utc_text(_instant(str(value["dateTime"]))), False
    return None


def event_fields(event: Mapping[str, Any]) -> Fields:
    """The event's projection fields."""
    start, end = _when(event.get("start")), _when(event.get("end"))
    attendees = [
        str(person["email"]).lower()
        for person in event.get("attendees") or []
        if isinstance(person, Mapping) and person.get("email") and not person.get("self")
    ]
    return normalise_fields(
        {
            SUBJECT: event.get("summary"),
            LOCATION: event.get("location"),
            NOTES: event.get("description"),
            START: start[0] if start else None,
            END: end[0] if end else None,
            ALL_DAY: TRUE if start and start[1] else None,
            PRIVATE: TRUE if is_private(event) else None,
            ATTENDEES: attendees,
        }
    )


def in_window(event: Mapping[str, Any], window: EventWindow) -> bool:
    """True when the event overlaps ``window``."""
    return window.holds(event_fields(event))


def _time(fields: Fields, name: str) -> dict[str, Any]:
    value = str(fields.get(name) or "")
    if fields.get(ALL_DAY) == TRUE:
        return {"date": value, "dateTime": None, "timeZone": None}
    return {"dateTime": value, "timeZone": _UTC, "date": None}


def _visibility(fields: Fields) -> str:
    return "private" if fields.get(PRIVATE) == TRUE else "default"


def new_event(fields: Fields, marker_value: str, *, mark_selected: bool) -> dict[str, Any]:
    """The ``events.insert`` body of a single event (no attendees), carrying the marker and its derived id."""
    properties = {MARKER_KEY: marker_value}
    if mark_selected:
        properties[SELECTION_KEY] = SELECT_SYNC
    body: dict[str, Any] = {
        "id": event_id_for(marker_value),
        "start": {key: value for key, value in _time(fields, START).items() if value is not None},
        "end": {key: value for key, value in _time(fields, END).items() if value is not None},
        "visibility": _visibility(fields),
        "extendedProperties": {"private": properties},
    }
    for name, key in ((SUBJECT, "summary"), (LOCATION, "location"), (NOTES, "description")):
        if fields.get(name):
            body[key] = fields[name]
    return body


def event_patch(fields: Fields, *, held: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The ``events.patch`` body that sets every mapped field but attendees (null clears a field left out).

    ``visibility`` is written only when the projection's ``private`` differs from what ``held`` (the event as
    read) holds, so that a public or confidential event keeps its visibility; always when the event is unknown.
    """
    patch: dict[str, Any] = {
        "summary": fields.get(SUBJECT),
        "location": fields.get(LOCATION),
        "description": fields.get(NOTES),
        "start": _time(fields, START),
        "end": _time(fields, END),
    }
    if held is None or is_private(held) != (fields.get(PRIVATE) == TRUE):
        patch["visibility"] = _visibility(fields)
    return patch


def stored_if_different(event: Mapping[str, Any], sent: Mapping[str, object]) -> Fields | None:
    """What the event holds after a write, when it differs from what was sent (e.g. attendees never written)."""
    held = event_fields(event)
    return None if held == normalise_fields(sent) else held
