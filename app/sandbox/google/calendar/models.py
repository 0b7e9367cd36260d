"""One account's primary calendar: its events, recurring series with their exceptions, and the change sequence.

Facts relied on (Calendar API reference and guides): event ids are base32hex (``a-v0-9``), 5-1024 characters and
unique per calendar, a duplicate is 409 ``duplicate``; instances of a series have their own ids
(``{seriesId}_{originalStart}``) and share the iCalUID; exceptions carry ``recurringEventId`` and
``originalStartTime``; a recurring event needs a ``timeZone``; deleting a deleted event is 410 ``deleted``; a stale
``If-Match`` is 412 ``conditionNotMet``; patch merges nested objects and replaces arrays.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.sandbox.clock import SandboxClock
from app.sandbox.google.calendar.events import StoredEvent, duration
from app.sandbox.google.calendar.listing import EventsQuery, list_events, list_instances
from app.sandbox.google.calendar.recurrence import Recurrence, occurrences, parse, zone
from app.sandbox.google.calendar.render import calendar_json, list_entry, render_event
from app.sandbox.google.calendar.times import When, instance_key, parse_instance_key, parse_when
from app.sandbox.google.errors import GoogleApiError, bad_request, calendar_not_found
from app.sandbox.google.ids import IdSource, is_base32hex

#: Without timeMax, series are expanded this far past the later of now and their start.
EXPANSION_HORIZON = timedelta(days=730)
#: Event fields a client sets; everything else is computed.
SETTABLE_FIELDS = frozenset(
    {
        "anyoneCanAddSelf",
        "attachments",
        "attendees",
        "colorId",
        "description",
        "end",
        "endTimeUnspecified",
        "extendedProperties",
        "guestsCanInviteOthers",
        "guestsCanModify",
        "guestsCanSeeOtherGuests",
        "location",
        "recurrence",
        "reminders",
        "source",
        "start",
        "status",
        "summary",
        "transparency",
        "visibility",
    }
)
_STATUSES = frozenset({"confirmed", "tentative", "cancelled"})
_VISIBILITIES = frozenset({"default", "public", "private", "confidential"})


@dataclass
class CalendarStore:
    """The primary calendar of one account."""

    clock: SandboxClock
    ids: IdSource
    owner: str
    time_zone: str
    epoch: str
    sync_token_days: float = 7.0
    summary: str | None = None
    events: dict[str, StoredEvent] = field(default_factory=dict)
    seq: int = 0

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone."""
        return zone(self.time_zone)

    def check_calendar(self, calendar_id: str) -> None:
        """404 unless ``calendar_id`` is ``primary`` or the owner's address (the only calendar emulated)."""
        if calendar_id not in ("primary", self.owner):
            raise calendar_not_found()

    # -- calendar and calendar list ----------------------------------------------------------------------------

    @property
    def updated(self) -> datetime:
        """When anything on the calendar last changed."""
        return max((event.updated for event in self.events.values()), default=self.clock.now())

    # -- resources ---------------------------------------------------------------------------------------------

    def calendar_json(self) -> dict[str, Any]:
        """The ``Calendar`` resource."""
        return calendar_json(self)

    def list_entry(self) -> dict[str, Any]:
        """The primary calendar's ``CalendarListEntry``."""
        return list_entry(self)

    def render(
        self,
        event: StoredEvent,
        *,
        display: ZoneInfo | None = None,
        max_attendees: int | None = None,
        minimal_if_cancelled: bool = False,
    ) -> dict[str, Any]:
        """The ``Event`` JSON (a cancelled event in an incremental list carries only its identity)."""
        return render_event(
            event,
            self.owner,
            display=display or self.zone,
            max_attendees=max_attendees,
            minimal_if_cancelled=minimal_if_cancelled,
        )

    def list_events(self, query: EventsQuery) -> dict[str, Any]:
        """One page of ``events.list``."""
        return list_events(self, query)

    def list_instances(self, master_id: str, query: EventsQuery, original_start: str | None) -> dict[str, Any]:
        """One page of ``events.instances``."""
        return list_instances(self, master_id, query, original_start)

    # -- lookup ------------------------------------------------------------------------------------------------

    def find(self, event_id: str) -> StoredEvent:
        """A stored event, or a computed instance of a series; 404 if neither exists."""
        stored = self.events.get(event_id)
        if stored is not None:
            return stored
        master_id, _, key = event_id.rpartition("_")
        master = self.events.get(master_id)
        point = parse_instance_key(key)
        if master is None or not master.is_series or point is None:
            raise calendar_not_found()
        until = point if isinstance(point, datetime) else datetime.combine(point, time.max, tzinfo=UTC)
        for start in self.occurrences_of(master, until=until):
            if start == point:
                return self._instance(master, start)
        raise calendar_not_found()

    # -- writing -----------------------------------------------------------------------------------------------

    def _touch(self, event: StoredEvent) -> None:
        self.seq += 1
        event.change_seq = self.seq
        event.updated = self.clock.now()
        event.version += 1

    def insert(self, body: dict[str, Any]) -> StoredEvent:
        """Create an event; the client may choose its id (base32hex, 5-1024 characters)."""
        event_id = body.get("id")
        if event_id is not None:
            event_id = str(event_id)
            if not 5 <= len(event_id) <= 1024 or not is_base32hex(event_id):
                raise bad_request("Invalid resource id value.", reason="invalid")
            if event_id in self.events:
                raise GoogleApiError(409, "The requested identifier already exists.", "duplicate")
        else:
            event_id = self.ids.base32hex(26)
        settable = _settable(body)
        now = self.clock.now()
        start, end, recurrence = self._timing(settable)
        event = StoredEvent(
            id=event_id,
            body=settable,
            ical_uid=str(body.get("iCalUID") or f"{event_id}@google.com"),
            created=now,
            updated=now,
            start=start,
            end=end,
            recurrence=recurrence,
            version=0,
        )
        self.events[event_id] = event
        self._touch(event)
        return event

    def _timing(self, body: dict[str, Any]) -> tuple[When, When, Recurrence | None]:
        lines = body.get("recurrence") or []
        start = parse_when(body.get("start"), "start", needs_zone=bool(lines))
        end = parse_when(body.get("end"), "end", needs_zone=bool(lines))
        if start.all_day != end.all_day:
            raise bad_request("Start and end times must either both be date or both be dateTime.", reason="invalid")
        if end.utc(self.zone) < start.utc(self.zone) or (start.all_day and end.point() == start.point()):
            raise GoogleApiError(400, "The specified time range is empty.", "timeRangeEmpty", domain="calendar")
        status = body.get("status")
        if status is not None and status not in _STATUSES:
            raise bad_request("Invalid value for status.", reason="invalid")
        visibility = body.get("visibility")
        if visibility is not None and visibility not in _VISIBILITIES:
            raise bad_request("Invalid value for visibility.", reason="invalid")
        tz = zone(start.time_zone) if start.time_zone else self.zone
        return start, end, parse(list(lines), tz) if lines else None

    def replace(self, event_id: str, body: dict[str, Any], *, merge: bool, if_match: str | None) -> StoredEvent:
        """``update`` (merge False: the body replaces every settable field) or ``patch`` (merge True)."""
        current = self.find(event_id)
        _check_if_match(current, if_match)
        new_body = _merged(current.body, _settable(body, keep_none=True)) if merge else _settable(body)
        if current.recurring_event_id is not None:
            new_body.pop("recurrence", None)
        start, end, recurrence = self._timing(new_body)
        stored = self.events.get(event_id)
        if stored is None:
            stored = current
            stored.body = copy.deepcopy(stored.body)
            self.events[event_id] = stored
        if (start, end) != (stored.start, stored.end) or new_body.get("recurrence") != stored.body.get("recurrence"):
            stored.sequence += 1
        stored.body, stored.start, stored.end = new_body, start, end
        stored.recurrence = recurrence if stored.recurring_event_id is None else None
        if "iCalUID" in body and not merge and body["iCalUID"]:
            stored.ical_uid = str(body["iCalUID"])
        self._touch(stored)
        return stored

    def delete(self, event_id: str, *, if_match: str | None) -> None:
        """Cancel an event (a series cancels its exceptions too); 410 if it is already deleted."""
        current = self.find(event_id)
        _check_if_match(current, if_match)
        if current.cancelled:
            raise GoogleApiError(410, "Resource has been deleted", "deleted")
        stored = self.events.get(event_id)
        if stored is None:
            stored = current
            stored.body = copy.deepcopy(stored.body)
            self.events[event_id] = stored
        stored.body["status"] = "cancelled"
        self._touch(stored)
        if stored.is_series:
            for exception in self.events.values():
                if exception.recurring_event_id == stored.id and not exception.cancelled:
                    exception.body["status"] = "cancelled"
                    self._touch(exception)

    # -- series ------------------------------------------------------------------------------------------------

    def occurrences_of(self, master: StoredEvent, *, until: datetime | None) -> Iterator[datetime | date]:
        """Original starts of a series' instances up to ``until`` (or the expansion horizon)."""
        assert master.recurrence is not None
        tz = zone(master.start.time_zone) if master.start.time_zone else self.zone
        horizon = until or (max(self.clock.now(), master.start.utc(self.zone)) + EXPANSION_HORIZON)
        yield from occurrences(master.start.point(), master.recurrence, tz, until=horizon)

    def _instance(self, master: StoredEvent, point: datetime | date) -> StoredEvent:
        delta = duration(master.start, master.end)
        body = {key: value for key, value in master.body.items() if key != "recurrence"}
        return StoredEvent(
            id=f"{master.id}_{instance_key(point)}",
            body=body,
            ical_uid=master.ical_uid,
            created=master.created,
            updated=master.updated,
            start=master.start.shifted_to(point, timedelta(0)),
            end=master.start.shifted_to(point, delta),
            version=master.version,
            change_seq=master.change_seq,
            sequence=master.sequence,
            recurring_event_id=master.id,
            original_start=master.start.shifted_to(point, timedelta(0)),
        )

    def instances(self, master: StoredEvent, *, until: datetime | None) -> list[StoredEvent]:
        """The series' instances up to ``until``, exceptions in place of the instances they replace."""
        exceptions = {
            instance_key(e.original_start.point()): e
            for e in self.events.values()
            if e.recurring_event_id == master.id and e.original_start is not None
        }
        result = []
        for point in self.occurrences_of(master, until=until):
            key = instance_key(point)
            result.append(exceptions.pop(key) if key in exceptions else self._instance(master, point))
        result.extend(exceptions.values())
        return result

    def exception_of(self, event: StoredEvent) -> StoredEvent | None:
        """The series an exception belongs to."""
        return self.events.get(event.recurring_event_id) if event.recurring_event_id else None


def _check_if_match(event: StoredEvent, if_match: str | None) -> None:
    if if_match is not None and if_match.strip() not in ("*", event.etag):
        raise GoogleApiError(412, "Precondition Failed", "conditionNotMet", location="If-Match", location_type="header")


def _settable(body: dict[str, Any], *, keep_none: bool = False) -> dict[str, Any]:
    return {
        key: copy.deepcopy(value)
        for key, value in body.items()
        if key in SETTABLE_FIELDS and (keep_none or value is not None)
    }


def _merged(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Patch semantics: nested objects merge, arrays and scalars replace, null clears."""
    merged = copy.deepcopy(current)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
