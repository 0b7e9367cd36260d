"""``patternedRecurrence``: validating it and expanding it into occurrence dates.

A recurrence is a pattern (daily, weekly, absoluteMonthly, relativeMonthly, absoluteYearly, relativeYearly, each
every ``interval`` units) and a range (``endDate``, ``noEnd`` or ``numbered``), both described on the
recurrencePattern and recurrenceRange resource pages. Dates are local to the series' time zone; the caller
combines them with the master's local start time.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from app.sandbox.microsoft.exceptions import GraphError

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
INDEXES = ("first", "second", "third", "fourth", "last")
PATTERN_TYPES = ("daily", "weekly", "absoluteMonthly", "relativeMonthly", "absoluteYearly", "relativeYearly")
RANGE_TYPES = ("endDate", "noEnd", "numbered")

#: No series expands past this many occurrences (a guard for noEnd series over long windows).
MAX_OCCURRENCES = 5000
_NO_DATE = "0001-01-01"


def _invalid(message: str) -> GraphError:
    return GraphError(400, "ErrorPropertyValidationFailure", f"At least one property failed validation. {message}")


def _canonical(value: Any, choices: tuple[str, ...], what: str) -> str:
    if isinstance(value, str):
        for choice in choices:
            if choice.lower() == value.lower():
                return choice
    raise _invalid(f"Invalid {what}: {value!r}.")


def _int(value: Any, what: str, default: int = 0) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(f"Invalid {what}: {value!r}.")
    return value


def _date(value: Any, what: str) -> date:
    if not isinstance(value, str):
        raise _invalid(f"The recurrence range needs a {what}.")
    try:
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise _invalid(f"Invalid {what}: {value!r}.") from exc


def _pattern(pattern_in: dict[str, Any]) -> dict[str, Any]:
    kind = _canonical(pattern_in.get("type"), PATTERN_TYPES, "recurrence pattern type")
    interval = _int(pattern_in.get("interval"), "interval", 1)
    if interval < 1:
        raise _invalid("The interval must be at least 1.")
    days = [_canonical(day, DAYS, "day of week") for day in pattern_in.get("daysOfWeek") or []]
    month = _int(pattern_in.get("month"), "month")
    day_of_month = _int(pattern_in.get("dayOfMonth"), "dayOfMonth")
    if kind in ("weekly", "relativeMonthly", "relativeYearly") and not days:
        raise _invalid(f"A {kind} pattern needs daysOfWeek.")
    if kind in ("absoluteMonthly", "absoluteYearly") and not 1 <= day_of_month <= 31:
        raise _invalid(f"A {kind} pattern needs a dayOfMonth between 1 and 31.")
    if kind in ("absoluteYearly", "relativeYearly") and not 1 <= month <= 12:
        raise _invalid(f"A {kind} pattern needs a month between 1 and 12.")
    return {
        "type": kind,
        "interval": interval,
        "month": month,
        "dayOfMonth": day_of_month,
        "daysOfWeek": days,
        "firstDayOfWeek": _canonical(pattern_in.get("firstDayOfWeek") or "sunday", DAYS, "first day of week"),
        "index": _canonical(pattern_in.get("index") or "first", INDEXES, "week index"),
    }


def _range(range_in: dict[str, Any], default_start: date, default_zone: str) -> dict[str, Any]:
    range_kind = _canonical(range_in.get("type") or "noEnd", RANGE_TYPES, "recurrence range type")
    start = _date(range_in.get("startDate") or default_start.isoformat(), "startDate")
    end_text = _NO_DATE
    count = 0
    if range_kind == "endDate":
        end = _date(range_in.get("endDate"), "endDate")
        if end < start:
            raise _invalid("The recurrence range's endDate is before its startDate.")
        end_text = end.isoformat()
    elif range_kind == "numbered":
        count = _int(range_in.get("numberOfOccurrences"), "numberOfOccurrences")
        if count < 1:
            raise _invalid("A numbered recurrence range needs numberOfOccurrences of at least 1.")
    return {
        "type": range_kind,
        "startDate": start.isoformat(),
        "endDate": end_text,
        "recurrenceTimeZone": range_in.get("recurrenceTimeZone") or default_zone,
        "numberOfOccurrences": count,
    }


def normalize(recurrence: Any, default_start: date, default_zone: str) -> dict[str, Any]:
    """A client's recurrence as Graph writes it back, every member present; 400 if it does not describe a series."""
    if not isinstance(recurrence, dict) or not isinstance(recurrence.get("pattern"), dict):
        raise _invalid("A recurrence needs a pattern and a range.")
    range_in = recurrence.get("range") or {}
    if not isinstance(range_in, dict):
        raise _invalid("The recurrence range must be an object.")
    return {"pattern": _pattern(recurrence["pattern"]), "range": _range(range_in, default_start, default_zone)}


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    total = year * 12 + (month - 1) + months
    return total // 12, total % 12 + 1


