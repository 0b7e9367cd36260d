"""The Outlook event store's listings, from the calendar view's delta (``GET /me/calendarView/delta``).

- A complete listing (no cursor, another window or scope, an expired delta token) runs a fresh delta round over the
  window (the window is encoded in the token) and lists every in-scope instance it brings, with its change key.
- An incremental listing follows the stored delta link: ONE call when nothing changed. Changed instances are judged
  from what delta sends (times, type, sensitivity, categories); one that lacks its times is read by id. ``@removed``
  is reported as :attr:`Removal.UNKNOWN`: "event: delta" warns that it also stands for events added, changed or
  moved *outside* the window, so the engine probes with ``get_many``.

Delta gives neither the marker nor a text body (no ``$expand``, no ``$select``), so a listing never says more than
ids and change keys; ``get_many`` reads the events in full, 20 per batch. The mailbox owner's address rides in the
first batch of a complete listing while it is unknown.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

from app.connectors.event_fields import EventWindow
from app.connectors.microsoft import events_mapping as em
from app.connectors.microsoft.client import PagedRead
from app.connectors.microsoft.contacts_reads import delta_expired, follow_chains, send_batch, take_page
from app.connectors.microsoft.events_cursor import EventCursor
from app.connectors.microsoft.events_reads import OWNER_REQUEST, read_events, take_owner
from app.connectors.microsoft.events_state import CalendarState
from app.sync.items import Item
from app.sync.stores import Gone, Listing, Removal

#: Delta page size ("Prefer: odata.maxpagesize"; a hint, the server may send fewer).
DELTA_PAGE_SIZE = 200

_PREFER = (f"odata.maxpagesize={DELTA_PAGE_SIZE}", em.PREFER_UTC)


def delta_url(window: EventWindow) -> str:
    """The first request of a calendar view delta round over ``window``."""

    def bound(value: str) -> str:
        return quote(value, safe="")

    start = window.start.strftime("%Y-%m-%dT%H:%M:%SZ")
    end = window.end.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"/me/calendarView/delta?startDateTime={bound(start)}&endDateTime={bound(end)}"


def complete(state: CalendarState) -> Listing:
    """Every in-scope instance of the window, from a fresh delta round."""
    delta = PagedRead("delta", delta_url(state.window), prefer=_PREFER)
    extras = [OWNER_REQUEST] if state.owner is None else []
    first = send_batch(state.client, [delta.request(), *extras])
    take_owner(state, first.get("owner"))
    take_page(delta, first["delta"])
    follow_chains(state.client, [delta])
    changed, _ = latest(delta.items)
    entries: dict[str, str] = {}
    reasons: dict[str, Removal] = {}
    _place(state, changed, entries, reasons)
    return Listing(MappingProxyType(entries), complete=True, cursor=_cursor(state, delta.delta_link))


def incremental(state: CalendarState, delta_link: str) -> Listing | None:
    """What changed since ``delta_link``; None when the token expired (a complete listing is due)."""
    delta = PagedRead("delta", delta_link, prefer=_PREFER)
    first = send_batch(state.client, [delta.request()])
    if delta_expired(first["delta"]):
        return None
    take_page(delta, first["delta"])
    follow_chains(state.client, [delta])
    changed, removed = latest(delta.items)
    entries: dict[str, str] = {}
    reasons: dict[str, Removal] = dict.fromkeys(removed, Removal.UNKNOWN)
    _place(state, changed, entries, reasons)
    for item_id in entries:
        reasons.pop(item_id, None)
    cursor = _cursor(state, delta.delta_link or delta_link)
    return Listing(MappingProxyType(entries), complete=False, cursor=cursor, removed=MappingProxyType(reasons))


def latest(entries: Iterable[dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The last state of every id a delta round brought: changed ids with their document, and removed ids (an id's
    last appearance wins, so replays and duplicates are harmless)."""
    state: dict[str, dict[str, Any] | None] = {}
    for entry in entries:
        item_id = em.event_id(entry)
        state.pop(item_id, None)
        state[item_id] = None if "@removed" in entry else entry
    changed = {item_id: doc for item_id, doc in state.items() if doc is not None}
    return changed, [item_id for item_id, doc in state.items() if doc is None]


def _place(
    state: CalendarState, changed: dict[str, dict[str, Any]], entries: dict[str, str], reasons: dict[str, Removal]
) -> None:
    """Sort changed instances into listed items and departures (reading by id those delta sent without times)."""
    partial = [item_id for item_id, doc in changed.items() if not em.has_times(doc)]
    read = read_events(state, partial)
    for item_id, doc in changed.items():
        full = read.get(item_id, doc) if item_id in read else doc
        lookup = state.judge(item_id, full)
        if item_id in read:
            state.seen[item_id] = lookup
        if isinstance(lookup, Item):
            entries[item_id] = lookup.etag
        else:
            reasons[item_id] = Removal.DELETED if isinstance(lookup, Gone) else Removal.LEFT_SCOPE


def _cursor(state: CalendarState, delta_link: str | None) -> str:
    return EventCursor(state.window.key, state.scope, delta_link, state.owner).dump()
