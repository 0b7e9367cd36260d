"""Pure functions for the Salesforce event store: Event rows and the event projection
(:mod:`app.connectors.event_fields`), the scope (:class:`EventScope`) and what a write sends.

Subject, Location and Description (``notes``, without crmbridge's marker line) map one to one. A timed event is its
StartDateTime and EndDateTime (UTC instants). An all-day event (IsAllDayEvent) is its ActivityDate and as many days
as DurationInMinutes / 1,440: the projection's exclusive end is ActivityDate plus that many days, whatever
Salesforce keeps in EndDateTime. Salesforce refuses events over 14 days; such a write fails with a message.
IsPrivate is ``private``. Attendees are never held (see :mod:`app.connectors.salesforce.events_relations`).

Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from app.connectors import event_fields as ef
from app.connectors.event_fields import EventWindow, parse_utc, utc_text
from app.connectors.salesforce.activities_describe import ActivityDescribe
from app.connectors.salesforce.activities_kind import PreparedRecord
from app.connectors.salesforce.activities_soql import owner_condition, soql_date, soql_datetime
from app.connectors.salesforce.activities_text import cut, description_for, marker_of, notes_of, text
from app.connectors.salesforce.contacts_mapping import parse_stamp, row_key
from app.sync.items import Fields, normalise_fields
from app.sync.stores import FailureKind, WriteFailure

#: Event text fields whose lengths the describe gives.
TEXT_FIELDS: tuple[str, ...] = ("Subject", "Location", "Description")
#: The longest event Salesforce accepts.
MAX_DAYS = 14
MINUTES_PER_DAY = 1440
SELECT = (
    "Id, IsDeleted, SystemModstamp, LastModifiedDate, OwnerId, WhoId, Subject, Location, Description, "
    "IsAllDayEvent, StartDateTime, EndDateTime, ActivityDate, EndDate, DurationInMinutes, IsPrivate, "
    "IsRecurrence2, IsChild"
)


@dataclass(frozen=True)
class EventScope:
    """Which of the rep's events sync: not a child (invitation copy) event, overlapping ``window``, not private
    unless ``include_private``, not part of a series unless ``include_series``."""

    user_id: str
    window: EventWindow
    include_private: bool
    include_series: bool

    @property
    def key(self) -> str:
        """What decides the scope, as text (for the cursor)."""
        return f"Event:{self.window.key}:private={self.include_private}:series={self.include_series}"

    def feed_conditions(self) -> list[str]:
        """The rep's own events (not invitation copies): whatever changes in scope is among them."""
        return [owner_condition(self.user_id), "IsChild = false"]

    def conditions(self) -> list[str]:
        """The SOQL conditions that select exactly the events in scope."""
        start, end = self.window.start, self.window.end
        timed = (
            f"IsAllDayEvent = false AND StartDateTime < {soql_datetime(end)} AND "
            f"(EndDateTime > {soql_datetime(start)} OR StartDateTime >= {soql_datetime(start)})"
        )
        all_day = (
            f"IsAllDayEvent = true AND ActivityDate < {soql_date(end.date())} AND EndDate >= {soql_date(start.date())}"
        )
        conditions = [*self.feed_conditions(), f"({timed}) OR ({all_day})"]
        if not self.include_private:
            conditions.append("IsPrivate = false")
        if not self.include_series:
            conditions.append("IsRecurrence2 = false")
        return conditions

    def holds(self, row: Mapping[str, Any]) -> bool:
        """Whether a live Event row is in scope."""
        if row_key(str(row.get("OwnerId") or "")) != row_key(self.user_id) or row.get("IsChild"):
            return False
        if row.get("IsPrivate") and not self.include_private:
            return False
        if row.get("IsRecurrence2") and not self.include_series:
            return False
        return self.window.holds(span(row))


