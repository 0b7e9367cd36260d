"""Handlers for Microsoft To Do: task lists and tasks, with their delta functions."""

from __future__ import annotations

from typing import Any

from app.sandbox.microsoft import render
from app.sandbox.microsoft.exceptions import GraphError, bad_request, item_not_found
from app.sandbox.microsoft.models import Folder, Item
from app.sandbox.microsoft.responses import (
    check_if_match,
    entity,
    folders_delta,
    items_delta,
    no_content,
    page,
    resolve_folder,
    resolve_item,
    writable,
)
from app.sandbox.microsoft.schema import TASK, TASK_LIST
from app.sandbox.microsoft.timezones import UTC_ZONE, format_local, to_utc
from app.sandbox.microsoft.wire import GraphReply, GraphRequest

_STATUSES = ("notStarted", "inProgress", "completed", "waitingOnOthers", "deferred")
_IMPORTANCES = ("low", "normal", "high")
_DATE_TIMES = ("dueDateTime", "startDateTime", "reminderDateTime", "completedDateTime")


def _list(req: GraphRequest) -> Folder:
    return resolve_folder(req, req.params["list"], "todoList")


def _task(req: GraphRequest) -> Item:
    folder = _list(req)
    item = resolve_item(req, req.params["id"], "task")
    if item.folder != folder.key:
        raise item_not_found()
    return item


def _clean(props: dict[str, Any], item: Item | None, req: GraphRequest) -> dict[str, Any]:
    """Validate task properties; completing a task stamps ``completedDateTime`` as To Do does."""
    if "status" in props and props["status"] not in _STATUSES:
        raise GraphError(400, "invalidRequest", f"Invalid value '{props['status']}' for status.")
    if "importance" in props and props["importance"] not in _IMPORTANCES:
        raise GraphError(400, "invalidRequest", f"Invalid value '{props['importance']}' for importance.")
    for name in _DATE_TIMES:
        if props.get(name) is not None:
            moment, zone = to_utc(props[name], field=name)
            props[name] = format_local(moment, zone)
    previous = item.props.get("status") if item is not None else None
    if props.get("status") == "completed" and previous != "completed" and "completedDateTime" not in props:
        props["completedDateTime"] = format_local(req.now, UTC_ZONE)
    if "status" in props and props["status"] != "completed":
        props["completedDateTime"] = None
    if "body" in props:
        props["_bodyModified"] = req.now
    return props


async def list_lists(req: GraphRequest) -> GraphReply:
    """GET /me/todo/lists."""
    mailbox = req.mailbox
    view = req.view(select=False)
    rows: list[tuple[dict[str, Any], Any]] = [
        (render.task_list(mailbox, f, view), f) for f in mailbox.folders_of("todoList")
    ]
    return page(req, TASK_LIST, rows, "todo/lists")


async def create_list(req: GraphRequest) -> GraphReply:
    """POST /me/todo/lists."""
    props, _ = writable(TASK_LIST, req.json_body())
    name = props.get("displayName")
    if not isinstance(name, str) or not name.strip():
        raise bad_request("The displayName of a task list is required.", "invalidRequest")
    folder = req.mailbox.add_folder("todoList", {"displayName": name})
    return entity(req, render.task_list(req.mailbox, folder, req.view()), "todo/lists/$entity", 201)


async def get_list(req: GraphRequest) -> GraphReply:
    """GET /me/todo/lists/{id}."""
    return entity(req, render.task_list(req.mailbox, _list(req), req.view()), "todo/lists/$entity")


async def update_list(req: GraphRequest) -> GraphReply:
    """PATCH /me/todo/lists/{id}: rename (the built-in lists cannot be renamed)."""
    folder = _list(req)
    props, _ = writable(TASK_LIST, req.json_body())
    if folder.well_known and "displayName" in props:
        raise bad_request("The name of a built-in task list cannot be changed.", "invalidRequest")
    req.mailbox.update_folder(folder, props)
    return entity(req, render.task_list(req.mailbox, folder, req.view()), "todo/lists/$entity")


async def delete_list(req: GraphRequest) -> GraphReply:
    """DELETE /me/todo/lists/{id} (the built-in lists cannot be deleted)."""
    folder = _list(req)
    if folder.well_known:
        raise bad_request("A built-in task list cannot be deleted.", "invalidRequest")
    req.mailbox.delete_folder(folder)
    return no_content()


async def lists_delta(req: GraphRequest) -> GraphReply:
    """GET /me/todo/lists/delta."""
    return folders_delta(req, "todoLists", "todoList", render.task_list)


async def list_tasks(req: GraphRequest) -> GraphReply:
    """GET /me/todo/lists/{id}/tasks."""
    folder = _list(req)
    mailbox = req.mailbox
    view = req.view(select=False)
    rows: list[tuple[dict[str, Any], Any]] = [
        (render.task(mailbox, i, view), i) for i in mailbox.items_in(folder.key, "task")
    ]
    return page(req, TASK, rows, f"todo/lists('{req.params['list']}')/tasks")


async def create_task(req: GraphRequest) -> GraphReply:
    """POST /me/todo/lists/{id}/tasks."""
    folder = _list(req)
    props, _ = writable(TASK, req.json_body())
    item = req.mailbox.add_item("task", folder, _clean(props, None, req), req.now)
    fragment = f"todo/lists('{req.params['list']}')/tasks/$entity"
    return entity(req, render.task(req.mailbox, item, req.view()), fragment, 201)


async def get_task(req: GraphRequest) -> GraphReply:
    """GET /me/todo/lists/{id}/tasks/{id}."""
    fragment = f"todo/lists('{req.params['list']}')/tasks/$entity"
    return entity(req, render.task(req.mailbox, _task(req), req.view()), fragment)


async def update_task(req: GraphRequest) -> GraphReply:
    """PATCH /me/todo/lists/{id}/tasks/{id}, honouring ``If-Match``."""
    item = _task(req)
    check_if_match(req, item.version)
    props, _ = writable(TASK, req.json_body())
    item.props.update(_clean(props, item, req))
    req.mailbox.touch(item, req.now)
    fragment = f"todo/lists('{req.params['list']}')/tasks/$entity"
    return entity(req, render.task(req.mailbox, item, req.view()), fragment)


async def delete_task(req: GraphRequest) -> GraphReply:
    """DELETE /me/todo/lists/{id}/tasks/{id}."""
    item = _task(req)
    check_if_match(req, item.version)
    req.mailbox.delete_item(item)
    return no_content()


async def tasks_delta(req: GraphRequest) -> GraphReply:
    """GET /me/todo/lists/{id}/tasks/delta."""
    return items_delta(req, "tasks", _list(req), "task", render.task)
