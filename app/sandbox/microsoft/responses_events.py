"""Handlers for calendars and events: events, calendar views and their delta, instances of series."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from app.sandbox.microsoft import calendar, extended, ids, recurrence, render
from app.sandbox.microsoft import delta as delta_rounds
from app.sandbox.microsoft.calendar import Instance
from app.sandbox.microsoft.exceptions import GraphError, bad_request, id_malformed, item_not_found
from app.sandbox.microsoft.models import Folder, Item, Mailbox
from app.sandbox.microsoft.odata import apply_select
from app.sandbox.microsoft.responses import (
    check_if_match,
    delta_reply,
    delta_scope,
    entity,
    no_content,
    page,
    removed,
    require_window,
    resolve_folder,
    resolve_item,
    writable,
)
from app.sandbox.microsoft.schema import CALENDAR, EVENT
from app.sandbox.microsoft.timezones import UTC_ZONE, Zone, parse_window_bound, to_utc
from app.sandbox.microsoft.wire import GraphReply, GraphRequest

_ENUMS = {
    "sensitivity": ("normal", "personal", "private", "confidential"),
    "importance": ("low", "normal", "high"),
    "showAs": ("free", "tentative", "busy", "oof", "workingElsewhere", "unknown"),
}
_NO_RESPONSE = {"response": "none", "time": "0001-01-01T00:00:00Z"}


def _invalid(message: str) -> GraphError:
    return GraphError(400, "ErrorPropertyValidationFailure", f"At least one property failed validation. {message}")


def _calendar(req: GraphRequest) -> Folder:
    if "calendar" in req.params:
        return resolve_folder(req, req.params["calendar"], "calendar")
    return req.mailbox.default_folder("calendar")


def _instance(req: GraphRequest) -> Instance:
    """The event an id names: a stored event, or an occurrence of a series."""
    raw = req.params["id"]
    parsed = ids.parse_id(raw)
    if parsed is None:
        raise id_malformed()
    mailbox = req.mailbox
    if parsed.kind == "occurrence":
        if parsed.mailbox_guid != mailbox.guid or parsed.original_start is None:
            raise item_not_found()
        master = mailbox.items.get(parsed.key)
        if master is None or master.kind != "event":
            raise item_not_found()
        return calendar.occurrence(mailbox, master, parsed.original_start)
    return calendar.stored_instance(mailbox, resolve_item(req, raw, "event"))


def _check_enums(props: dict[str, Any]) -> None:
    for name, allowed in _ENUMS.items():
        if name in props and props[name] not in allowed:
            raise GraphError(400, "RequestBodyRead", f"Requested value '{props[name]}' was not found for {name}.")


def _attendees(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise GraphError(400, "RequestBodyRead", "attendees must be a collection.")
    result = []
    for attendee in value:
        if not isinstance(attendee, dict) or not isinstance(attendee.get("emailAddress"), dict):
            raise _invalid("Every attendee needs an emailAddress.")
        result.append(
            {
                "type": attendee.get("type", "required"),
                "status": attendee.get("status") or _NO_RESPONSE,
                "emailAddress": attendee["emailAddress"],
            }
        )
    return result


def _timing(props: dict[str, Any], item: Item | None) -> tuple[datetime, datetime, Zone, Zone] | None:
    """New (start, end, zones) from ``props`` (which lose ``start``/``end``), or None when neither is given."""
    if "start" not in props and "end" not in props:
        return None
    if item is None and ("start" not in props or "end" not in props):
        raise _invalid("An event needs a start and an end.")
    if "start" in props:
        start, start_zone = to_utc(props.pop("start"), field="start")
    else:
        assert item is not None and item.start is not None
        start, start_zone = item.start, item.start_zone
    if "end" in props:
        end, end_zone = to_utc(props.pop("end"), field="end")
    else:
        assert item is not None and item.end is not None
        end, end_zone = item.end, item.end_zone
    return start.replace(microsecond=0), end.replace(microsecond=0), start_zone, end_zone


def _check_times(start: datetime, end: datetime, start_zone: Zone, end_zone: Zone, all_day: bool) -> None:
    if end < start:
        raise _invalid("The end of an event cannot be before its start.")
    if all_day:
        local_start, local_end = start.astimezone(start_zone.tz), end.astimezone(end_zone.tz)
        if local_start.time() != time(0) or local_end.time() != time(0) or end == start:
            raise _invalid("An all-day event starts and ends at midnight and lasts whole days.")


def _render(req: GraphRequest, instance: Instance) -> dict[str, Any]:
    return render.event(req.mailbox, instance, req.view())


async def list_events(req: GraphRequest) -> GraphReply:
    """GET .../events: single instances and series masters of a calendar."""
    folder = _calendar(req)
    mailbox = req.mailbox
    view = req.view(select=False)
    rows: list[tuple[dict[str, Any], Any]] = []
    for item in mailbox.items_in(folder.key, "event"):
        if item.series_master is None:
            rows.append((render.event(mailbox, calendar.stored_instance(mailbox, item), view), item))
    return page(req, EVENT, rows, "events", filter_view=render.filter_document)


async def create_event(req: GraphRequest) -> GraphReply:
    """POST .../events; a repeated ``transactionId`` returns the event the first POST created."""
    body = req.json_body()
    mailbox = req.mailbox
    transaction = body.get("transactionId")
    if isinstance(transaction, str) and transaction in mailbox.transactions:
        existing = mailbox.items.get(mailbox.transactions[transaction])
        if existing is not None:
            return entity(req, _render(req, calendar.stored_instance(mailbox, existing)), "events/$entity", 201)
    folder = _calendar(req)
    props, navigation = writable(EVENT, body)
    _check_enums(props)
    timing = _timing(props, None)
    if timing is None:
        raise _invalid("An event needs a start and an end.")
    start, end, start_zone, end_zone = timing
    _check_times(start, end, start_zone, end_zone, bool(props.get("isAllDay")))
    if "attendees" in props:
        props["attendees"] = _attendees(props["attendees"])
    if props.get("recurrence"):
        local_day = start.astimezone(start_zone.tz).date()
        props["recurrence"] = recurrence.normalize(props["recurrence"], local_day, start_zone.name)
    item = mailbox.add_item(
        "event", folder, props, req.now, start=start, end=end, start_zone=start_zone, end_zone=end_zone
    )
    if "singleValueExtendedProperties" in navigation:
        extended.write(item, navigation["singleValueExtendedProperties"])
    if item.props.get("recurrence"):
        calendar.align_master(item)
    if isinstance(transaction, str):
        mailbox.transactions[transaction] = item.key
    return entity(req, _render(req, calendar.stored_instance(mailbox, item)), "events/$entity", 201)


async def get_event(req: GraphRequest) -> GraphReply:
    """GET .../events/{id}: a single instance, master, occurrence or exception."""
    return entity(req, _render(req, _instance(req)), "events/$entity")


def _reset_series(mailbox: Mailbox, master: Item) -> None:
    """A series whose pattern or times change loses its exceptions and deleted occurrences, as in Outlook."""
    for key in list(master.exceptions.values()):
        exception = mailbox.items.get(key)
        if exception is not None:
            mailbox.delete_item(exception)
    master.exceptions.clear()
    master.cancelled.clear()


async def update_event(req: GraphRequest) -> GraphReply:
    """PATCH .../events/{id}; patching an occurrence turns it into an exception."""
    instance = _instance(req)
    check_if_match(req, instance.version)
    mailbox = req.mailbox
    props, navigation = writable(EVENT, req.json_body())
    _check_enums(props)
    current_transaction = instance.item.props.get("transactionId")
    if "transactionId" in props and props["transactionId"] != current_transaction:
        raise bad_request("The transactionId of an event cannot be changed.", "ErrorInvalidProperty")
    if "recurrence" in props and instance.type in ("occurrence", "exception"):
        raise _invalid("An occurrence or exception of a series has no recurrence of its own.")
    if instance.type == "occurrence":
        exception = calendar.make_exception(mailbox, instance, req.now)
        instance = calendar.stored_instance(mailbox, exception)
    item = instance.item
    timing = _timing(props, item)
    if "attendees" in props:
        props["attendees"] = _attendees(props["attendees"])
    all_day = bool(props.get("isAllDay", item.props.get("isAllDay")))
    if timing is not None:
        item.start, item.end, item.start_zone, item.end_zone = timing
    assert item.start is not None and item.end is not None
    _check_times(item.start, item.end, item.start_zone, item.end_zone, all_day)
    series_changed = instance.type in ("seriesMaster", "singleInstance") and (
        "recurrence" in props or timing is not None
    )
    item.props.update(props)
    if "singleValueExtendedProperties" in navigation:
        extended.write(item, navigation["singleValueExtendedProperties"])
    if series_changed and (item.props.get("recurrence") or instance.type == "seriesMaster"):
        _reset_series(mailbox, item)
        if item.props.get("recurrence"):
            local_day = item.start.astimezone(item.start_zone.tz).date()
            item.props["recurrence"] = recurrence.normalize(item.props["recurrence"], local_day, item.start_zone.name)
            calendar.align_master(item)
    mailbox.touch(item, req.now)
    if instance.master is not None and instance.master is not item:
        mailbox.touch(instance.master, req.now)
    return entity(req, _render(req, calendar.stored_instance(mailbox, item)), "events/$entity")


async def delete_event(req: GraphRequest) -> GraphReply:
    """DELETE .../events/{id}: an occurrence or exception is cancelled; a master takes its series with it."""
    instance = _instance(req)
    check_if_match(req, instance.version)
    if instance.type in ("occurrence", "exception"):
        calendar.cancel(req.mailbox, instance, req.now)
    else:
        req.mailbox.delete_item(instance.item)
    return no_content()


def _window(req: GraphRequest) -> tuple[datetime, datetime]:
    start_text, end_text = require_window(req)
    start, end = parse_window_bound(start_text, UTC_ZONE), parse_window_bound(end_text, UTC_ZONE)
    if end < start:
        raise GraphError(400, "ErrorInvalidParameter", "The end of the time window is before its start.")
    return start, end


def _instance_rows(req: GraphRequest, instances: list[Instance]) -> list[tuple[dict[str, Any], Any]]:
    view = req.view(select=False)
    return [(render.event(req.mailbox, instance, view), instance.item) for instance in instances]


async def list_instances(req: GraphRequest) -> GraphReply:
    """GET .../events/{id}/instances: the occurrences and exceptions of a series in a window."""
    window = _window(req)
    instance = _instance(req)
    found: list[Instance] = []
    if instance.type == "seriesMaster":
        found = calendar.series_instances(req.mailbox, instance.item, *window)
    fragment = f"events('{req.params['id']}')/instances"
    return page(req, EVENT, _instance_rows(req, found), fragment, filter_view=render.filter_document)


async def calendar_view(req: GraphRequest) -> GraphReply:
    """GET .../calendarView: single instances, occurrences and exceptions in a window."""
    window = _window(req)
    folder = _calendar(req)
    found = calendar.view(req.mailbox, folder.key, *window)
    return page(req, EVENT, _instance_rows(req, found), "calendarView", filter_view=render.filter_document)


def _parse_ref(ref: str) -> tuple[bytes, datetime | None]:
    parts = ref.split(":")
    if parts[0] == "o":
        return bytes.fromhex(parts[1]), datetime.fromtimestamp(int(parts[2]), UTC)
    return bytes.fromhex(parts[1]), None


async def calendar_view_delta(req: GraphRequest) -> GraphReply:
    """GET /me/calendarView/delta: changes to the primary calendar within a window (the window is in the tokens)."""
    mailbox = req.mailbox
    folder = mailbox.default_folder("calendar")
    settings = req.backend.delta.settings
    window = None if (req.query.skiptoken or req.query.deltatoken) else _window(req)
    scope = delta_scope(req, "calendarView", folder.key, window=window)

    def snapshot(instances: list[Instance]) -> dict[str, int]:
        return {instance.token: instance.version for instance in instances}

    def initial() -> tuple[list[delta_rounds.Entry], dict[str, int]]:
        assert window is not None
        instances = calendar.view(mailbox, folder.key, *window)
        return [delta_rounds.Entry(i.token) for i in instances], snapshot(instances)

    def follow_up(cursor: delta_rounds.Cursor) -> tuple[list[delta_rounds.Entry], dict[str, int]]:
        assert cursor.scope.window is not None
        instances = calendar.view(mailbox, cursor.scope.change_scope, *cursor.scope.window)
        entries = delta_rounds.calendar_entries(mailbox, instances, cursor, settings)
        return [entry for entry in entries if not _exception_item(entry)], snapshot(instances)

    def _exception_item(entry: delta_rounds.Entry) -> bool:
        """An exception's own change-log entry: the exception shows under its occurrence's id instead."""
        if not entry.ref.startswith("i:"):
            return False
        item = mailbox.items.get(bytes.fromhex(entry.ref[2:]))
        return item is not None and item.series_master is not None

    def render_entry(entry: delta_rounds.Entry, token_scope: delta_rounds.Scope) -> dict[str, Any]:
        key, original = _parse_ref(entry.ref)
        immutable = req.prefer.immutable_ids
        if original is not None:
            entity_id = ids.occurrence_id(mailbox.guid, key, original)
        else:
            entity_id = ids.item_id(mailbox.guid, key, token_scope.change_scope, immutable=immutable)
        if entry.removed is not None:
            return removed(entity_id, entry.removed, "microsoft.graph.event")
        item = mailbox.items.get(key)
        try:
            if item is None:
                raise item_not_found()
            instance = (
                calendar.occurrence(mailbox, item, original) if original else calendar.stored_instance(mailbox, item)
            )
        except GraphError:
            return removed(entity_id, "deleted", "microsoft.graph.event")
        document = render.event(mailbox, instance, req.view(select=False))
        return {"@odata.type": "#microsoft.graph.event", **document}

    return delta_reply(req, scope, odata_type="event", follow_up=follow_up, initial=initial, render_entry=render_entry)


# -- calendars


async def list_calendars(req: GraphRequest) -> GraphReply:
    """GET /me/calendars."""
    mailbox = req.mailbox
    view = req.view(select=False)
    rows: list[tuple[dict[str, Any], Any]] = [
        (render.calendar(mailbox, f, view), f) for f in mailbox.folders_of("calendar")
    ]
    return page(req, CALENDAR, rows, "calendars")


async def get_calendar(req: GraphRequest) -> GraphReply:
    """GET /me/calendar or /me/calendars/{id}."""
    folder = _calendar(req)
    document = render.calendar(req.mailbox, folder, req.view())
    return entity(req, apply_select(document, req.query.select), "calendars/$entity")


async def create_calendar(req: GraphRequest) -> GraphReply:
    """POST /me/calendars: a new calendar (names are unique)."""
    props, _ = writable(CALENDAR, req.json_body())
    name = props.get("name")
    if not isinstance(name, str) or not name.strip():
        raise bad_request("The name of a calendar is required.", "ErrorInvalidRequest")
    mailbox = req.mailbox
    if any(f.props.get("name", "").lower() == name.lower() for f in mailbox.folders_of("calendar")):
        raise GraphError(409, "ErrorFolderExists", "A folder with the specified name already exists.")
    folder = mailbox.add_folder("calendar", {**props, "isDefaultCalendar": False})
    return entity(req, render.calendar(mailbox, folder, req.view()), "calendars/$entity", 201)
