"""A Gmail user's hands on the sandbox's Calendar API: what a user does in Google Calendar, never through the store.

Events are written with google-api-python-client directly (not with the connector's mapping), so that tests of the
store do not check the mapping against itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build

from app.connectors.access_token import StaticAccessToken
from app.connectors.event_fields import EventWindow, parse_utc, utc_text
from app.connectors.google.calendar_client import CalendarClient
from app.connectors.google.events_store import GoogleEventStore
from app.connectors.retry import RetryPolicy
from app.connectors.selection import SelectionMethod
from tests.connectors.google.hands import NO_SLEEP, PRIYA, PeopleHands
from tests.sandbox.conftest import LiveSandbox

PRIVATE_KEY = "crmbridgeSelection"


def event_body(fields: Mapping[str, object]) -> dict[str, Any]:
    """An ``Event`` as a user would make it in Google Calendar, from event-projection fields."""
    body: dict[str, Any] = {}
    for name, key in (("subject", "summary"), ("location", "location"), ("notes", "description")):
        if fields.get(name):
            body[key] = fields[name]
    if fields.get("all_day") == "true":
        body["start"], body["end"] = {"date": fields["start"]}, {"date": fields["end"]}
    else:
        body["start"] = {"dateTime": fields["start"], "timeZone": "Europe/Paris"}
        body["end"] = {"dateTime": fields["end"], "timeZone": "Europe/Paris"}
    if fields.get("private") == "true":
        body["visibility"] = "private"
    if fields.get("attendees"):
        body["attendees"] = [{"email": address} for address in fields["attendees"]]  # type: ignore[attr-defined]
    return body


class CalendarHands(PeopleHands):
    """One sandbox user's Google Calendar (and the call log of their Google calls)."""

    def __init__(self, sandbox: LiveSandbox, email: str = PRIYA) -> None:
        super().__init__(sandbox, email)
        self.calendar: Any = build(
            "calendar",
            "v3",
            credentials=Credentials(self.token),  # type: ignore[no-untyped-call]
            static_discovery=True,
            cache_discovery=False,
            client_options={"api_endpoint": f"{sandbox.base_url}/www.googleapis.com/calendar/v3/"},
        )
        self._calendar_clients: list[CalendarClient] = []

    def close(self) -> None:
        """Close the HTTP connections."""
        self.calendar.close()
        for client in self._calendar_clients:
            client.close()
        super().close()

    def window(self, *, past_days: int = 7, future_days: int = 30) -> EventWindow:
        """A window around the sandbox's today."""
        return EventWindow.around(self.sandbox.state.clock.now(), past_days=past_days, future_days=future_days)

    def calendar_client(self, retry: RetryPolicy = NO_SLEEP) -> CalendarClient:
        """A connector client for this user on the sandbox; closed with the hands."""
        token = StaticAccessToken(self.sandbox.token("google", self.email), vendor="google")
        client = CalendarClient(token, vendor_base_url=self.sandbox.base_url, retry=retry)
        self._calendar_clients.append(client)
        return client

    def event_store(
        self,
        *,
        window: EventWindow | None = None,
        selection: SelectionMethod = SelectionMethod.AUTOMATIC,
        include_private: bool = False,
        include_series: bool = False,
        retry: RetryPolicy = NO_SLEEP,
    ) -> GoogleEventStore:
        """The store under test for this user."""
        return GoogleEventStore(
            self.calendar_client(retry),
            window=window or self.window(),
            selection=selection,
            include_private=include_private,
            include_series=include_series,
        )

    # -- events --------------------------------------------------------------------------------------------------

    def add_event(self, fields: Mapping[str, object], *, mark: str | None = None, **extra: Any) -> str:
        """Create an event; ``mark`` sets the selection property (``sync`` / ``dont_sync``)."""
        body = {**event_body(fields), **extra}
        if mark is not None:
            body["extendedProperties"] = {"private": {PRIVATE_KEY: mark}}
        return str(self.calendar.events().insert(calendarId="primary", body=body).execute()["id"])

    def get_event(self, event_id: str) -> dict[str, Any]:
        """The event as the API returns it."""
        event: dict[str, Any] = self.calendar.events().get(calendarId="primary", eventId=event_id).execute()
        return event

    def patch_event(self, event_id: str, body: Mapping[str, Any]) -> None:
        """Patch an event as given."""
        self.calendar.events().patch(calendarId="primary", eventId=event_id, body=dict(body)).execute()

    def edit_event(self, event_id: str, changes: Mapping[str, object]) -> None:
        """Change projection text fields (None clears)."""
        keys = {"subject": "summary", "location": "location", "notes": "description"}
        self.patch_event(event_id, {keys[name]: value for name, value in changes.items()})

    def shift_event(self, event_id: str, days: int) -> None:
        """Move a timed event by ``days``."""
        event = self.get_event(event_id)
        moved = {
            side: {"dateTime": utc_text(_instant(event[side]["dateTime"]) + timedelta(days=days)), "timeZone": "UTC"}
            for side in ("start", "end")
        }
        self.patch_event(event_id, moved)

    def mark(self, event_id: str, mark: str | None) -> None:
        """Set (or clear) the selection property."""
        self.patch_event(event_id, {"extendedProperties": {"private": {PRIVATE_KEY: mark}}})

    def remove_event(self, event_id: str) -> None:
        """Delete an event."""
        self.calendar.events().delete(calendarId="primary", eventId=event_id).execute()

    def add_series(self, start: datetime, count: int, subject: str = "Weekly sync") -> str:
        """A weekly series of one-hour meetings starting at ``start``; returns the series id."""
        body = {
            "summary": subject,
            "start": {"dateTime": utc_text(start), "timeZone": "UTC"},
            "end": {"dateTime": utc_text(start + timedelta(hours=1)), "timeZone": "UTC"},
            "recurrence": [f"RRULE:FREQ=WEEKLY;COUNT={count}"],
        }
        return str(self.calendar.events().insert(calendarId="primary", body=body).execute()["id"])

    def instances(self, series_id: str) -> list[dict[str, Any]]:
        """The occurrences of a series."""
        answer = self.calendar.events().instances(calendarId="primary", eventId=series_id).execute()
        return list(answer.get("items", []))


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def timed_sample(window: EventWindow, n: int, **extra: object) -> dict[str, object]:
    """A timed event ``n`` days after the window's start + 2 days, 09:00-10:00 UTC, in the projection."""
    start = window.start + timedelta(days=2 + n, hours=9)
    fields: dict[str, object] = {
        "subject": f"Call {n}",
        "start": utc_text(start),
        "end": utc_text(start + timedelta(hours=1)),
        "location": f"Room {n}",
        "notes": f"Agenda {n}",
    }
    fields.update(extra)
    return fields


def outside(fields: Mapping[str, object], days: int = 400) -> dict[str, object]:
    """The same timed event ``days`` later (outside any window of the tests)."""
    moved = dict(fields)
    for name in ("start", "end"):
        moved[name] = utc_text(parse_utc(str(fields[name])) + timedelta(days=days))
    return moved
