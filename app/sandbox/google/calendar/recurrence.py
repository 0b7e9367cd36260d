"""Recurrence lines of a Calendar event (RFC 5545 RRULE, EXDATE, RDATE) expanded into occurrence starts.

Covered: FREQ DAILY, WEEKLY, MONTHLY and YEARLY with INTERVAL, COUNT, UNTIL, BYDAY (with ordinals for MONTHLY and
YEARLY), BYMONTHDAY and BYMONTH; EXDATE and RDATE as UTC, TZID-local, floating or VALUE=DATE values. Timed series
recur on the wall clock of the event's time zone, so an occurrence keeps its local time across DST changes.
Not covered: EXRULE, BYSETPOS, BYWEEKNO, BYYEARDAY, BYHOUR/BYMINUTE/BYSECOND, WKST other than MO.
"""

from __future__ import annotations

import calendar as calendar_module
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.sandbox.google.errors import GoogleApiError, bad_request

_WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
_FREQUENCIES = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})
#: No series is expanded beyond this many occurrences.
MAX_OCCURRENCES = 2000


def invalid_recurrence(line: str) -> GoogleApiError:
    """400 for a recurrence line the emulator cannot read."""
    return bad_request(f"Invalid recurrence rule: {line}", reason="invalid")


def zone(name: str | None) -> ZoneInfo:
    """The IANA time zone ``name`` (UTC when None); 400 for an unknown name."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise bad_request(f"Invalid time zone definition: {name}", reason="invalid") from None


@dataclass(frozen=True)
class Rule:
    """One parsed RRULE."""

    freq: str
    interval: int = 1
    count: int | None = None
    until: datetime | date | None = None
    by_day: tuple[tuple[int | None, int], ...] = ()
    by_month_day: tuple[int, ...] = ()
    by_month: tuple[int, ...] = ()


@dataclass
class Recurrence:
    """The parsed recurrence of a series: its rules and its explicit exclusions and additions."""

    rules: list[Rule] = field(default_factory=list)
    exdates: set[datetime | date] = field(default_factory=set)
    rdates: set[datetime | date] = field(default_factory=set)


def parse(lines: list[str], tz: ZoneInfo) -> Recurrence:
    """Parse the ``recurrence`` lines of an event whose times are in ``tz``."""
    parsed = Recurrence()
    for line in lines:
        name, _, value = line.partition(":")
        head, *params = name.upper().split(";")
        if head == "RRULE":
            parsed.rules.append(_rule(value, line, tz))
        elif head in ("EXDATE", "RDATE"):
            target = parsed.exdates if head == "EXDATE" else parsed.rdates
            target.update(_date_values(value, params, line, tz))
        else:
            raise invalid_recurrence(line)
    return parsed


def _rule(value: str, line: str, tz: ZoneInfo) -> Rule:
    parts: dict[str, str] = {}
    for piece in value.split(";"):
        key, _, item = piece.partition("=")
        parts[key.upper()] = item.upper()
    freq = parts.get("FREQ", "")
    if freq not in _FREQUENCIES:
        raise invalid_recurrence(line)
    try:
        interval = int(parts.get("INTERVAL", "1"))
        count = int(parts["COUNT"]) if "COUNT" in parts else None
        until = _point(parts["UNTIL"], tz) if "UNTIL" in parts else None
        by_day = tuple(_weekday(item) for item in parts["BYDAY"].split(",")) if "BYDAY" in parts else ()
        by_month_day = tuple(int(item) for item in parts["BYMONTHDAY"].split(",")) if "BYMONTHDAY" in parts else ()
        by_month = tuple(int(item) for item in parts["BYMONTH"].split(",")) if "BYMONTH" in parts else ()
    except (ValueError, KeyError):
        raise invalid_recurrence(line) from None
    if interval < 1 or (count is not None and count < 1):
        raise invalid_recurrence(line)
    return Rule(freq, interval, count, until, by_day, by_month_day, by_month)


def _weekday(item: str) -> tuple[int | None, int]:
    code = item[-2:]
    if code not in _WEEKDAYS:
        raise ValueError(item)
    ordinal = item[:-2]
    return (int(ordinal) if ordinal else None), _WEEKDAYS[code]


def _point(text: str, tz: ZoneInfo) -> datetime | date:
    text = text.strip()
    if len(text) == 8:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    fields = (int(text[0:4]), int(text[4:6]), int(text[6:8]), int(text[9:11]), int(text[11:13]), int(text[13:15]))
    if len(text) < 15 or text[8] != "T":
        raise ValueError(text)
    return datetime(*fields, tzinfo=UTC if text.endswith("Z") else tz).astimezone(UTC)


def _date_values(value: str, params: list[str], line: str, tz: ZoneInfo) -> list[datetime | date]:
    local = tz
    for param in params:
        if param.startswith("TZID="):
            local = zone(line.split("TZID=", 1)[1].split(":", 1)[0].split(";", 1)[0])
    try:
        return [_point(item, local) for item in value.split(",") if item.strip()]
    except ValueError:
        raise invalid_recurrence(line) from None


def occurrences(
    start: datetime | date, recurrence: Recurrence, tz: ZoneInfo, *, until: datetime | None = None
) -> Iterator[datetime | date]:
    """Occurrence starts in order: aware UTC datetimes for a timed series, dates for an all-day one.

    ``start`` is the series' first start (UTC datetime or date); expansion stops after ``until`` (a UTC instant) and
    after :data:`MAX_OCCURRENCES`.
    """
    all_day = not isinstance(start, datetime)
    local_start = start.astimezone(tz) if isinstance(start, datetime) else start
    produced = 0
    candidates: set[datetime | date] = set(recurrence.rdates)
    candidates.add(start)
    streams = [_rule_dates(local_start, rule, tz, all_day) for rule in recurrence.rules]
    pending = sorted(candidates, key=_sort_key)
    heads: list[datetime | date | None] = [next(stream, None) for stream in streams]
    seen: set[datetime | date] = set()
    while produced < MAX_OCCURRENCES:
        options = [item for item in heads if item is not None] + pending[:1]
        if not options:
            return
        current = min(options, key=_sort_key)
        if pending and pending[0] == current:
            pending.pop(0)
        for index, head in enumerate(heads):
            if head == current:
                heads[index] = next(streams[index], None)
        if until is not None and _sort_key(current) > until:
            return
        if current in seen or _sort_key(current) < _sort_key(start) or _excluded(current, recurrence.exdates):
            continue
        seen.add(current)
        produced += 1
        yield current


def _sort_key(point: datetime | date) -> datetime:
    if isinstance(point, datetime):
        return point
    return datetime.combine(point, time(0), tzinfo=UTC)


def _excluded(point: datetime | date, exdates: set[datetime | date]) -> bool:
    return point in exdates


def _rule_dates(local_start: datetime | date, rule: Rule, tz: ZoneInfo, all_day: bool) -> Iterator[datetime | date]:
    """One rule's occurrences (respecting COUNT and UNTIL), as UTC datetimes or dates."""
    first_day = local_start if not isinstance(local_start, datetime) else local_start.date()
    wall = local_start.time() if isinstance(local_start, datetime) else time(0)
    emitted = 0
    for day in _days(first_day, rule):
        if day < first_day:
            continue
        point: datetime | date = day if all_day else datetime.combine(day, wall, tzinfo=tz).astimezone(UTC)
        if rule.until is not None and _past_until(point, rule.until):
            return
        yield point
        emitted += 1
        if rule.count is not None and emitted >= rule.count:
            return


