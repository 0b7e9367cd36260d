"""Event date and time rules: the all-day and timed forms of StartDateTime, EndDateTime and DurationInMinutes.

- Timed: StartDateTime (or ActivityDateTime, which must agree) plus DurationInMinutes or EndDateTime (which must
  agree when both are sent). ActivityDateTime mirrors StartDateTime; ActivityDate and EndDate are their dates.
- All-day (IsAllDayEvent): the date is ActivityDate (or StartDateTime's date); the event spans whole days, stored
  as midnight UTC of the first and last day, with DurationInMinutes a multiple of 1,440.
- An event lasts at most 14 days.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from app.sandbox.salesforce import exceptions as errors
from app.sandbox.salesforce.exceptions import record_error
from app.sandbox.salesforce.recurrence import midnight
from app.sandbox.salesforce.values import format_date, format_datetime, parse_date, parse_datetime

MAX_DURATION = timedelta(days=14)
TIMING_FIELDS = frozenset(
    {"StartDateTime", "ActivityDateTime", "ActivityDate", "EndDateTime", "DurationInMinutes", "IsAllDayEvent"}
)


def normalize_timing(row: dict[str, Any], values: Mapping[str, Any], old: Mapping[str, Any] | None) -> None:
    """Fill the event's timing fields in ``row`` from what the caller sent; raises ApiError for bad timing."""
    if old is not None and not TIMING_FIELDS.intersection(values):
        return
    start = _start(values, old)
    if row.get("IsAllDayEvent"):
        _all_day(row, values, old, start)
    else:
        _timed(row, values, old, start)


def _start(values: Mapping[str, Any], old: Mapping[str, Any] | None) -> datetime | None:
    start = _moment(values.get("StartDateTime"))
    activity = _moment(values.get("ActivityDateTime"))
    if start and activity and start != activity:
        raise record_error(
            errors.FIELD_INTEGRITY_EXCEPTION,
            "Start Date Time: the value of ActivityDateTime and StartDateTime must match, or one of them must be null",
            ["StartDateTime"],
        )
    start = start or activity
    if start is None and old is not None and "StartDateTime" not in values and "ActivityDateTime" not in values:
        start = _moment(old.get("StartDateTime"))
    return start


def _timed(
    row: dict[str, Any], values: Mapping[str, Any], old: Mapping[str, Any] | None, start: datetime | None
) -> None:
    if start is None:
        raise record_error(
            errors.REQUIRED_FIELD_MISSING, "Required fields are missing: [StartDateTime]", ["StartDateTime"]
        )
    end = _moment(values.get("EndDateTime"))
    minutes = values.get("DurationInMinutes")
    if end is not None and minutes is not None and end - start != timedelta(minutes=minutes):
        raise record_error(
            errors.FIELD_INTEGRITY_EXCEPTION,
            "End Date Time: EndDateTime and DurationInMinutes don't describe the same end",
            ["EndDateTime", "DurationInMinutes"],
        )
    if end is None and minutes is None:
        if old is None or old.get("IsAllDayEvent"):
            raise record_error(
                errors.REQUIRED_FIELD_MISSING, "Required fields are missing: [DurationInMinutes]", ["DurationInMinutes"]
            )
        minutes = old.get("DurationInMinutes") or 0
    duration = end - start if end is not None else timedelta(minutes=int(minutes or 0))
    _check_duration(duration, "EndDateTime" if end is not None else "DurationInMinutes")
    finish = start + duration
    row.update(
        {
            "StartDateTime": format_datetime(start),
            "ActivityDateTime": format_datetime(start),
            "ActivityDate": format_date(start.date()),
            "EndDateTime": format_datetime(finish),
            "EndDate": format_date(finish.date()),
            "DurationInMinutes": int(duration.total_seconds() // 60),
        }
    )


def _all_day(
    row: dict[str, Any], values: Mapping[str, Any], old: Mapping[str, Any] | None, start: datetime | None
) -> None:
    first = _day(values.get("ActivityDate")) or (start.date() if start else None)
    if first is None and old is not None:
        first = _day(old.get("ActivityDate"))
    if first is None:
        raise record_error(
            errors.REQUIRED_FIELD_MISSING, "Required fields are missing: [ActivityDate]", ["ActivityDate"]
        )
    end = _moment(values.get("EndDateTime"))
    minutes = values.get("DurationInMinutes")
    if end is not None:
        last = end.date()
    elif minutes is not None:
        last = first + timedelta(days=max(int(minutes) // 1440, 1) - 1)
    elif old is not None and old.get("IsAllDayEvent") and old.get("EndDate") and old.get("ActivityDate"):
        span = _day(old["EndDate"]) - _day(old["ActivityDate"])  # type: ignore[operator]
        last = first + span
    else:
        last = first
    if last < first:
        raise record_error(
            errors.FIELD_INTEGRITY_EXCEPTION, "End Date Time: an event can't end before it starts", ["EndDateTime"]
        )
    days = (last - first).days + 1
    _check_duration(timedelta(days=days - 1), "EndDateTime")
    row.update(
        {
            "StartDateTime": format_datetime(midnight(first)),
            "ActivityDateTime": format_datetime(midnight(first)),
            "ActivityDate": format_date(first),
            "EndDateTime": format_datetime(midnight(last)),
            "EndDate": format_date(last),
            "DurationInMinutes": days * 1440,
        }
    )


def _check_duration(duration: timedelta, field_name: str) -> None:
    if duration < timedelta(0):
        raise record_error(
            errors.FIELD_INTEGRITY_EXCEPTION, "End Date Time: an event can't end before it starts", [field_name]
        )
    if duration > MAX_DURATION:
        raise record_error(
            errors.FIELD_INTEGRITY_EXCEPTION, "Duration: an event can't last more than 14 days", [field_name]
        )


def _moment(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None


def _day(value: Any) -> date | None:
    return parse_date(value) if isinstance(value, str) else None
