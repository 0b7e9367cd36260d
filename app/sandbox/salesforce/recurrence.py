"""Event series: the RFC 5545 RRULE subset Salesforce accepts in ``Recurrence2PatternText``, and its expansion.

Supported rule parts: FREQ (DAILY, WEEKLY, MONTHLY, YEARLY), INTERVAL, COUNT, UNTIL, BYDAY (with ordinals for
monthly and yearly rules, e.g. ``2TU`` or ``-1FR``), BYMONTHDAY, BYMONTH, BYSETPOS and WKST. Occurrences keep
their wall-clock time in the series' time zone across daylight-saving changes.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.sandbox.salesforce.values import parse_datetime

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
#: Upper bound on generated occurrences (Salesforce caps series; see COVERAGE.md).
MAX_OCCURRENCES = 100
_SCAN_LIMIT = 5000


class RecurrenceError(ValueError):
    """The pattern text is not an RRULE this org accepts."""


@dataclass(frozen=True)
class WeekdayRule:
    """A BYDAY entry: a weekday (0 = Monday) and an optional ordinal (2 = second, -1 = last)."""

    weekday: int
    ordinal: int | None = None


@dataclass(frozen=True)
class RecurrenceRule:
    """A parsed RRULE."""

    frequency: str
    interval: int = 1
    count: int | None = None
    until: datetime | date | None = None
    by_day: tuple[WeekdayRule, ...] = ()
    by_month_day: tuple[int, ...] = ()
    by_month: tuple[int, ...] = ()
    by_set_position: tuple[int, ...] = ()
    week_start: int = 0


def parse_rrule(text: str) -> RecurrenceRule:
    """Parse ``RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;COUNT=8`` (the ``RRULE:`` prefix is optional)."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    parts: dict[str, str] = {}
    for item in body.split(";"):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep or not value:
            raise RecurrenceError(f"malformed rule part {item!r}")
        key = key.strip().upper()
        if key in parts:
            raise RecurrenceError(f"rule part {key} given twice")
        parts[key] = value.strip().upper()
    frequency = parts.pop("FREQ", None)
    if frequency not in FREQUENCIES:
        raise RecurrenceError("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY")
    rule = RecurrenceRule(
        frequency=frequency,
        interval=_positive(parts.pop("INTERVAL", "1"), "INTERVAL"),
        count=_positive(parts["COUNT"], "COUNT") if "COUNT" in parts else None,
        until=_until(parts["UNTIL"]) if "UNTIL" in parts else None,
        by_day=tuple(_weekday(v) for v in parts.pop("BYDAY", "").split(",") if v),
        by_month_day=tuple(_bounded(v, 31, "BYMONTHDAY") for v in parts.pop("BYMONTHDAY", "").split(",") if v),
        by_month=tuple(_bounded(v, 12, "BYMONTH", negative=False) for v in parts.pop("BYMONTH", "").split(",") if v),
        by_set_position=tuple(_bounded(v, 366, "BYSETPOS") for v in parts.pop("BYSETPOS", "").split(",") if v),
        week_start=_weekday(parts.pop("WKST", "MO")).weekday,
    )
    parts.pop("COUNT", None)
    parts.pop("UNTIL", None)
    if parts:
        raise RecurrenceError(f"unsupported rule parts: {', '.join(sorted(parts))}")
    if rule.count is not None and rule.until is not None:
        raise RecurrenceError("COUNT and UNTIL cannot both be given")
    if rule.frequency in ("DAILY", "WEEKLY") and any(d.ordinal for d in rule.by_day):
        raise RecurrenceError("BYDAY ordinals are only allowed in MONTHLY and YEARLY rules")
    return rule


