"""Routes of ``gmail.googleapis.com`` (Gmail API v1) and its batch paths."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from app.sandbox.google.batch import handle_batch
from app.sandbox.google.context import google_router
from app.sandbox.google.gmail import responses

HOST = "gmail.googleapis.com"
#: "A batch request is limited to 100 calls" (Gmail batch guide).
MAX_BATCH_CALLS = 100
_USER = "/gmail/v1/users/{user_id}"

router = google_router("gmail")
router.add_api_route(_USER + "/profile", responses.get_profile, methods=["GET"])
router.add_api_route(_USER + "/labels", responses.list_labels, methods=["GET"])
router.add_api_route(_USER + "/messages", responses.list_messages, methods=["GET"])
router.add_api_route(_USER + "/messages", responses.insert_message, methods=["POST"])
router.add_api_route(_USER + "/messages/import", responses.insert_message, methods=["POST"])
router.add_api_route(_USER + "/messages/{message_id}", responses.get_message, methods=["GET"])
router.add_api_route(
    _USER + "/messages/{message_id}/attachments/{attachment_id}", responses.get_attachment, methods=["GET"]
)


@router.post("/batch")
async def batch(request: Request) -> Response:
    """The Gmail API's HTTP batch endpoint."""
    return await handle_batch(request, "gmail", host=HOST, max_calls=MAX_BATCH_CALLS)


@router.post("/batch/gmail/v1")
async def api_batch(request: Request) -> Response:
    """The Gmail API's API-specific batch path."""
    return await handle_batch(request, "gmail", host=HOST, max_calls=MAX_BATCH_CALLS)
