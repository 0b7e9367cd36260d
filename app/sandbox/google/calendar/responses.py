"""Calendar API handlers: parse, authorize, call the account's :class:`CalendarStore`, answer."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from app.sandbox.google.calendar.events import gone_sync_token
from app.sandbox.google.calendar.listing import EventsQuery
from app.sandbox.google.calendar.recurrence import zone
from app.sandbox.google.context import (
    authorize,
    empty_response,
    json_body,
    json_response,
    query_bool,
    query_int,
    query_list,
    query_time,
)
from app.sandbox.google.wire import decode_token, encode_token


def _events_query(request: Request, *, default_max: int = 250) -> EventsQuery:
    time_zone = request.query_params.get("timeZone") or None
    if time_zone:
        zone(time_zone)
    return EventsQuery(
        time_min=query_time(request, "timeMin"),
        time_max=query_time(request, "timeMax"),
        single_events=bool(query_bool(request, "singleEvents")),
        order_by=request.query_params.get("orderBy") or None,
        show_deleted=query_bool(request, "showDeleted"),
        sync_token=request.query_params.get("syncToken") or None,
        page_token=request.query_params.get("pageToken") or None,
        max_results=query_int(request, "maxResults") or default_max,
        updated_min=query_time(request, "updatedMin"),
        ical_uid=request.query_params.get("iCalUID") or None,
        private_properties=tuple(query_list(request, "privateExtendedProperty")),
        shared_properties=tuple(query_list(request, "sharedExtendedProperty")),
        text=request.query_params.get("q") or None,
        time_zone=time_zone,
        max_attendees=query_int(request, "maxAttendees"),
    )


async def list_calendar_list(request: Request) -> JSONResponse:
    """``calendarList.list``: the primary calendar (the only one emulated)."""
    call = authorize(request, "calendar")
    calendar = call.account.calendar
    sync_token = request.query_params.get("syncToken")
    items = [calendar.list_entry()]
    if sync_token:
        payload = decode_token(sync_token)
        if payload is None or payload.get("kind") != "calendarList" or payload.get("epoch") != calendar.epoch:
            raise gone_sync_token()
        items = []
    return json_response(
        {
            "kind": "calendar#calendarList",
            "etag": calendar.list_entry()["etag"],
            "nextSyncToken": encode_token({"kind": "calendarList", "epoch": calendar.epoch}),
            "items": items,
        }
    )


async def get_calendar_list_entry(request: Request, calendar_id: str) -> JSONResponse:
    """``calendarList.get``."""
    call = authorize(request, "calendar")
    call.account.calendar.check_calendar(calendar_id)
    return json_response(call.account.calendar.list_entry())


async def get_calendar(request: Request, calendar_id: str) -> JSONResponse:
    """``calendars.get``."""
    call = authorize(request, "calendar")
    call.account.calendar.check_calendar(calendar_id)
    return json_response(call.account.calendar.calendar_json())


async def list_events(request: Request, calendar_id: str) -> JSONResponse:
    """``events.list``."""
    call = authorize(request, "calendar")
    calendar = call.account.calendar
    calendar.check_calendar(calendar_id)
    return json_response(calendar.list_events(_events_query(request)))


async def insert_event(request: Request, calendar_id: str) -> JSONResponse:
    """``events.insert`` (a client-chosen id is allowed; a taken one is 409 duplicate)."""
    call = authorize(request, "calendar", write=True)
    calendar = call.account.calendar
    calendar.check_calendar(calendar_id)
    body = await json_body(request, "calendar", "Event", "event")
    event = calendar.insert(body)
    return json_response(calendar.render(event, max_attendees=query_int(request, "maxAttendees")))


async def get_event(request: Request, calendar_id: str, event_id: str) -> Response:
    """``events.get`` (cancelled events are returned too; ``If-None-Match`` gives 304)."""
    call = authorize(request, "calendar")
    calendar = call.account.calendar
    calendar.check_calendar(calendar_id)
    event = calendar.find(event_id)
    if request.headers.get("if-none-match") == event.etag:
        return Response(status_code=304)
    time_zone = request.query_params.get("timeZone")
    return json_response(
        calendar.render(
            event, display=zone(time_zone) if time_zone else None, max_attendees=query_int(request, "maxAttendees")
        )
    )


async def patch_event(request: Request, calendar_id: str, event_id: str) -> JSONResponse:
    """``events.patch``: nested objects merge, arrays replace; ``If-Match`` is honoured."""
    return await _replace(request, calendar_id, event_id, merge=True)


async def update_event(request: Request, calendar_id: str, event_id: str) -> JSONResponse:
    """``events.update``: the body replaces the event; ``If-Match`` is honoured."""
    return await _replace(request, calendar_id, event_id, merge=False)


async def _replace(request: Request, calendar_id: str, event_id: str, *, merge: bool) -> JSONResponse:
    call = authorize(request, "calendar", write=True)
    calendar = call.account.calendar
    calendar.check_calendar(calendar_id)
    body = await json_body(request, "calendar", "Event", "event")
    event = calendar.replace(event_id, body, merge=merge, if_match=request.headers.get("if-match"))
    return json_response(calendar.render(event, max_attendees=query_int(request, "maxAttendees")))


async def delete_event(request: Request, calendar_id: str, event_id: str) -> Response:
    """``events.delete`` (410 deleted when already deleted)."""
    call = authorize(request, "calendar", write=True)
    calendar = call.account.calendar
    calendar.check_calendar(calendar_id)
    calendar.delete(event_id, if_match=request.headers.get("if-match"))
    return empty_response()


async def list_instances(request: Request, calendar_id: str, event_id: str) -> JSONResponse:
    """``events.instances``."""
    call = authorize(request, "calendar")
    calendar = call.account.calendar
    calendar.check_calendar(calendar_id)
    return json_response(
        calendar.list_instances(event_id, _events_query(request), request.query_params.get("originalStart"))
    )
