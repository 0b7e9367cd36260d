"""Routes of ``www.googleapis.com/calendar/v3`` and of the Calendar batch endpoint (``/batch/calendar/v3``)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from app.sandbox.google.batch import handle_batch
from app.sandbox.google.calendar import responses
from app.sandbox.google.context import google_router

HOST = "www.googleapis.com"
#: "You're limited to 1000 calls in a single batch request" (Calendar batch guide).
MAX_BATCH_CALLS = 1000
_V3 = "/calendar/v3"
_EVENT = _V3 + "/calendars/{calendar_id}/events/{event_id}"

router = google_router("calendar")
router.add_api_route(_V3 + "/users/me/calendarList", responses.list_calendar_list, methods=["GET"])
router.add_api_route(_V3 + "/users/me/calendarList/{calendar_id}", responses.get_calendar_list_entry, methods=["GET"])
router.add_api_route(_V3 + "/calendars/{calendar_id}", responses.get_calendar, methods=["GET"])
router.add_api_route(_V3 + "/calendars/{calendar_id}/events", responses.list_events, methods=["GET"])
router.add_api_route(_V3 + "/calendars/{calendar_id}/events", responses.insert_event, methods=["POST"])
router.add_api_route(_EVENT + "/instances", responses.list_instances, methods=["GET"])
router.add_api_route(_EVENT, responses.get_event, methods=["GET"])
router.add_api_route(_EVENT, responses.patch_event, methods=["PATCH"])
router.add_api_route(_EVENT, responses.update_event, methods=["PUT"])
router.add_api_route(_EVENT, responses.delete_event, methods=["DELETE"])


@router.post("/batch/calendar/v3")
async def batch(request: Request) -> Response:
    """The Calendar API's batch endpoint (the discovery document's ``batchPath``)."""
    return await handle_batch(request, "calendar", host=HOST, max_calls=MAX_BATCH_CALLS)


@router.post("/batch")
async def legacy_batch(request: Request) -> Response:
    """The global batch endpoint google-api-python-client falls back to (``https://www.googleapis.com/batch``)."""
    return await handle_batch(request, "calendar", host=HOST, max_calls=MAX_BATCH_CALLS)