def _clamped(year: int, month: int, day: int) -> date:
    # A day past the month's end falls on its last day (the 31st in a 30-day month) [unofficial].
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _relative(year: int, month: int, index: str, days: list[str]) -> date:
    wanted = {DAYS.index(day) for day in days}
    matches = [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
    matches = [d for d in matches if d.weekday() in wanted]
    return matches[-1] if index == "last" else matches[min(INDEXES.index(index), len(matches) - 1)]


def _daily(pattern: dict[str, Any], start: date) -> Iterator[date]:
    day = start
    while True:
        yield day
        day += timedelta(days=pattern["interval"])


def _weekly(pattern: dict[str, Any], start: date) -> Iterator[date]:
    first = DAYS.index(pattern["firstDayOfWeek"])
    offsets = sorted((DAYS.index(d) - first) % 7 for d in pattern["daysOfWeek"])
    week = start - timedelta(days=(start.weekday() - first) % 7)
    while True:
        for offset in offsets:
            day = week + timedelta(days=offset)
            if day >= start:
                yield day
        week += timedelta(weeks=pattern["interval"])


def _periodic(pattern: dict[str, Any], start: date) -> Iterator[date]:
    """Monthly and yearly patterns: one date per period, absolute (a day of the month) or relative (the n-th day)."""
    kind: str = pattern["type"]
    step = 0
    while True:
        if kind.endswith("Monthly"):
            year, month = _add_months(start.year, start.month, step * pattern["interval"])
        else:
            year, month = start.year + step * pattern["interval"], pattern["month"]
        if kind.startswith("absolute"):
            day = _clamped(year, month, pattern["dayOfMonth"])
        else:
            day = _relative(year, month, pattern["index"], pattern["daysOfWeek"])
        if day >= start:
            yield day
        step += 1


def _candidates(pattern: dict[str, Any], start: date) -> Iterator[date]:
    """Every date the pattern produces on or after ``start``, in order (unbounded)."""
    generators = {"daily": _daily, "weekly": _weekly}
    return generators.get(pattern["type"], _periodic)(pattern, start)


def occurrence_dates(recurrence: dict[str, Any], until: date | None = None) -> Iterator[date]:
    """The local dates of a normalized recurrence, in order, stopping at its range or at ``until`` (inclusive)."""
    rng: dict[str, Any] = recurrence["range"]
    start = date.fromisoformat(rng["startDate"])
    end = date.fromisoformat(rng["endDate"]) if rng["type"] == "endDate" else None
    limit = rng["numberOfOccurrences"] if rng["type"] == "numbered" else MAX_OCCURRENCES
    for produced, day in enumerate(_candidates(recurrence["pattern"], start)):
        if produced >= min(limit, MAX_OCCURRENCES) or (end is not None and day > end):
            return
        if until is not None and day > until:
            return
        yield day
