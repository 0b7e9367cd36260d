"""Outlook events (Graph JSON) <-> the event projection of :mod:`app.connectors.event_fields`.

Pure functions only. The projection maps:

==============  ================================================================================
projection      Graph event
==============  ================================================================================
subject         subject
location        location.displayName
notes           body.content (read as text through ``Prefer: outlook.body-content-type="text"``)
start, end      start/end (read in UTC through ``Prefer: outlook.timezone="UTC"``); an all-day
                event's are the dates of its midnights (the end is the day after the last day)
all_day         isAllDay
private         sensitivity private or confidential
attendees       attendees[].emailAddress.address, lower-cased, without the mailbox owner
==============  ================================================================================

The engine's marker travels in the same single-value extended property as on contacts
(:data:`app.connectors.microsoft.mapping.MARKER_PROPERTY_ID`), read with :data:`EXPAND_MARKER`. Creates carry a
``transactionId`` derived from the marker, so that a create sent twice gives one event ("event resource":
"A custom identifier specified by a client app for the server to avoid redundant POST operations").
Attendees are never written: writing them would send invitations.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.connectors import event_fields as ef
from app.connectors.microsoft import mapping
from app.sync.items import Fields, normalise_fields

#: ``$expand`` that brings the marker with an event (absent when unset).
EXPAND_MARKER = f"singleValueExtendedProperties($filter=id eq '{mapping.MARKER_PROPERTY_ID}')"
#: Preferences every event read sends: times in UTC, bodies as plain text.
PREFER_UTC = 'outlook.timezone="UTC"'
PREFER_TEXT = 'outlook.body-content-type="text"'
READ_PREFERENCES: tuple[str, ...] = (PREFER_UTC, PREFER_TEXT)
#: ``sensitivity`` values that make an event private.
PRIVATE_SENSITIVITIES = frozenset({"private", "confidential"})
#: Event types that belong to a recurring series.
SERIES_TYPES = frozenset({"occurrence", "exception", "seriesMaster"})

_TRANSACTION_NAMESPACE = uuid.UUID("5d0c2f4e-9a7b-4b61-8e2d-3f6a1c9b7e40")


# -- reading


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def event_id(doc: Mapping[str, Any]) -> str:
    """The event's id."""
    return str(doc["id"])


def change_key(doc: Mapping[str, Any]) -> str:
    """The event's etag as crmbridge compares it: ``changeKey`` (or the key inside ``@odata.etag``)."""
    return mapping.change_key(doc)


def marker_of(doc: Mapping[str, Any]) -> str | None:
    """The crmbridge marker the event carries (read through :data:`EXPAND_MARKER`)."""
    return mapping.marker_of(doc)


def modified_at(doc: Mapping[str, Any]) -> datetime | None:
    """``lastModifiedDateTime`` as an aware UTC datetime."""
    return mapping.modified_at(doc)


def is_private(doc: Mapping[str, Any]) -> bool:
    """Whether the event is marked private (``sensitivity`` private or confidential)."""
    return str(doc.get("sensitivity") or "").lower() in PRIVATE_SENSITIVITIES


def is_series_member(doc: Mapping[str, Any]) -> bool:
    """Whether the event belongs to a recurring series (an occurrence, an exception or the master)."""
    return bool(doc.get("seriesMasterId")) or str(doc.get("type") or "") in SERIES_TYPES


def series_of(doc: Mapping[str, Any]) -> str | None:
    """The series master's id of an occurrence or exception."""
    return _text(doc.get("seriesMasterId"))


def is_all_day(doc: Mapping[str, Any]) -> bool:
    """Whether the event is an all-day event."""
    return doc.get("isAllDay") is True


def has_times(doc: Mapping[str, Any]) -> bool:
    """Whether the document carries the event's start and end (delta may send only what changed)."""
    return isinstance(doc.get("start"), dict) and isinstance(doc.get("end"), dict)


def _zone(name: object) -> ZoneInfo | None:
    if not isinstance(name, str) or not name or name.upper() in ("UTC", "Z", "GMT"):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None  # a Windows zone name: reads ask for UTC, so this is the rare event that ignored it


def parse_graph_time(value: Mapping[str, Any]) -> datetime:
    """A ``dateTimeTimeZone`` as an aware UTC instant (seven fractional digits allowed)."""
    text = str(value.get("dateTime") or "")
    head, _, fraction = text.partition(".")
    moment = datetime.fromisoformat(head.removesuffix("Z"))
    digits = "".join(ch for ch in fraction if ch.isdigit())[:6]
    if digits:
        moment = moment.replace(microsecond=int(digits.ljust(6, "0")))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_zone(value.get("timeZone")) or UTC)
    return moment.astimezone(UTC)


def _local_date(value: Mapping[str, Any]) -> date:
    """An all-day boundary's date: the date of its midnight in the event's own zone, as Graph writes it."""
    return date.fromisoformat(str(value.get("dateTime") or "")[:10])