def _days(row: Mapping[str, Any]) -> int:
    minutes = row.get("DurationInMinutes")
    if isinstance(minutes, int) and minutes > 0:
        return max(minutes // MINUTES_PER_DAY, 1)
    first, last = row.get("ActivityDate"), row.get("EndDate")
    if isinstance(first, str) and isinstance(last, str):
        return max((date.fromisoformat(last) - date.fromisoformat(first)).days + 1, 1)
    return 1


def span(row: Mapping[str, Any]) -> dict[str, str]:
    """The projection's ``start``, ``end`` and ``all_day`` of an Event row."""
    if row.get("IsAllDayEvent"):
        first_text = row.get("ActivityDate") or str(row.get("StartDateTime") or "")[:10]
        first = date.fromisoformat(str(first_text))
        after = first + timedelta(days=_days(row))
        return {ef.START: first.isoformat(), ef.END: after.isoformat(), ef.ALL_DAY: ef.TRUE}
    start = parse_stamp(str(row["StartDateTime"]))
    end_text = row.get("EndDateTime")
    end = parse_stamp(end_text) if isinstance(end_text, str) and end_text else start
    return {ef.START: utc_text(start), ef.END: utc_text(end)}


def projection(row: Mapping[str, Any], *, include_private: bool) -> Fields:
    """An Event row as the event projection (normalised; never with attendees)."""
    raw: dict[str, object] = {
        ef.SUBJECT: row.get("Subject"),
        ef.LOCATION: row.get("Location"),
        ef.NOTES: notes_of(row),
        **span(row),
    }
    if include_private and row.get("IsPrivate"):
        raw[ef.PRIVATE] = ef.TRUE
    return normalise_fields(raw)


def _timing(fields: Fields) -> tuple[dict[str, Any], dict[str, str]] | WriteFailure:
    """The Event timing fields for the projection's span, and the span Salesforce then holds."""
    start, end = text(fields, ef.START), text(fields, ef.END)
    if start is None:
        return WriteFailure(FailureKind.INVALID, "The event has no start")
    try:
        if text(fields, ef.ALL_DAY) == ef.TRUE:
            return _all_day_timing(date.fromisoformat(start[:10]), date.fromisoformat(end[:10]) if end else None)
        return _timed_timing(parse_utc(start), parse_utc(end) if end else None)
    except ValueError:
        return WriteFailure(FailureKind.INVALID, f"The event's dates are not understood ({start} to {end})")


def _all_day_timing(first: date, after: date | None) -> tuple[dict[str, Any], dict[str, str]] | WriteFailure:
    days = (after - first).days if after is not None else 1
    refused = _refused(timedelta(days=days), days < 1)
    if refused is not None:
        return refused
    values: dict[str, Any] = {
        "IsAllDayEvent": True,
        "ActivityDate": first.isoformat(),
        "DurationInMinutes": days * MINUTES_PER_DAY,
    }
    ends = first + timedelta(days=days)
    return values, {ef.START: first.isoformat(), ef.END: ends.isoformat(), ef.ALL_DAY: ef.TRUE}


def _timed_timing(begins: datetime, ends: datetime | None) -> tuple[dict[str, Any], dict[str, str]] | WriteFailure:
    ends = ends or begins
    refused = _refused(ends - begins, ends < begins)
    if refused is not None:
        return refused
    values = {"IsAllDayEvent": False, "StartDateTime": utc_text(begins), "EndDateTime": utc_text(ends)}
    return values, {ef.START: utc_text(begins), ef.END: utc_text(ends)}


def _refused(length: timedelta, backwards: bool) -> WriteFailure | None:
    if backwards:
        return WriteFailure(FailureKind.INVALID, "The event ends before it starts")
    if length > timedelta(days=MAX_DAYS):
        return WriteFailure(FailureKind.INVALID, f"Salesforce events last {MAX_DAYS} days at most")
    return None


def prepare(
    fields: Fields,
    describe: ActivityDescribe | None,
    *,
    current: Mapping[str, Any] | None,
    marker: str | None,
    include_private: bool,
) -> PreparedRecord | WriteFailure:
    """What to send for ``fields`` (a create carrying ``marker``, or an update of ``current``, whose marker stays):
    text cut to the lengths the org describes, the timing of a timed or all-day event, IsPrivate. Attendees are not
    sent (see :mod:`app.connectors.salesforce.events_relations`)."""
    timing = _timing(fields)
    if isinstance(timing, WriteFailure):
        return timing
    values, held_span = timing
    lengths = describe.lengths if describe is not None else {}
    kept_marker = marker if current is None else marker_of(current)
    description, notes = description_for(text(fields, ef.NOTES), kept_marker, lengths.get("Description"))
    private = include_private and text(fields, ef.PRIVATE) == ef.TRUE
    values.update(
        {
            "Subject": cut(text(fields, ef.SUBJECT), lengths.get("Subject")),
            "Location": cut(text(fields, ef.LOCATION), lengths.get("Location")),
            "Description": description,
            "IsPrivate": private,
        }
    )
    if current is None:
        values = {name: value for name, value in values.items() if value is not None}
    holds = normalise_fields(
        {
            ef.SUBJECT: values.get("Subject"),
            ef.LOCATION: values.get("Location"),
            ef.NOTES: notes,
            ef.PRIVATE: ef.TRUE if private else None,
            **held_span,
        }
    )
    return PreparedRecord(values, holds)
