"""Salesforce's wire formats for dates and date-times, and parsing of the forms the REST API accepts."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def format_datetime(moment: datetime) -> str:
    """``2024-05-01T09:30:00.000+0000``: how Salesforce writes a date-time (UTC, milliseconds)."""
    m = moment.astimezone(UTC)
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}."
        f"{m.microsecond // 1000:03d}+0000"
    )


def format_date(day: date) -> str:
    """``2024-05-01``."""
    return day.isoformat()


def parse_datetime(text: str) -> datetime | None:
    """A timezone-aware UTC datetime from the ISO 8601 forms Salesforce accepts; None if ``text`` is not one.

    A value without an offset is taken as UTC.
    """
    match = _DATETIME.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")[:6]),
            tzinfo=UTC,
        )
    except ValueError:
        return None
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return moment


def parse_date(text: str) -> date | None:
    """A date from ``YYYY-MM-DD``; None otherwise."""
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def wire_datetime_to_python(value: str) -> datetime:
    """Parse a date-time this org stored (always valid)."""
    parsed = parse_datetime(value)
    if parsed is None:
        raise ValueError(f"not a stored date-time: {value!r}")
    return parsed


def legacy_datetime(value: str) -> str:
    """``Fri Aug 01 21:15:46 GMT 2014``: how list view results print date-times."""
    return wire_datetime_to_python(value).strftime("%a %b %d %H:%M:%S GMT %Y")