def _past_until(point: datetime | date, until: datetime | date) -> bool:
    if isinstance(point, datetime):
        limit = until if isinstance(until, datetime) else datetime.combine(until, time.max, tzinfo=UTC)
        return point > limit
    limit_day = until.date() if isinstance(until, datetime) else until
    return point > limit_day


def _days(first: date, rule: Rule) -> Iterator[date]:
    """Candidate days of a rule in order, starting at the period that contains ``first``."""
    if rule.freq == "DAILY":
        return _daily(first, rule)
    if rule.freq == "WEEKLY":
        return _weekly(first, rule)
    if rule.freq == "MONTHLY":
        return _monthly(first, rule)
    return _yearly(first, rule)


def _daily(first: date, rule: Rule) -> Iterator[date]:
    day = first
    while True:
        if _month_ok(day, rule):
            yield day
        day += timedelta(days=rule.interval)


def _weekly(first: date, rule: Rule) -> Iterator[date]:
    weekdays = sorted({weekday for _, weekday in rule.by_day}) or [first.weekday()]
    monday = first - timedelta(days=first.weekday())
    while True:
        for weekday in weekdays:
            day = monday + timedelta(days=weekday)
            if _month_ok(day, rule):
                yield day
        monday += timedelta(weeks=rule.interval)


def _monthly(first: date, rule: Rule) -> Iterator[date]:
    year, month = first.year, first.month
    while True:
        if not rule.by_month or month in rule.by_month:
            yield from _month_days(year, month, rule, first)
        month += rule.interval
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1


def _yearly(first: date, rule: Rule) -> Iterator[date]:
    year = first.year
    months = rule.by_month or (first.month,)
    while True:
        for month in sorted(months):
            yield from _month_days(year, month, rule, first)
        year += rule.interval


def _month_ok(day: date, rule: Rule) -> bool:
    return not rule.by_month or day.month in rule.by_month


def _month_days(year: int, month: int, rule: Rule, first: date) -> list[date]:
    length = calendar_module.monthrange(year, month)[1]
    days: set[int] = set()
    for value in rule.by_month_day:
        number = value if value > 0 else length + value + 1
        if 1 <= number <= length:
            days.add(number)
    for ordinal, weekday in rule.by_day:
        matches = [d for d in range(1, length + 1) if date(year, month, d).weekday() == weekday]
        if ordinal is None:
            days.update(matches)
        elif 1 <= abs(ordinal) <= len(matches):
            days.add(matches[ordinal - 1] if ordinal > 0 else matches[ordinal])
    if not rule.by_month_day and not rule.by_day and first.day <= length:
        days.add(first.day)
    return [date(year, month, d) for d in sorted(days)]
