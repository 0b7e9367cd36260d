"""Routes of ``people.googleapis.com`` (the People API v1 and its batch endpoint)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from app.sandbox.google.batch import handle_batch
from app.sandbox.google.context import google_router
from app.sandbox.google.people import responses

HOST = "people.googleapis.com"
#: "You're limited to 1000 calls in a single batch request" (Google's HTTP batch guides).
MAX_BATCH_CALLS = 1000

router = google_router("people")
router.add_api_route("/v1/people/me/connections", responses.list_connections, methods=["GET"])
router.add_api_route("/v1/people:batchGet", responses.batch_get, methods=["GET"])
router.add_api_route("/v1/people:createContact", responses.create_contact, methods=["POST"])
router.add_api_route("/v1/people:batchCreateContacts", responses.batch_create_contacts, methods=["POST"])
router.add_api_route("/v1/people:batchUpdateContacts", responses.batch_update_contacts, methods=["POST"])
router.add_api_route("/v1/people:batchDeleteContacts", responses.batch_delete_contacts, methods=["POST"])
router.add_api_route("/v1/people/{person_id}:updateContact", responses.update_contact, methods=["PATCH"])
router.add_api_route("/v1/people/{person_id}:deleteContact", responses.delete_contact, methods=["DELETE"])
router.add_api_route("/v1/people/{person_id}", responses.get_person, methods=["GET"])
router.add_api_route("/v1/contactGroups", responses.list_groups, methods=["GET"])
router.add_api_route("/v1/contactGroups", responses.create_group, methods=["POST"])
router.add_api_route("/v1/contactGroups:batchGet", responses.batch_get_groups, methods=["GET"])
router.add_api_route("/v1/contactGroups/{group_id}/members:modify", responses.modify_members, methods=["POST"])
router.add_api_route("/v1/contactGroups/{group_id}", responses.get_group, methods=["GET"])
router.add_api_route("/v1/contactGroups/{group_id}", responses.update_group, methods=["PUT"])
router.add_api_route("/v1/contactGroups/{group_id}", responses.delete_group, methods=["DELETE"])


@router.post("/batch")
async def batch(request: Request) -> Response:
    """The People API's HTTP batch endpoint."""
    return await handle_batch(request, "people", host=HOST, max_calls=MAX_BATCH_CALLS)
