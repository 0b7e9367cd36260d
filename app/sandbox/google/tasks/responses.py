"""Tasks API handlers: parse, authorize, call the account's :class:`TasksStore`, answer."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from app.sandbox.google.context import (
    authorize,
    empty_response,
    json_body,
    json_response,
    query_bool,
    query_int,
    query_time,
)
from app.sandbox.google.tasks.models import DEFAULT_TASKS_PAGE, TasksQuery


async def list_task_lists(request: Request) -> JSONResponse:
    """``tasklists.list``."""
    call = authorize(request, "tasks")
    return json_response(
        call.account.tasks.list_lists(query_int(request, "maxResults"), request.query_params.get("pageToken") or None)
    )


async def get_task_list(request: Request, tasklist: str) -> JSONResponse:
    """``tasklists.get``."""
    store = authorize(request, "tasks").account.tasks
    return json_response(store.list_json(store.task_list(tasklist)))


async def insert_task_list(request: Request) -> JSONResponse:
    """``tasklists.insert``."""
    store = authorize(request, "tasks", write=True).account.tasks
    body = await json_body(request, "tasks", "TaskList", "task_list")
    return json_response(store.list_json(store.create_list(str(body.get("title") or ""))))


async def patch_task_list(request: Request, tasklist: str) -> JSONResponse:
    """``tasklists.patch``."""
    store = authorize(request, "tasks", write=True).account.tasks
    body = await json_body(request, "tasks", "TaskList", "task_list")
    return json_response(store.list_json(store.update_list(tasklist, body, merge=True)))


async def update_task_list(request: Request, tasklist: str) -> JSONResponse:
    """``tasklists.update``."""
    store = authorize(request, "tasks", write=True).account.tasks
    body = await json_body(request, "tasks", "TaskList", "task_list")
    return json_response(store.list_json(store.update_list(tasklist, body, merge=False)))


async def delete_task_list(request: Request, tasklist: str) -> Response:
    """``tasklists.delete``."""
    authorize(request, "tasks", write=True).account.tasks.delete_list(tasklist)
    return empty_response()


async def list_tasks(request: Request, tasklist: str) -> JSONResponse:
    """``tasks.list`` with updatedMin, completed/due bounds and the show* flags."""
    store = authorize(request, "tasks").account.tasks
    show_completed = query_bool(request, "showCompleted")
    query = TasksQuery(
        max_results=query_int(request, "maxResults") or DEFAULT_TASKS_PAGE,
        page_token=request.query_params.get("pageToken") or None,
        updated_min=query_time(request, "updatedMin"),
        completed_min=query_time(request, "completedMin"),
        completed_max=query_time(request, "completedMax"),
        due_min=query_time(request, "dueMin"),
        due_max=query_time(request, "dueMax"),
        show_completed=True if show_completed is None else show_completed,
        show_deleted=bool(query_bool(request, "showDeleted")),
        show_hidden=bool(query_bool(request, "showHidden")),
    )
    return json_response(store.list_tasks(tasklist, query))


async def get_task(request: Request, tasklist: str, task: str) -> JSONResponse:
    """``tasks.get``."""
    store = authorize(request, "tasks").account.tasks
    return json_response(store.task_json(store.task(tasklist, task)))


async def insert_task(request: Request, tasklist: str) -> JSONResponse:
    """``tasks.insert`` (``parent`` and ``previous`` place it)."""
    store = authorize(request, "tasks", write=True).account.tasks
    body = await json_body(request, "tasks", "Task", "task")
    created = store.insert(
        tasklist,
        body,
        parent=request.query_params.get("parent") or None,
        previous=request.query_params.get("previous") or None,
    )
    return json_response(store.task_json(created))


async def patch_task(request: Request, tasklist: str, task: str) -> JSONResponse:
    """``tasks.patch``."""
    store = authorize(request, "tasks", write=True).account.tasks
    body = await json_body(request, "tasks", "Task", "task")
    return json_response(store.task_json(store.update(tasklist, task, body, merge=True)))


async def update_task(request: Request, tasklist: str, task: str) -> JSONResponse:
    """``tasks.update``."""
    store = authorize(request, "tasks", write=True).account.tasks
    body = await json_body(request, "tasks", "Task", "task")
    return json_response(store.task_json(store.update(tasklist, task, body, merge=False)))


async def delete_task(request: Request, tasklist: str, task: str) -> Response:
    """``tasks.delete`` (the task stays listable with showDeleted)."""
    authorize(request, "tasks", write=True).account.tasks.delete(tasklist, task)
    return empty_response()


async def move_task(request: Request, tasklist: str, task: str) -> JSONResponse:
    """``tasks.move``."""
    store = authorize(request, "tasks", write=True).account.tasks
    moved = store.move(
        tasklist,
        task,
        parent=request.query_params.get("parent") or None,
        previous=request.query_params.get("previous") or None,
        destination=request.query_params.get("destinationTasklist") or None,
    )
    return json_response(store.task_json(moved))


async def clear_tasks(request: Request, tasklist: str) -> Response:
    """``tasks.clear``: completed tasks become hidden."""
    authorize(request, "tasks", write=True).account.tasks.clear(tasklist)
    return empty_response()
