"""Calendar ``EventDateTime`` values: all-day ``date`` (end exclusive) versus timed ``dateTime`` + ``timeZone``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.sandbox.google.calendar.recurrence import zone
from app.sandbox.google.errors import bad_request, required


@dataclass(frozen=True)
class When:
    """One parsed ``start`` or ``end``: a UTC instant for a timed event, a date for an all-day one."""

    instant: datetime | None
    day: date | None
    time_zone: str | None

    @property
    def all_day(self) -> bool:
        """Whether this is a ``date`` value."""
        return self.day is not None

    def utc(self, calendar_zone: ZoneInfo) -> datetime:
        """The instant; an all-day date starts at midnight in the calendar's time zone."""
        if self.instant is not None:
            return self.instant
        assert self.day is not None
        return datetime.combine(self.day, time(0), tzinfo=calendar_zone).astimezone(UTC)

    def point(self) -> datetime | date:
        """The instant or the date (what recurrence expansion works on)."""
        value = self.instant if self.instant is not None else self.day
        assert value is not None
        return value

    def shifted_to(self, point: datetime | date, delta: timedelta) -> When:
        """This value moved to ``point`` + ``delta`` (an instance of a series)."""
        if isinstance(point, datetime):
            return When(point + delta, None, self.time_zone)
        return When(None, point + delta, self.time_zone)

    def render(self, display_zone: ZoneInfo) -> dict[str, Any]:
        """The ``EventDateTime`` JSON, in the event's own time zone when it has one."""
        if self.day is not None:
            return {"date": self.day.isoformat()}
        assert self.instant is not None
        shown_zone = zone(self.time_zone) if self.time_zone else display_zone
        out: dict[str, Any] = {"dateTime": format_instant(self.instant, shown_zone)}
        if self.time_zone:
            out["timeZone"] = self.time_zone
        return out


def format_instant(instant: datetime, tz: ZoneInfo) -> str:
    """RFC 3339 with the zone's offset (``Z`` for UTC), seconds precision, as Calendar writes times."""
    local = instant.astimezone(tz).replace(microsecond=0)
    text = local.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def instance_key(point: datetime | date) -> str:
    """The suffix of an instance id: ``20240105T090000Z`` or ``20240105``."""
    if isinstance(point, datetime):
        return point.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return point.strftime("%Y%m%d")


def parse_instance_key(key: str) -> datetime | date | None:
    """The original start named by an instance id suffix; None if it is not one."""
    try:
        if len(key) == 8 and key.isdigit():
            return date(int(key[:4]), int(key[4:6]), int(key[6:8]))
        return datetime.strptime(key, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def parse_when(value: Any, name: str, *, needs_zone: bool) -> When:
    """Parse ``start``/``end``; ``needs_zone`` for a recurring event (a ``timeZone`` is then required)."""
    if not isinstance(value, dict) or not (value.get("date") or value.get("dateTime")):
        raise required(f"Missing {name} time.")
    time_zone = value.get("timeZone") or None
    if time_zone:
        zone(time_zone)
    if value.get("date") and value.get("dateTime"):
        raise bad_request(f"Invalid {name} time.", reason="invalid")
    if value.get("date"):
        try:
            return When(None, date.fromisoformat(str(value["date"])), time_zone)
        except ValueError:
            raise bad_request(f"Invalid {name} time.", reason="invalid") from None
    text = str(value["dateTime"])
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise bad_request(f"Invalid {name} time.", reason="invalid") from None
    if moment.tzinfo is None:
        if not time_zone:
            raise bad_request(f"Missing time zone definition for {name} time.", reason="required")
        moment = moment.replace(tzinfo=zone(time_zone))
    if needs_zone and not time_zone:
        raise bad_request(f"Missing time zone definition for {name} time.", reason="required")
    return When(moment.astimezone(UTC), None, time_zone)
