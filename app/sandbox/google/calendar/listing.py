"""Listing a calendar's events: ``events.list`` (full, windowed, expanded, incremental) and ``events.instances``.

Facts relied on (Calendar API reference): cancelled exceptions of a live series are listed even without
``showDeleted`` when ``singleEvents`` is false; with both true only cancelled instances are listed;
``orderBy=startTime`` needs ``singleEvents``; ``maxResults`` defaults to 250 and a page never exceeds 2500;
``syncToken`` cannot be combined with iCalUID, orderBy, privateExtendedProperty, q, sharedExtendedProperty, timeMin,
timeMax or updatedMin, nor with ``showDeleted=false``; an expired one is 410 ``fullSyncRequired``; deleted events
always come back in an incremental list. ``timeMin`` bounds an event's end (exclusive), ``timeMax`` its start.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from app.sandbox.google.calendar.events import StoredEvent, duration, gone_sync_token
from app.sandbox.google.calendar.recurrence import zone
from app.sandbox.google.calendar.render import DEFAULT_REMINDERS
from app.sandbox.google.calendar.times import parse_when
from app.sandbox.google.errors import GoogleApiError, bad_request, calendar_not_found
from app.sandbox.google.wire import decode_token, encode_token, epoch_millis, fingerprint, rfc3339

if TYPE_CHECKING:
    from app.sandbox.google.calendar.models import CalendarStore

DEFAULT_MAX_RESULTS = 250
MAX_RESULTS = 2500
SYNC_INCOMPATIBLE = (
    "iCalUID",
    "orderBy",
    "privateExtendedProperty",
    "q",
    "sharedExtendedProperty",
    "timeMin",
    "timeMax",
    "updatedMin",
)


@dataclass(frozen=True)
class EventsQuery:
    """The parameters of ``events.list`` (or ``instances``)."""

    time_min: datetime | None = None
    time_max: datetime | None = None
    single_events: bool = False
    order_by: str | None = None
    show_deleted: bool | None = None
    sync_token: str | None = None
    page_token: str | None = None
    max_results: int = DEFAULT_MAX_RESULTS
    updated_min: datetime | None = None
    ical_uid: str | None = None
    private_properties: tuple[str, ...] = ()
    shared_properties: tuple[str, ...] = ()
    text: str | None = None
    time_zone: str | None = None
    max_attendees: int | None = None

    def incompatible_with_sync(self) -> list[str]:
        """The parameters given that may not accompany a syncToken."""
        given = {
            "iCalUID": self.ical_uid,
            "orderBy": self.order_by,
            "privateExtendedProperty": self.private_properties or None,
            "q": self.text,
            "sharedExtendedProperty": self.shared_properties or None,
            "timeMin": self.time_min,
            "timeMax": self.time_max,
            "updatedMin": self.updated_min,
        }
        return [name for name in SYNC_INCOMPATIBLE if given[name] is not None]


def list_events(store: CalendarStore, query: EventsQuery) -> dict[str, Any]:
    """One page of ``events.list``."""
    if query.order_by == "startTime" and not query.single_events:
        raise bad_request("The requested ordering is not available for the particular query.")
    if query.order_by not in (None, "startTime", "updated"):
        raise bad_request(f"Invalid value for orderBy: {query.order_by}", reason="invalid")
    if query.time_min and query.time_max and query.time_max <= query.time_min:
        raise GoogleApiError(
            400,
            "The specified time range is empty.",
            "timeRangeEmpty",
            domain="calendar",
            location="timeMax",
            location_type="parameter",
        )
    if query.sync_token is not None:
        clashes = query.incompatible_with_sync()
        if clashes:
            raise bad_request(
                f"The syncToken parameter cannot be combined with: {', '.join(clashes)}.",
                reason="invalid",
                location="syncToken",
            )
        if query.show_deleted is False:
            raise bad_request(
                "showDeleted cannot be false when a syncToken is given.", reason="invalid", location="showDeleted"
            )
    check = fingerprint(
        query.time_min,
        query.time_max,
        query.single_events,
        query.order_by,
        query.show_deleted,
        query.sync_token,
        query.updated_min,
        query.ical_uid,
        query.private_properties,
        query.shared_properties,
        query.text,
    )
    since, snapshot, offset = _cursor(store, query, check)
    display = zone(query.time_zone) if query.time_zone else store.zone
    events = _changed(store, since, snapshot, query.single_events) if since is not None else _matching(store, query)
    events = _order(store, events, query.order_by, incremental=since is not None)
    page_size = min(max(query.max_results, 1), MAX_RESULTS)
    chunk = events[offset : offset + page_size]
    incremental = since is not None or query.updated_min is not None
    body: dict[str, Any] = {
        "kind": "calendar#events",
        "etag": f'"{epoch_millis(store.updated) * 1000}"',
        "summary": store.summary or store.owner,
        "updated": rfc3339(store.updated),
        "timeZone": store.time_zone,
        "accessRole": "owner",
        "defaultReminders": copy.deepcopy(DEFAULT_REMINDERS),
        "items": [
            store.render(e, display=display, max_attendees=query.max_attendees, minimal_if_cancelled=incremental)
            for e in chunk
        ],
    }
    if offset + page_size < len(events):
        body["nextPageToken"] = encode_token(
            {
                "kind": "events",
                "epoch": store.epoch,
                "check": check,
                "offset": offset + page_size,
                "snapshot": snapshot,
                "since": since,
            }
        )
    else:
        body["nextSyncToken"] = encode_token(
            {
                "kind": "calendar",
                "epoch": store.epoch,
                "seq": snapshot,
                "at": store.clock.now().timestamp(),
                "single": query.single_events,
            }
        )
    return body


def _cursor(store: CalendarStore, query: EventsQuery, check: str) -> tuple[int | None, int, int]:
    if query.page_token is not None:
        page = decode_token(query.page_token)
        if page is None or page.get("kind") != "events" or page.get("epoch") != store.epoch:
            raise bad_request("Invalid page token value.", reason="invalid", location="pageToken")
        if page.get("check") != check:
            raise bad_request(
                "The page token does not match the other parameters of the request.",
                reason="invalid",
                location="pageToken",
            )
        return page["since"], int(page["snapshot"]), int(page["offset"])
    if query.sync_token is None:
        return None, store.seq, 0
    token = decode_token(query.sync_token)
    if token is None or token.get("kind") != "calendar":
        raise bad_request("Invalid sync token value.", reason="invalid", location="syncToken")
    age = store.clock.now().timestamp() - float(token["at"])
    if token.get("epoch") != store.epoch or age > timedelta(days=store.sync_token_days).total_seconds():
        raise gone_sync_token()
    return int(token["seq"]), store.seq, 0


def _changed(store: CalendarStore, since: int, snapshot: int, single: bool) -> list[StoredEvent]:
    changed = [e for e in store.events.values() if since < e.change_seq <= snapshot]
    if not single:
        return changed
    result: list[StoredEvent] = []
    for event in changed:
        if not event.is_series:
            result.append(event)
            continue
        for instance in store.instances(event, until=None):
            if instance.recurring_event_id == event.id and instance.id not in store.events:
                if event.cancelled:
                    instance.body = {**instance.body, "status": "cancelled"}
                result.append(instance)
    return result


def _matching(store: CalendarStore, query: EventsQuery) -> list[StoredEvent]:
    show_deleted = bool(query.show_deleted) or query.updated_min is not None
    candidates: list[StoredEvent] = []
    for event in store.events.values():
        master = store.exception_of(event)
        if query.single_events:
            if event.is_series:
                if not event.cancelled:
                    candidates.extend(
                        i
                        for i in store.instances(event, until=query.time_max)
                        if i.id not in store.events and _in_window(store, i, query)
                    )
                continue
            if event.cancelled and not show_deleted:
                continue
        elif event.is_series:
            if (event.cancelled and not show_deleted) or not _series_in_window(store, event, query):
                continue
        elif master is not None:
            if event.cancelled and master.cancelled and not show_deleted:
                continue
        elif event.cancelled and not show_deleted:
            continue
        if event.is_series or _in_window(store, event, query):
            candidates.append(event)
    return [event for event in candidates if _filters_match(store, event, query)]


def _in_window(store: CalendarStore, event: StoredEvent, query: EventsQuery) -> bool:
    start, end = event.start.utc(store.zone), event.end.utc(store.zone)
    if query.time_min is not None and end <= query.time_min:
        return False
    return not (query.time_max is not None and start >= query.time_max)


def _series_in_window(store: CalendarStore, master: StoredEvent, query: EventsQuery) -> bool:
    if query.time_min is None and query.time_max is None:
        return True
    delta = duration(master.start, master.end)
    for point in store.occurrences_of(master, until=query.time_max):
        instance_start = master.start.shifted_to(point, timedelta(0))
        end = master.start.shifted_to(point, delta).utc(store.zone)
        if query.time_max is not None and instance_start.utc(store.zone) >= query.time_max:
            return False
        if query.time_min is None or end > query.time_min:
            return True
    return False


def _filters_match(store: CalendarStore, event: StoredEvent, query: EventsQuery) -> bool:
    if query.updated_min is not None and event.updated < query.updated_min:
        return False
    if query.ical_uid is not None and event.ical_uid != query.ical_uid:
        return False
    extended = event.body.get("extendedProperties") or {}
    for scope, wanted in (("private", query.private_properties), ("shared", query.shared_properties)):
        values = extended.get(scope) or {}
        for constraint in wanted:
            name, _, value = constraint.partition("=")
            if values.get(name) != value:
                return False
    if query.text:
        haystack = " ".join(
            [str(event.body.get(name, "")) for name in ("summary", "description", "location")]
            + [str(a.get("email", "")) + " " + str(a.get("displayName", "")) for a in event.body.get("attendees") or []]
        ).casefold()
        return all(term in haystack for term in query.text.casefold().split())
    return True


def _order(
    store: CalendarStore, events: list[StoredEvent], order_by: str | None, *, incremental: bool
) -> list[StoredEvent]:
    if order_by == "updated":
        return sorted(events, key=lambda e: (e.updated, e.change_seq, e.id))
    if incremental:
        return sorted(events, key=lambda e: (e.change_seq, e.start.utc(store.zone), e.id))
    return sorted(events, key=lambda e: (e.start.utc(store.zone), e.id))


def list_instances(
    store: CalendarStore, master_id: str, query: EventsQuery, original_start: str | None
) -> dict[str, Any]:
    """One page of ``events.instances`` for a series."""
    master = store.events.get(master_id)
    if master is None:
        raise calendar_not_found()
    display = zone(query.time_zone) if query.time_zone else store.zone
    if master.is_series:
        items = [
            i
            for i in store.instances(master, until=query.time_max)
            if _in_window(store, i, query) and (not i.cancelled or query.show_deleted)
        ]
    else:
        items = [master]
    if original_start is not None:
        wanted = _original_point(original_start)
        items = [i for i in items if i.original_start is not None and i.original_start.point() == wanted]
    items.sort(key=lambda e: e.original_start.utc(store.zone) if e.original_start else e.start.utc(store.zone))
    offset = 0
    if query.page_token is not None:
        page = decode_token(query.page_token)
        if page is None or page.get("kind") != "instances":
            raise bad_request("Invalid page token value.", reason="invalid", location="pageToken")
        offset = int(page["offset"])
    page_size = min(max(query.max_results, 1), MAX_RESULTS)
    body: dict[str, Any] = {
        "kind": "calendar#events",
        "etag": master.etag,
        "summary": store.summary or store.owner,
        "updated": rfc3339(master.updated),
        "timeZone": store.time_zone,
        "accessRole": "owner",
        "defaultReminders": copy.deepcopy(DEFAULT_REMINDERS),
        "items": [
            store.render(e, display=display, max_attendees=query.max_attendees)
            for e in items[offset : offset + page_size]
        ],
    }
    if offset + page_size < len(items):
        body["nextPageToken"] = encode_token({"kind": "instances", "offset": offset + page_size})
    return body


def _original_point(text: str) -> datetime | date | None:
    try:
        when = parse_when({"dateTime": text} if "T" in text else {"date": text}, "originalStart", needs_zone=False)
    except GoogleApiError:
        return None
    return when.point()
