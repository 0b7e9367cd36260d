"""Routes of ``tasks.googleapis.com`` (the shipped tasks v1 discovery document's rootUrl) and its batch path."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from app.sandbox.google.batch import handle_batch
from app.sandbox.google.context import google_router
from app.sandbox.google.tasks import responses

HOST = "tasks.googleapis.com"
MAX_BATCH_CALLS = 1000
_LISTS = "/tasks/v1/users/@me/lists"
_TASKS = "/tasks/v1/lists/{tasklist}"

router = google_router("tasks")
router.add_api_route(_LISTS, responses.list_task_lists, methods=["GET"])
router.add_api_route(_LISTS, responses.insert_task_list, methods=["POST"])
router.add_api_route(_LISTS + "/{tasklist}", responses.get_task_list, methods=["GET"])
router.add_api_route(_LISTS + "/{tasklist}", responses.patch_task_list, methods=["PATCH"])
router.add_api_route(_LISTS + "/{tasklist}", responses.update_task_list, methods=["PUT"])
router.add_api_route(_LISTS + "/{tasklist}", responses.delete_task_list, methods=["DELETE"])
router.add_api_route(_TASKS + "/clear", responses.clear_tasks, methods=["POST"])
router.add_api_route(_TASKS + "/tasks", responses.list_tasks, methods=["GET"])
router.add_api_route(_TASKS + "/tasks", responses.insert_task, methods=["POST"])
router.add_api_route(_TASKS + "/tasks/{task}/move", responses.move_task, methods=["POST"])
router.add_api_route(_TASKS + "/tasks/{task}", responses.get_task, methods=["GET"])
router.add_api_route(_TASKS + "/tasks/{task}", responses.patch_task, methods=["PATCH"])
router.add_api_route(_TASKS + "/tasks/{task}", responses.update_task, methods=["PUT"])
router.add_api_route(_TASKS + "/tasks/{task}", responses.delete_task, methods=["DELETE"])


@router.post("/batch")
async def batch(request: Request) -> Response:
    """The Tasks API's HTTP batch endpoint."""
    return await handle_batch(request, "tasks", host=HOST, max_calls=MAX_BATCH_CALLS)
