"""Listing the primary calendar for the events store: full (windowed) and incremental (sync token) listings.

A full listing asks ``events.list`` for the window with ``singleEvents=True`` (series expanded into their
occurrences) in pages of 2500, and keeps the ``nextSyncToken`` of the last page. An incremental listing sends that
token with ``singleEvents=True`` only: Google refuses ``timeMin``/``timeMax`` next to a sync token, so the window is
applied here. A token Google no longer takes (410 ``fullSyncRequired``) gives a full listing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from app.connectors.event_fields import utc_text
from app.connectors.google.calendar_client import MAX_PAGE_SIZE, CalendarClient
from app.connectors.google.events_scope import EventScope

_CURSOR_VERSION = 1


@dataclass(frozen=True)
class EventsCursor:
    """What a listing hands to the next one: the scope it was made for and Google's sync token."""

    scope_key: str
    sync_token: str

    def encode(self) -> str:
        """The cursor string."""
        return json.dumps({"v": _CURSOR_VERSION, "scope": self.scope_key, "token": self.sync_token})

    @classmethod
    def decode(cls, text: str | None) -> EventsCursor | None:
        """The cursor in ``text``; None for no cursor or one this store cannot read."""
        if not text:
            return None
        try:
            data = json.loads(text)
            if data.get("v") != _CURSOR_VERSION or not data.get("token"):
                return None
            return cls(str(data["scope"]), str(data["token"]))
        except (ValueError, KeyError, TypeError, AttributeError):
            return None


@dataclass(frozen=True)
class EventPages:
    """Every event a listing returned, and the sync token for the next one."""

    events: list[dict[str, Any]]
    sync_token: str | None


def list_window(client: CalendarClient, scope: EventScope) -> EventPages:
    """Every live event overlapping the window, occurrences expanded (a full listing)."""
    return _pages(
        client,
        {
            "singleEvents": True,
            "timeMin": utc_text(scope.window.start),
            "timeMax": utc_text(scope.window.end),
            "maxResults": MAX_PAGE_SIZE,
        },
    )


def list_changes_since(client: CalendarClient, sync_token: str) -> EventPages:
    """Every event changed since ``sync_token`` (deleted ones with ``status: cancelled``); raises
    :class:`~app.connectors.errors.CursorExpired` when Google asks for a full sync."""
    return _pages(client, {"singleEvents": True, "syncToken": sync_token, "maxResults": MAX_PAGE_SIZE})


def _pages(client: CalendarClient, params: dict[str, Any]) -> EventPages:
    events: dict[str, dict[str, Any]] = {}
    page_token: str | None = None
    while True:
        page = client.list_events(**params, **({"pageToken": page_token} if page_token else {}))
        for event in page.get("items") or []:
            if isinstance(event, dict) and event.get("id"):
                events[str(event["id"])] = event
        page_token = page.get("nextPageToken")
        if not page_token:
            token = page.get("nextSyncToken")
            return EventPages(list(events.values()), str(token) if token else None)