def _positive(value: str, name: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise RecurrenceError(f"{name} must be a positive integer")
    return int(value)


def _bounded(value: str, bound: int, name: str, *, negative: bool = True) -> int:
    try:
        number = int(value)
    except ValueError:
        raise RecurrenceError(f"{name} values must be integers") from None
    if number == 0 or abs(number) > bound or (number < 0 and not negative):
        raise RecurrenceError(f"{name} value {value} is out of range")
    return number


def _weekday(value: str) -> WeekdayRule:
    code = value[-2:]
    if code not in WEEKDAYS:
        raise RecurrenceError(f"unknown weekday {value!r}")
    ordinal_text = value[:-2]
    ordinal = None
    if ordinal_text:
        try:
            ordinal = int(ordinal_text)
        except ValueError:
            raise RecurrenceError(f"bad weekday ordinal in {value!r}") from None
        if ordinal == 0 or abs(ordinal) > 53:
            raise RecurrenceError(f"bad weekday ordinal in {value!r}")
    return WeekdayRule(WEEKDAYS.index(code), ordinal)


def _until(value: str) -> datetime | date:
    if len(value) == 8 and value.isdigit():
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    if len(value) in (15, 16) and value[8] == "T":
        moment = parse_datetime(
            f"{value[:4]}-{value[4:6]}-{value[6:8]}T{value[9:11]}:{value[11:13]}:{value[13:15]}"
            + ("Z" if value.endswith("Z") else "")
        )
        if moment is not None:
            return moment
    raise RecurrenceError(f"UNTIL must be a date or a UTC date-time, not {value!r}")


def time_zone(name: str | None) -> tzinfo:
    """The series' time zone (UTC when none or unknown)."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RecurrenceError(f"unknown time zone {name!r}") from None


def occurrences(
    rule: RecurrenceRule, start: datetime, zone: tzinfo = UTC, *, limit: int = MAX_OCCURRENCES
) -> list[datetime]:
    """The UTC start of every occurrence, the series' own start first, at most ``limit`` of them."""
    local_start = start.astimezone(zone)
    wall = local_start.time().replace(tzinfo=None)
    found: list[datetime] = []
    for day in _candidate_days(rule, local_start.date()):
        if day < local_start.date():
            continue
        moment = datetime.combine(day, wall, zone).astimezone(UTC)
        if not _before_until(rule, moment, day):
            break
        found.append(moment)
        if rule.count is not None and len(found) >= rule.count:
            break
        if len(found) >= limit:
            break
    if not found or found[0] != start.astimezone(UTC):
        # RFC 5545: the start always counts as the first instance, whether or not it matches the rule.
        found = [start.astimezone(UTC), *[m for m in found if m != start.astimezone(UTC)]]
        if rule.count is not None:
            found = found[: rule.count]
        found = found[:limit]
    return found


def _before_until(rule: RecurrenceRule, moment: datetime, day: date) -> bool:
    if rule.until is None:
        return True
    if isinstance(rule.until, datetime):
        return moment <= rule.until
    return day <= rule.until


def _candidate_days(rule: RecurrenceRule, first: date) -> Iterator[date]:
    for scanned, period_days in enumerate(_periods(rule, first)):
        yield from period_days
        if scanned >= _SCAN_LIMIT:
            return


def _periods(rule: RecurrenceRule, first: date) -> Iterator[list[date]]:
    if rule.frequency == "DAILY":
        day = first
        while True:
            if _matches_filters(rule, day, by_day=True):
                yield [day]
            else:
                yield []
            day += timedelta(days=rule.interval)
    elif rule.frequency == "WEEKLY":
        week = first - timedelta(days=(first.weekday() - rule.week_start) % 7)
        weekdays = sorted({d.weekday for d in rule.by_day} or {first.weekday()})
        while True:
            days = [week + timedelta(days=(w - rule.week_start) % 7) for w in weekdays]
            yield _set_positions(rule, sorted(d for d in days if _matches_filters(rule, d, by_day=False)))
            week += timedelta(weeks=rule.interval)
    elif rule.frequency == "MONTHLY":
        year, month = first.year, first.month
        while True:
            yield _set_positions(rule, _month_days(rule, year, month, first))
            month += rule.interval
            year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    else:
        year = first.year
        while True:
            months = rule.by_month or (first.month,)
            year_days: list[date] = []
            for month in sorted(months):
                year_days += _month_days(rule, year, month, first)
            yield _set_positions(rule, sorted(year_days))
            year += rule.interval


def _month_days(rule: RecurrenceRule, year: int, month: int, first: date) -> list[date]:
    if rule.by_month and month not in rule.by_month:
        return []
    length = calendar.monthrange(year, month)[1]
    by_month_day: set[date] | None = None
    if rule.by_month_day:
        numbers = {value if value > 0 else length + value + 1 for value in rule.by_month_day}
        by_month_day = {date(year, month, n) for n in numbers if 1 <= n <= length}
    by_day: set[date] | None = None
    if rule.by_day:
        by_day = set()
        for entry in rule.by_day:
            matching = [
                date(year, month, n) for n in range(1, length + 1) if date(year, month, n).weekday() == entry.weekday
            ]
            if entry.ordinal is None:
                by_day.update(matching)
            elif abs(entry.ordinal) <= len(matching):
                by_day.add(matching[entry.ordinal - 1 if entry.ordinal > 0 else entry.ordinal])
    if by_month_day is not None and by_day is not None:
        return sorted(by_month_day & by_day)
    if by_month_day is not None or by_day is not None:
        return sorted(by_month_day if by_month_day is not None else by_day or set())
    return [date(year, month, first.day)] if first.day <= length else []


def _matches_filters(rule: RecurrenceRule, day: date, *, by_day: bool) -> bool:
    if rule.by_month and day.month not in rule.by_month:
        return False
    if by_day and rule.by_day and day.weekday() not in {d.weekday for d in rule.by_day}:
        return False
    if rule.by_month_day:
        length = calendar.monthrange(day.year, day.month)[1]
        wanted = {v if v > 0 else length + v + 1 for v in rule.by_month_day}
        if day.day not in wanted:
            return False
    return True


def _set_positions(rule: RecurrenceRule, days: list[date]) -> list[date]:
    if not rule.by_set_position:
        return days
    chosen = set()
    for position in rule.by_set_position:
        if abs(position) <= len(days):
            chosen.add(days[position - 1 if position > 0 else position])
    return sorted(chosen)


def midnight(day: date) -> datetime:
    """00:00 UTC of ``day`` (how all-day events are stored)."""
    return datetime.combine(day, time(0), UTC)
