"""Handlers for Microsoft To Do: task lists and tasks, with their delta functions.

Tasks carry linked resources ("linkedResource resource type": "an item in a partner application related to a
todoTask"), created with the task through ``linkedResources`` in the POST body as "Create todoTask" shows; they are
returned by the create, and by reads that ask for them with ``$expand=linkedResources`` (delta included: "Delta query
support $select, $top, and $expand for todoTask", and the round's tokens stand for the initial ``$expand``).
``$filter`` can test them (``linkedResources/any(r: r/externalId eq '...')``) [sandbox choice: not documented].
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

from app.sandbox.microsoft import render
from app.sandbox.microsoft.exceptions import GraphError, bad_request, item_not_found, unknown_body_property
from app.sandbox.microsoft.models import Folder, Item, Mailbox
from app.sandbox.microsoft.odata import Expand
from app.sandbox.microsoft.render import View
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
#: Where a task keeps its linked resources (not a Graph property: rendered only when asked for).
LINKED_RESOURCES = "_linkedResources"
_LINKED_MEMBERS = frozenset({"applicationName", "displayName", "externalId", "webUrl"})
_EXPAND_LINKED = "linkedResources"
#: Delta tokens handed out -> the ``$expand`` of the round's first request, which the tokens stand for.
_ROUND_EXPANSIONS: dict[str, tuple[Expand, ...]] = {}
_MAX_TRACKED_TOKENS = 50_000


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


def linked_resources(item: Item) -> list[dict[str, Any]]:
    """A task's linked resources as Graph writes them."""
    return [dict(entry) for entry in item.props.get(LINKED_RESOURCES) or []]


def _new_linked_resources(value: Any) -> list[dict[str, Any]]:
    """Linked resources given in a create body, checked and given their server-generated ids."""
    if not isinstance(value, list):
        raise GraphError(400, "RequestBodyRead", "The value of property 'linkedResources' must be a collection.")
    created: list[dict[str, Any]] = []
    for entry in value:
        if not isinstance(entry, dict):
            raise GraphError(400, "RequestBodyRead", "A linkedResource must be an object.")
        for name, member in entry.items():
            if name.startswith("@odata.") or name == "id":
                continue
            if name not in _LINKED_MEMBERS:
                raise unknown_body_property(name, "microsoft.graph.linkedResource")
            if member is not None and not isinstance(member, str):
                raise GraphError(400, "RequestBodyRead", f"The value of property '{name}' must be a string.")
        resource: dict[str, Any] = {"id": str(uuid.uuid4())}
        resource.update({name: entry.get(name) for name in sorted(_LINKED_MEMBERS) if name in entry})
        created.append(resource)
    return created


def render_task(mailbox: Mailbox, item: Item, view: View, *, with_linked: bool = False) -> dict[str, Any]:
    """A task, with its linked resources when the view expands them (or ``with_linked``)."""
    document = render.task(mailbox, item, view)
    if with_linked or any(option.name == _EXPAND_LINKED for option in view.expand):
        document[_EXPAND_LINKED] = linked_resources(item)
    return document


def _filterable(document: dict[str, Any], item: Any) -> dict[str, Any]:
    """What ``$filter`` sees of a task: its linked resources, expanded or not."""
    return {**document, _EXPAND_LINKED: linked_resources(item)}


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
        (render_task(mailbox, i, view), i) for i in mailbox.items_in(folder.key, "task")
    ]
    return page(req, TASK, rows, f"todo/lists('{req.params['list']}')/tasks", filter_view=_filterable)


async def create_task(req: GraphRequest) -> GraphReply:
    """POST /me/todo/lists/{id}/tasks; linked resources given in the body are created with the task and returned,
    as in the "Create todoTask" example."""
    folder = _list(req)
    props, navigation = writable(TASK, req.json_body())
    linked = _new_linked_resources(navigation[_EXPAND_LINKED]) if _EXPAND_LINKED in navigation else []
    cleaned = _clean(props, None, req)
    if linked:
        cleaned[LINKED_RESOURCES] = linked
    item = req.mailbox.add_item("task", folder, cleaned, req.now)
    fragment = f"todo/lists('{req.params['list']}')/tasks/$entity"
    return entity(req, render_task(req.mailbox, item, req.view(), with_linked=bool(linked)), fragment, 201)


async def get_task(req: GraphRequest) -> GraphReply:
    """GET /me/todo/lists/{id}/tasks/{id}."""
    fragment = f"todo/lists('{req.params['list']}')/tasks/$entity"
    return entity(req, render_task(req.mailbox, _task(req), req.view()), fragment)


async def update_task(req: GraphRequest) -> GraphReply:
    """PATCH /me/todo/lists/{id}/tasks/{id}, honouring ``If-Match``."""
    item = _task(req)
    check_if_match(req, item.version)
    props, _ = writable(TASK, req.json_body())
    item.props.update(_clean(props, item, req))
    req.mailbox.touch(item, req.now)
    fragment = f"todo/lists('{req.params['list']}')/tasks/$entity"
    return entity(req, render_task(req.mailbox, item, req.view()), fragment)


async def delete_task(req: GraphRequest) -> GraphReply:
    """DELETE /me/todo/lists/{id}/tasks/{id}."""
    item = _task(req)
    check_if_match(req, item.version)
    req.mailbox.delete_item(item)
    return no_content()


async def tasks_delta(req: GraphRequest) -> GraphReply:
    """GET /me/todo/lists/{id}/tasks/delta, honouring the round's ``$expand`` on every page and later round."""
    folder = _list(req)
    token = req.query.skiptoken or req.query.deltatoken
    expand = _ROUND_EXPANSIONS.get(token, ()) if token else tuple(req.query.expand)

    def renderer(mailbox: Mailbox, item: Item, view: View) -> dict[str, Any]:
        return render_task(mailbox, item, replace(view, expand=list(expand)))

    reply = items_delta(req, "tasks", folder, "task", renderer)
    body = reply.body if isinstance(reply.body, dict) else {}
    for link in (body.get("@odata.nextLink"), body.get("@odata.deltaLink")):
        if isinstance(link, str):
            _track(link, expand)
    return reply


def _track(link: str, expand: tuple[Expand, ...]) -> None:
    """Remember the ``$expand`` a delta link's token stands for (the oldest tokens are forgotten first)."""
    query = parse_qs(urlsplit(link).query)
    for name in ("$skiptoken", "$deltatoken"):
        for token in query.get(name, []):
            _ROUND_EXPANSIONS[token] = expand
    while len(_ROUND_EXPANSIONS) > _MAX_TRACKED_TOKENS:
        del _ROUND_EXPANSIONS[next(iter(_ROUND_EXPANSIONS))]
