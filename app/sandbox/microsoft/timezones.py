"""Outlook's ``dateTimeTimeZone`` values: Windows or IANA zone names, local date-times without offsets.

Graph accepts Windows zone names ("Pacific Standard Time") and IANA names ("America/Los_Angeles") in ``timeZone``
and in ``Prefer: outlook.timezone``, and writes date-times as ``2016-12-09T20:30:00.0000000`` (seven fraction
digits, no offset) next to the zone name ("dateTimeTimeZone resource type").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.sandbox.microsoft.exceptions import bad_request, time_zone_not_supported

#: The Windows zone names the sandbox understands, with their IANA equivalents (CLDR's windowsZones mapping).
WINDOWS_ZONES: dict[str, str] = {
    "UTC": "UTC",
    "Coordinated Universal Time": "UTC",
    "GMT Standard Time": "Europe/London",
    "Greenwich Standard Time": "Atlantic/Reykjavik",
    "W. Europe Standard Time": "Europe/Berlin",
    "Romance Standard Time": "Europe/Paris",
    "Central Europe Standard Time": "Europe/Budapest",
    "Central European Standard Time": "Europe/Warsaw",
    "E. Europe Standard Time": "Europe/Chisinau",
    "FLE Standard Time": "Europe/Kiev",
    "GTB Standard Time": "Europe/Bucharest",
    "Turkey Standard Time": "Europe/Istanbul",
    "Russian Standard Time": "Europe/Moscow",
    "Israel Standard Time": "Asia/Jerusalem",
    "Egypt Standard Time": "Africa/Cairo",
    "South Africa Standard Time": "Africa/Johannesburg",
    "Arabian Standard Time": "Asia/Dubai",
    "India Standard Time": "Asia/Kolkata",
    "SE Asia Standard Time": "Asia/Bangkok",
    "Singapore Standard Time": "Asia/Singapore",
    "China Standard Time": "Asia/Shanghai",
    "Taipei Standard Time": "Asia/Taipei",
    "Korea Standard Time": "Asia/Seoul",
    "Tokyo Standard Time": "Asia/Tokyo",
    "W. Australia Standard Time": "Australia/Perth",
    "AUS Eastern Standard Time": "Australia/Sydney",
    "New Zealand Standard Time": "Pacific/Auckland",
    "Hawaiian Standard Time": "Pacific/Honolulu",
    "Alaskan Standard Time": "America/Anchorage",
    "Pacific Standard Time": "America/Los_Angeles",
    "US Mountain Standard Time": "America/Phoenix",
    "Mountain Standard Time": "America/Denver",
    "Central Standard Time": "America/Chicago",
    "Central Standard Time (Mexico)": "America/Mexico_City",
    "Canada Central Standard Time": "America/Regina",
    "Eastern Standard Time": "America/New_York",
    "SA Pacific Standard Time": "America/Bogota",
    "Atlantic Standard Time": "America/Halifax",
    "Pacific SA Standard Time": "America/Santiago",
    "Argentina Standard Time": "America/Buenos_Aires",
    "E. South America Standard Time": "America/Sao_Paulo",
}

_ALIASES = {"tzone://microsoft/utc": "UTC", "etc/utc": "UTC", "gmt": "UTC", "z": "UTC"}


@dataclass(frozen=True)
class Zone:
    """A zone as the client named it, and the tzinfo behind it."""

    name: str
    tz: tzinfo


@lru_cache(maxsize=256)
def _lookup(name: str) -> tzinfo | None:
    key = name.strip()
    alias = _ALIASES.get(key.lower())
    if alias is not None or key.upper() == "UTC":
        return UTC
    for windows, iana in WINDOWS_ZONES.items():
        if windows.lower() == key.lower():
            return UTC if iana == "UTC" else ZoneInfo(iana)
    if "/" in key:
        try:
            return ZoneInfo(key)
        except (ZoneInfoNotFoundError, ValueError):
            return None
    return None


def find_zone(name: str | None) -> Zone | None:
    """The zone ``name`` stands for, or None if Outlook would not know it."""
    if not name:
        return None
    tz = _lookup(name)
    return Zone(name.strip(), tz) if tz is not None else None


def require_zone(name: str | None) -> Zone:
    """The zone ``name`` stands for; 400 TimeZoneNotSupportedException otherwise."""
    zone = find_zone(name)
    if zone is None:
        raise time_zone_not_supported(name or "")
    return zone


UTC_ZONE = Zone("UTC", UTC)


def parse_local(value: str) -> datetime:
    """A ``dateTime`` string as a naive local date-time (an offset, if any, is converted away by the caller)."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    if "." in text:
        head, _, tail = text.partition(".")
        digits = ""
        while tail and tail[0].isdigit():
            digits, tail = digits + tail[0], tail[1:]
        text = f"{head}.{digits[:6].ljust(6, '0')}{tail}"
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise bad_request(f"Cannot convert the literal '{value}' to the expected type 'Edm.DateTimeOffset'.") from exc


def to_utc(value: Any, *, field: str) -> tuple[datetime, Zone]:
    """A ``{"dateTime", "timeZone"}`` object as an aware UTC datetime and the zone it was given in."""
    if not isinstance(value, dict) or not isinstance(value.get("dateTime"), str):
        raise bad_request(f"The '{field}' property must be a dateTimeTimeZone with a 'dateTime' value.")
    zone = require_zone(value.get("timeZone") or "UTC")
    local = parse_local(value["dateTime"])
    aware = local.replace(tzinfo=zone.tz) if local.tzinfo is None else local
    return aware.astimezone(UTC), zone


def format_local(moment: datetime, zone: Zone) -> dict[str, str]:
    """A UTC moment as Graph's ``dateTimeTimeZone`` in ``zone``."""
    local = moment.astimezone(zone.tz).replace(tzinfo=None)
    return {"dateTime": local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond:06d}0", "timeZone": zone.name}


def format_utc(moment: datetime) -> str:
    """A timestamp property (``createdDateTime``): ISO 8601 in UTC with a ``Z``."""
    value = moment.astimezone(UTC)
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond:06d}0Z"
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def local_midnight(day: date, zone: Zone) -> datetime:
    """Midnight of ``day`` in ``zone``, as an aware UTC datetime."""
    return datetime.combine(day, time(0), tzinfo=zone.tz).astimezone(UTC)


def parse_window_bound(value: str, zone: Zone) -> datetime:
    """A ``startDateTime``/``endDateTime`` query value: an offset or ``Z`` wins, otherwise it is local to ``zone``."""
    local = parse_local(value)
    if local.tzinfo is None:
        local = local.replace(tzinfo=zone.tz)
    return local.astimezone(UTC)
