"""Literal values: string escapes, LIKE patterns, dates, datetimes and relative date ranges (all UTC)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from app.sandbox.salesforce.soql.ast import LikeWildcard, PatternElement

UTC = dt.UTC

# Escapes valid in any SOQL string literal. \b is backspace, as in Java, whose string rules SOQL follows.
_ESCAPES = {
    "n": "\n",
    "N": "\n",
    "r": "\r",
    "R": "\r",
    "t": "\t",
    "T": "\t",
    "b": "\b",
    "B": "\b",
    "f": "\f",
    "F": "\f",
    '"': '"',
    "'": "'",
    "\\": "\\",
}
_HEX = frozenset("0123456789abcdefABCDEF")


class LiteralError(ValueError):
    """A literal that Salesforce would reject; offset is the 0-based position of the problem in the literal."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def _decode(quoted: str, *, like: bool) -> Iterator[PatternElement]:
    """Yield the characters (and, in LIKE patterns, wildcards) of a single-quoted SOQL string literal."""
    body = quoted[1:-1]
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            if i + 1 >= len(body):  # the lexer never produces this, kept for direct callers
                raise LiteralError(f"Invalid string literal {quoted}. Illegal character sequence '\\'.")
            nxt = body[i + 1]
            if nxt in _ESCAPES:
                yield _ESCAPES[nxt]
                i += 2
            elif nxt == "u" and len(body) >= i + 6 and all(c in _HEX for c in body[i + 2 : i + 6]):
                yield chr(int(body[i + 2 : i + 6], 16))
                i += 6
            elif like and nxt in "%_":
                yield nxt
                i += 2
            else:
                raise LiteralError(
                    f"Invalid string literal {quoted}. Illegal character sequence '\\{nxt}' in string literal.",
                    i + 1,
                )
        elif like and char == "%":
            yield LikeWildcard.ANY
            i += 1
        elif like and char == "_":
            yield LikeWildcard.ONE
            i += 1
        else:
            yield char
            i += 1


def decode_string(quoted: str) -> str:
    """Decode a quoted SOQL string literal ('...') outside LIKE: \\% and \\_ are errors here."""
    return "".join(str(part) for part in _decode(quoted, like=False))


def decode_like_pattern(quoted: str) -> tuple[PatternElement, ...]:
    """Decode the quoted right-hand side of LIKE into text runs and wildcards."""
    elements: list[PatternElement] = []
    for part in _decode(quoted, like=True):
        if isinstance(part, str) and elements and isinstance(elements[-1], str):
            elements[-1] += part
        else:
            elements.append(part)
    return tuple(elements)


# --- case-insensitive text ---------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower-case text one character at a time, keeping its length (so wildcards stay aligned)."""
    return "".join(low if len(low := char.lower()) == 1 else char for char in text)


def pattern_regex(elements: tuple[PatternElement, ...], *, any_run: str = ".*") -> re.Pattern[str]:
    """Compile wildcard elements into a regex to be full-matched against fold()ed text."""
    parts: list[str] = []
    for element in elements:
        if element is LikeWildcard.ANY:
            parts.append(any_run)
        elif element is LikeWildcard.ONE:
            parts.append(".")
        else:
            parts.append(re.escape(fold(str(element))))
    return re.compile("".join(parts), re.DOTALL)


def like_matches(value: str, elements: tuple[PatternElement, ...]) -> bool:
    """Whether value matches a LIKE pattern: % any run, _ one character, case-insensitive, whole value."""
    return pattern_regex(elements).fullmatch(fold(value)) is not None


# --- dates and datetimes -----------------------------------------------------------------------------

_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATETIME_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\s*(Z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)


def _offset(text: str | None) -> dt.timezone:
    if text is None or text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def parse_date(text: str) -> dt.date:
    """Parse YYYY-MM-DD; raise LiteralError when it is not a real date."""
    match = _DATE_RE.fullmatch(text)
    if match is None:
        raise LiteralError(f"invalid date: {text}")
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise LiteralError(f"invalid date: {text}") from exc


def parse_datetime(text: str) -> dt.datetime:
    """Parse YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm|±hhmm) into an aware UTC datetime (no zone means UTC)."""
    match = _DATETIME_RE.fullmatch(text.strip())
    if match is None:
        raise LiteralError(f"invalid datetime: {text}")
    fraction = (match[7] or "0")[:6].ljust(6, "0")
    try:
        value = dt.datetime(
            int(match[1]),
            int(match[2]),
            int(match[3]),
            int(match[4]),
            int(match[5]),
            int(match[6]),
            int(fraction),
            tzinfo=_offset(match[8]),
        )
    except ValueError as exc:
        raise LiteralError(f"invalid datetime: {text}") from exc
    return value.astimezone(UTC)