def span(doc: Mapping[str, Any]) -> tuple[str, str] | None:
    """The projection ``start`` and ``end`` of an event, or None when the document lacks them."""
    if not has_times(doc):
        return None
    start, end = doc["start"], doc["end"]
    try:
        if is_all_day(doc):
            first = _local_date(start)
            after = _local_date(end)
            if after <= first:
                after = first + timedelta(days=1)
            return first.isoformat(), after.isoformat()
        return ef.utc_text(parse_graph_time(start)), ef.utc_text(parse_graph_time(end))
    except ValueError:
        return None


def attendee_addresses(doc: Mapping[str, Any], owner: str | None) -> list[str]:
    """The invited addresses, lower-cased, without the mailbox owner."""
    found: list[str] = []
    entries = doc.get("attendees")
    for entry in entries if isinstance(entries, list) else []:
        address = entry.get("emailAddress") if isinstance(entry, dict) else None
        value = _text(address.get("address")) if isinstance(address, dict) else None
        if value is None:
            continue
        lowered = value.strip().lower()
        if lowered != (owner or "").lower() and lowered not in found:
            found.append(lowered)
    return found


def to_fields(doc: Mapping[str, Any], owner: str | None) -> Fields:
    """The normalised projection of a Graph event; ``owner`` is the mailbox's address (left out of attendees)."""
    location = doc.get("location")
    body = doc.get("body")
    times = span(doc)
    raw: dict[str, object] = {
        ef.SUBJECT: _text(doc.get("subject")),
        ef.LOCATION: _text(location.get("displayName")) if isinstance(location, dict) else None,
        ef.NOTES: _text(body.get("content")) if isinstance(body, dict) else None,
        ef.ALL_DAY: ef.TRUE if is_all_day(doc) else None,
        ef.PRIVATE: ef.TRUE if is_private(doc) else None,
        ef.ATTENDEES: attendee_addresses(doc, owner),
    }
    if times is not None:
        raw[ef.START], raw[ef.END] = times
    return normalise_fields(raw)


# -- writing


def transaction_id(marker: str) -> str:
    """The ``transactionId`` of the create that carries ``marker`` (the same marker gives the same id)."""
    return str(uuid.uuid5(_TRANSACTION_NAMESPACE, marker))


def _scalar(fields: Fields, name: str) -> str | None:
    value = fields.get(name)
    return value if isinstance(value, str) else None


def _graph_times(fields: Fields) -> tuple[dict[str, str], dict[str, str], bool]:
    """``start``, ``end`` and ``isAllDay`` for projection times: UTC instants, or midnights of UTC dates."""
    start = _scalar(fields, ef.START)
    if start is None:
        raise ValueError("an event needs a start")
    end = _scalar(fields, ef.END)
    if fields.get(ef.ALL_DAY) == ef.TRUE:
        first = date.fromisoformat(start[:10])
        after = date.fromisoformat(end[:10]) if end else first + timedelta(days=1)
        if after <= first:
            after = first + timedelta(days=1)
        return _midnight(first), _midnight(after), True
    begin = ef.parse_utc(start)
    finish = ef.parse_utc(end) if end else begin
    return _instant(begin), _instant(finish), False


def _midnight(day: date) -> dict[str, str]:
    return {"dateTime": f"{day.isoformat()}T00:00:00", "timeZone": "UTC"}


def _instant(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}


def _mapped_properties(fields: Fields) -> dict[str, Any]:
    start, end, all_day = _graph_times(fields)
    return {
        "subject": _scalar(fields, ef.SUBJECT) or "",
        "body": {"contentType": "text", "content": _scalar(fields, ef.NOTES) or ""},
        "location": {"displayName": _scalar(fields, ef.LOCATION) or ""},
        "start": start,
        "end": end,
        "isAllDay": all_day,
    }


def _sensitivity(fields: Fields) -> str:
    return "private" if fields.get(ef.PRIVATE) == ef.TRUE else "normal"


def create_body(fields: Fields, *, marker: str, with_categories: Iterable[str] = ()) -> dict[str, Any]:
    """A ``POST /me/events`` body: the mapped fields (never attendees), the sensitivity, the categories, the
    marker extended property and the ``transactionId`` derived from the marker. Raises ValueError without a start.
    """
    body = _mapped_properties(fields)
    body["sensitivity"] = _sensitivity(fields)
    names = list(dict.fromkeys(with_categories))
    if names:
        body["categories"] = names
    body["transactionId"] = transaction_id(marker)
    body["singleValueExtendedProperties"] = [{"id": mapping.MARKER_PROPERTY_ID, "value": marker}]
    return body


def update_body(fields: Fields, current: Mapping[str, Any] | None) -> dict[str, Any]:
    """A ``PATCH`` body setting every mapped property to ``fields`` (absent ones cleared; never attendees).

    The sensitivity is written only when the private flag differs from what ``current`` (the event as read) holds,
    so a "personal" event stays personal and a "confidential" one confidential; never when the event is unknown
    (None). Raises ValueError without a start.
    """
    body = _mapped_properties(fields)
    wanted_private = fields.get(ef.PRIVATE) == ef.TRUE
    if current is not None and is_private(current) != wanted_private:
        body["sensitivity"] = _sensitivity(fields)
    return body
