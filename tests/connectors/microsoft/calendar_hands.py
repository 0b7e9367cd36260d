"""An Outlook user's hands on a sandbox calendar, and a Graph event store wired to the live sandbox.

The hands act as the user would, through Graph (their own httpx client, immutable ids): add, edit and delete events,
create a recurring series, list its instances. The projection -> Graph conversion here is written independently of
``app.connectors.microsoft.events_mapping`` on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from app.connectors.event_fields import EventWindow, utc_text
from app.connectors.microsoft.events_store import GraphEventStore
from app.connectors.selection import SelectionMethod
from tests.connectors.microsoft.hands import OutlookUser
from tests.sandbox.conftest import LiveSandbox

#: The window every test uses unless it says otherwise: a week back, four weeks ahead.
PAST_DAYS = 7
FUTURE_DAYS = 28


def graph_time(text: str, *, all_day: bool = False) -> dict[str, str]:
    """A projection time (``...Z`` instant or ``YYYY-MM-DD`` date) as a Graph ``dateTimeTimeZone`` in UTC."""
    if all_day:
        return {"dateTime": f"{text[:10]}T00:00:00.0000000", "timeZone": "UTC"}
    return {"dateTime": text.removesuffix("Z"), "timeZone": "UTC"}


def graph_event(fields: Mapping[str, object]) -> dict[str, Any]:
    """A Graph event body for projection fields (None clears); attendees become required attendees."""
    all_day = fields.get("all_day") == "true"
    body: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "subject":
            body["subject"] = value or ""
        elif name == "location":
            body["location"] = {"displayName": value or ""}
        elif name == "notes":
            body["body"] = {"contentType": "text", "content": value or ""}
        elif name in ("start", "end"):
            body[name] = graph_time(str(value), all_day=all_day)
        elif name == "all_day":
            body["isAllDay"] = value == "true"
        elif name == "private":
            body["sensitivity"] = "private" if value == "true" else "normal"
        elif name == "attendees":
            addresses = list(value) if isinstance(value, tuple | list) else ([value] if value else [])
            body["attendees"] = [
                {"type": "required", "emailAddress": {"address": a, "name": str(a).split("@")[0]}} for a in addresses
            ]
        else:
            raise KeyError(name)
    return body


class CalendarUser:
    """Alex Morgan's mailbox on a fresh, empty sandbox, with the user's hands on the calendar and stores to test."""

    def __init__(self, sandbox: LiveSandbox) -> None:
        self.outlook = OutlookUser(sandbox, create_folder=False)
        self.sandbox = sandbox
        self.http: httpx.Client = self.outlook.http
        self.window = EventWindow.around(sandbox.state.clock.now(), past_days=PAST_DAYS, future_days=FUTURE_DAYS)

    def close(self) -> None:
        self.outlook.close()

    # -- the store under test

    def store(
        self,
        selection: SelectionMethod = SelectionMethod.AUTOMATIC,
        *,
        include_private: bool = False,
        include_series: bool = False,
        window: EventWindow | None = None,
        max_attempts: int = 5,
        transport: httpx.BaseTransport | None = None,
    ) -> GraphEventStore:
        client = self.outlook.client(max_attempts=max_attempts, transport=transport)
        return GraphEventStore(
            client,
            window=window or self.window,
            selection=selection,
            include_private=include_private,
            include_series=include_series,
        )

    def calls(self) -> int:
        """Graph calls so far (a ``$batch`` is one)."""
        return self.outlook.calls()

    def expire_delta_tokens(self, code: str = "syncStateNotFound") -> None:
        self.outlook.expire_delta_tokens(code)

    # -- times inside and outside the window

    def at(self, day: int, hour: int = 9, minute: int = 0) -> datetime:
        """A moment ``day`` days after the window's start (UTC)."""
        return self.window.start + timedelta(days=day, hours=hour, minutes=minute)

    def timed(self, day: int, hour: int = 9, minutes: int = 30, **fields: object) -> dict[str, object]:
        """A timed event's projection ``day`` days into the window, lasting ``minutes``."""
        start = self.at(day, hour)
        return {"start": utc_text(start), "end": utc_text(start + timedelta(minutes=minutes)), **fields}

    # -- the user's hands

    def add(
        self,
        fields: Mapping[str, object],
        *,
        categories: list[str] | None = None,
        sensitivity: str | None = None,
        **extra: Any,
    ) -> str:
        """An event in the default calendar; its id."""
        body = graph_event(fields) | extra
        if categories:
            body["categories"] = categories
        if sensitivity:
            body["sensitivity"] = sensitivity
        response = self.http.post("/me/events", json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def edit(self, item_id: str, changes: Mapping[str, object]) -> dict[str, Any]:
        return self.patch(item_id, graph_event(changes))

    def patch(self, item_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        response = self.http.patch(f"/me/events/{item_id}", json=dict(body))
        assert response.status_code == 200, response.text
        return dict(response.json())

    def get(self, item_id: str) -> httpx.Response:
        return self.http.get(f"/me/events/{item_id}", headers={"Prefer": 'outlook.timezone="UTC"'})

    def remove(self, item_id: str) -> None:
        response = self.http.delete(f"/me/events/{item_id}")
        assert response.status_code == 204, response.text

    def move_outside(self, item_id: str) -> None:
        """The event moves to a time after the window (it stays in the calendar)."""
        start = self.window.end + timedelta(days=10, hours=9)
        self.edit(item_id, {"start": utc_text(start), "end": utc_text(start + timedelta(minutes=30))})

    def add_weekly_series(self, subject: str, first: datetime, count: int, **extra: Any) -> str:
        """A weekly series of ``count`` 45-minute occurrences from ``first`` (UTC); the master's id."""
        body = {
            "subject": subject,
            "start": graph_time(utc_text(first)),
            "end": graph_time(utc_text(first + timedelta(minutes=45))),
            "recurrence": {
                "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": [first.strftime("%A").lower()]},
                "range": {"type": "numbered", "startDate": first.date().isoformat(), "numberOfOccurrences": count},
            },
            **extra,
        }
        response = self.http.post("/me/events", json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def instances(self, master_id: str) -> list[dict[str, Any]]:
        """The occurrences and exceptions of a series within the window, by start."""
        params = {
            "startDateTime": utc_text(self.window.start),
            "endDateTime": utc_text(self.window.end),
            "$top": "100",
        }
        response = self.http.get(f"/me/events/{master_id}/instances", params=params)
        assert response.status_code == 200, response.text
        return list(response.json()["value"])


@pytest.fixture
def alex(live_sandbox: LiveSandbox) -> Iterator[CalendarUser]:
    """Alex Morgan on an empty sandbox, with an empty calendar (import this fixture into a test module)."""
    user = CalendarUser(live_sandbox)
    yield user
    user.close()