def field_date(value: object) -> dt.date | None:
    """A stored date field value ("YYYY-MM-DD", or a datetime string whose UTC date is used) as a date."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_date(value) if len(value) == 10 else parse_datetime(value).date()
    except LiteralError:
        return None


def field_datetime(value: object) -> dt.datetime | None:
    """A stored datetime field value (Salesforce wire format or ISO 8601) as an aware UTC datetime."""
    if not isinstance(value, str) or not value:
        return None
    try:
        if len(value) == 10:
            return dt.datetime.combine(parse_date(value), dt.time(), tzinfo=UTC)
        return parse_datetime(value)
    except LiteralError:
        return None


# --- relative date literals --------------------------------------------------------------------------

SIMPLE_RELATIVE_DATES = frozenset(
    {
        "YESTERDAY",
        "TODAY",
        "TOMORROW",
        "LAST_WEEK",
        "THIS_WEEK",
        "NEXT_WEEK",
        "LAST_MONTH",
        "THIS_MONTH",
        "NEXT_MONTH",
        "LAST_90_DAYS",
        "NEXT_90_DAYS",
        "THIS_QUARTER",
        "LAST_QUARTER",
        "NEXT_QUARTER",
        "THIS_YEAR",
        "LAST_YEAR",
        "NEXT_YEAR",
        "THIS_FISCAL_QUARTER",
        "LAST_FISCAL_QUARTER",
        "NEXT_FISCAL_QUARTER",
        "THIS_FISCAL_YEAR",
        "LAST_FISCAL_YEAR",
        "NEXT_FISCAL_YEAR",
    }
)
N_RELATIVE_DATES = frozenset(
    {
        "LAST_N_DAYS",
        "NEXT_N_DAYS",
        "N_DAYS_AGO",
        "LAST_N_WEEKS",
        "NEXT_N_WEEKS",
        "N_WEEKS_AGO",
        "LAST_N_MONTHS",
        "NEXT_N_MONTHS",
        "N_MONTHS_AGO",
        "LAST_N_QUARTERS",
        "NEXT_N_QUARTERS",
        "N_QUARTERS_AGO",
        "LAST_N_YEARS",
        "NEXT_N_YEARS",
        "N_YEARS_AGO",
        "LAST_N_FISCAL_QUARTERS",
        "NEXT_N_FISCAL_QUARTERS",
        "N_FISCAL_QUARTERS_AGO",
        "LAST_N_FISCAL_YEARS",
        "NEXT_N_FISCAL_YEARS",
        "N_FISCAL_YEARS_AGO",
    }
)


def _add_months(first_of_month: dt.date, months: int) -> dt.date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def relative_date_range(name: str, n: int | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The half-open day range [start, end) a relative date literal stands for, relative to today (UTC).

    Weeks start on Sunday (the en_US locale); the fiscal year is the calendar year (the org default).
    """
    name = name.upper().replace("_FISCAL", "")
    count = n if n is not None else 0
    day = dt.timedelta(days=1)
    week_start = today - dt.timedelta(days=(today.weekday() + 1) % 7)
    week = dt.timedelta(days=7)
    month_start = today.replace(day=1)
    quarter_start = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    year_start = dt.date(today.year, 1, 1)
    simple: dict[str, tuple[dt.date, dt.date]] = {
        "YESTERDAY": (today - day, today),
        "TODAY": (today, today + day),
        "TOMORROW": (today + day, today + 2 * day),
        "LAST_WEEK": (week_start - week, week_start),
        "THIS_WEEK": (week_start, week_start + week),
        "NEXT_WEEK": (week_start + week, week_start + 2 * week),
        "LAST_MONTH": (_add_months(month_start, -1), month_start),
        "THIS_MONTH": (month_start, _add_months(month_start, 1)),
        "NEXT_MONTH": (_add_months(month_start, 1), _add_months(month_start, 2)),
        "LAST_90_DAYS": (today - 90 * day, today + day),
        "NEXT_90_DAYS": (today + day, today + 91 * day),
        "THIS_QUARTER": (quarter_start, _add_months(quarter_start, 3)),
        "LAST_QUARTER": (_add_months(quarter_start, -3), quarter_start),
        "NEXT_QUARTER": (_add_months(quarter_start, 3), _add_months(quarter_start, 6)),
        "THIS_YEAR": (year_start, _add_months(year_start, 12)),
        "LAST_YEAR": (_add_months(year_start, -12), year_start),
        "NEXT_YEAR": (_add_months(year_start, 12), _add_months(year_start, 24)),
    }
    if name in simple:
        return simple[name]
    with_n: dict[str, tuple[dt.date, dt.date]] = {
        "LAST_N_DAYS": (today - count * day, today + day),
        "NEXT_N_DAYS": (today + day, today + (count + 1) * day),
        "N_DAYS_AGO": (today - count * day, today - (count - 1) * day),
        "LAST_N_WEEKS": (week_start - count * week, week_start),
        "NEXT_N_WEEKS": (week_start + week, week_start + (count + 1) * week),
        "N_WEEKS_AGO": (week_start - count * week, week_start - (count - 1) * week),
        "LAST_N_MONTHS": (_add_months(month_start, -count), month_start),
        "NEXT_N_MONTHS": (_add_months(month_start, 1), _add_months(month_start, count + 1)),
        "N_MONTHS_AGO": (_add_months(month_start, -count), _add_months(month_start, 1 - count)),
        "LAST_N_QUARTERS": (_add_months(quarter_start, -3 * count), quarter_start),
        "NEXT_N_QUARTERS": (_add_months(quarter_start, 3), _add_months(quarter_start, 3 * count + 3)),
        "N_QUARTERS_AGO": (_add_months(quarter_start, -3 * count), _add_months(quarter_start, 3 - 3 * count)),
        "LAST_N_YEARS": (_add_months(year_start, -12 * count), year_start),
        "NEXT_N_YEARS": (_add_months(year_start, 12), _add_months(year_start, 12 * count + 12)),
        "N_YEARS_AGO": (_add_months(year_start, -12 * count), _add_months(year_start, 12 - 12 * count)),
    }
    if name in with_n and n is not None:
        return with_n[name]
    raise LiteralError(f"unknown date literal: {name}")


def utc_midnight(day: dt.date) -> dt.datetime:
    """00:00:00 UTC at the start of day."""
    return dt.datetime.combine(day, dt.time(), tzinfo=UTC)
