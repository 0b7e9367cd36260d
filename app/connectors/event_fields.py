"""The event projection every connector maps to, and the sliding window events sync in.

Each events store turns its vendor's event into a mapping with these keys (empty values left out) and back:

- ``subject``, ``location``, ``notes`` (plain text: the Outlook body as text, the Google description, the
  Salesforce Description without crmbridge's marker line).
- ``start`` and ``end``: a timed event's instants as UTC ``YYYY-MM-DDTHH:MM:SSZ`` (see :func:`utc_text`); an
  all-day event's first day and the day *after* its last day as ``YYYY-MM-DD`` (Google's exclusive end date;
  Outlook's midnight-to-midnight end; Salesforce's ActivityDate plus DurationInMinutes / 1440 days).
- ``all_day``: ``"true"`` for an all-day event, absent otherwise.
- ``private``: ``"true"`` for an event marked private (Outlook ``sensitivity`` private, Google ``visibility``
  private, Salesforce ``IsPrivate``), absent otherwise. Private events are out of scope unless the user
  includes them.
- ``attendees``: the invited people's addresses, lower-cased, without the user themself. It is read from the
  mailbox and used by the Salesforce store to relate the event to the contacts and leads invited; Salesforce
  does not hold it as such (its store reports what it holds without it, so the engine records a deviation and
  never writes invitations back to the mailbox).

A recurring series syncs occurrence by occurrence within the window: each occurrence or exception is an item
(Graph calendar view, Google ``singleEvents``, one Salesforce Event row per occurrence). An item created on
the other side is a single event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

SUBJECT = "subject"
LOCATION = "location"
NOTES = "notes"
START = "start"
END = "end"
ALL_DAY = "all_day"
PRIVATE = "private"
ATTENDEES = "attendees"

#: Fields merged as sets.
EVENT_MULTI_VALUED: frozenset[str] = frozenset({ATTENDEES})
#: The value of a true flag field (``all_day``, ``private``).
TRUE = "true"


def utc_text(moment: datetime) -> str:
    """A timezone-aware instant as the projection writes it: ``2026-11-21T09:30:00Z`` (seconds, UTC)."""
    if moment.utcoffset() is None:
        raise ValueError("the instant must be timezone-aware")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text: str) -> datetime:
    """The instant of a projection ``start``/``end`` of a timed event."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@dataclass(frozen=True)
class EventWindow:
    """The span of time whose events sync: ``start`` inclusive, ``end`` exclusive, both at UTC midnight.

    An event is in the window when it overlaps it (it ends after ``start`` and starts before ``end``); an
    all-day event's days count as UTC days. Stores put the window in their cursor: when it has moved (once a
    day), the next listing is a complete one.
    """

    start: datetime
    end: datetime

    @classmethod
    def around(cls, now: datetime, *, past_days: int, future_days: int) -> EventWindow:
        """The window from ``past_days`` before today (UTC) to ``future_days`` after it."""
        today = datetime.combine(now.astimezone(UTC).date(), time(), tzinfo=UTC)
        return cls(today - timedelta(days=past_days), today + timedelta(days=future_days + 1))

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """True when the span ``start``..``end`` (aware instants) overlaps the window; a zero-length event at
        ``start`` counts when that instant is inside it."""
        if end <= start:
            return self.start <= start < self.end
        return start < self.end and end > self.start

    def overlaps_days(self, first: date, after_last: date) -> bool:
        """True when the all-day span ``first`` up to ``after_last`` (exclusive) overlaps the window."""
        return self.overlaps(
            datetime.combine(first, time(), tzinfo=UTC), datetime.combine(after_last, time(), tzinfo=UTC)
        )

    def holds(self, fields: Mapping[str, object]) -> bool:
        """True when projection fields (``start``, ``end``, ``all_day``) fall in the window."""
        start, end = fields.get(START), fields.get(END)
        if not isinstance(start, str):
            return False
        end_text = end if isinstance(end, str) else start
        if fields.get(ALL_DAY) == TRUE:
            first = date.fromisoformat(start)
            after = date.fromisoformat(end_text) if end_text != start else first + timedelta(days=1)
            return self.overlaps_days(first, after)
        return self.overlaps(parse_utc(start), parse_utc(end_text))

    @property
    def key(self) -> str:
        """The window as text, for cursors: ``2026-11-14/2027-02-20``."""
        return f"{self.start.date().isoformat()}/{self.end.date().isoformat()}"
