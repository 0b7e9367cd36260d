"""A calendar event as the emulator stores it (single event, series, exception, or a computed instance)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.sandbox.google.calendar.recurrence import Recurrence
from app.sandbox.google.calendar.times import When
from app.sandbox.google.errors import GoogleApiError
from app.sandbox.google.wire import epoch_millis


def gone_sync_token() -> GoogleApiError:
    """410 fullSyncRequired, as the Calendar error guide shows it."""
    return GoogleApiError(
        410,
        "Sync token is no longer valid, a full sync is required.",
        "fullSyncRequired",
        domain="calendar",
        location="syncToken",
        location_type="parameter",
    )


@dataclass
class StoredEvent:
    """An event as stored: a single event, a series, or an exception of a series (or a computed instance)."""

    id: str
    body: dict[str, Any]
    ical_uid: str
    created: datetime
    updated: datetime
    start: When
    end: When
    recurrence: Recurrence | None = None
    version: int = 1
    change_seq: int = 0
    sequence: int = 0
    recurring_event_id: str | None = None
    original_start: When | None = None

    @property
    def status(self) -> str:
        """confirmed, tentative or cancelled."""
        return str(self.body.get("status") or "confirmed")

    @property
    def cancelled(self) -> bool:
        """Whether the event is deleted."""
        return self.status == "cancelled"

    @property
    def is_series(self) -> bool:
        """Whether the event is the master of a recurring series."""
        return self.recurrence is not None and self.recurring_event_id is None

    @property
    def etag(self) -> str:
        """A quoted number that changes with every write."""
        return f'"{epoch_millis(self.updated) * 1000 + self.version % 1000}"'


def duration(start: When, end: When) -> timedelta:
    """How long an event (or each instance of a series) lasts."""
    if start.instant is not None and end.instant is not None:
        return end.instant - start.instant
    assert start.day is not None and end.day is not None
    return end.day - start.day
