"""Reading the default To Do list through ``$batch``: finding the list, tasks by id (20 per batch), and whether
tasks that left it are in another list.

Every read asks for the tasks' linked resources (``$expand=linkedResources``), where the engine's marker lives. The
round trips themselves (one batch, a whole-call failure as :class:`StoreError`, chains of pages) are those of the
contact store (:mod:`~app.connectors.microsoft.contacts_reads`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.connectors.microsoft import tasks_mapping
from app.connectors.microsoft.client import MAX_BATCH_REQUESTS, BatchRequest, BatchResponse, PagedRead
from app.connectors.microsoft.contacts_reads import (
    chunks,
    fetch_by_id,
    follow_chains,
    graph_url,
    missing,
    raise_for,
    send_batch,
)
from app.connectors.microsoft.tasks_state import TaskListState
from app.sync.stores import StoreError

#: The ``wellknownListName`` of the list that syncs ("Tasks").
DEFAULT_LIST = "defaultList"


def default_list_request() -> BatchRequest:
    """The request that finds the default list."""
    url = graph_url("/me/todo/lists", filter=f"wellknownListName eq '{DEFAULT_LIST}'", select="id,wellknownListName")
    return BatchRequest("lists", "GET", url)


def take_default_list(state: TaskListState, answer: BatchResponse) -> str:
    """Keep the default list's id from the answer to :func:`default_list_request`."""
    raise_for(answer)
    for entry in answer.json.get("value") or []:
        if isinstance(entry, dict) and entry.get("wellknownListName") == DEFAULT_LIST and entry.get("id"):
            state.list_id = str(entry["id"])
            return state.list_id
    raise StoreError("microsoft: the mailbox has no default To Do list")


def find_default_list(state: TaskListState) -> str:
    """The default list's id, asked for once per store (one round trip)."""
    if state.list_id is not None:
        return state.list_id
    return take_default_list(state, send_batch(state.client, [default_list_request()])["lists"])


def task_url(state: TaskListState, item_id: str) -> str:
    """One task of the default list, with its linked resources."""
    return graph_url(f"{state.tasks_path()}/{item_id}", expand=tasks_mapping.EXPAND_LINKED)


def fetch_tasks(state: TaskListState, ids: Sequence[str]) -> dict[str, dict[str, Any] | None]:
    """Tasks of the default list by id (20 per batch); None for those that are not there."""
    find_default_list(state)
    return fetch_by_id(state.client, ids, lambda item_id: task_url(state, item_id))


def found_elsewhere(state: TaskListState, ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` are tasks of another list than the default one: the user's lists read (one round trip, more
    only for further pages), then each task asked of each other list, 20 requests per batch."""
    if not ids:
        return set()
    default = find_default_list(state)
    lists = PagedRead("lists", graph_url("/me/todo/lists", select="id"))
    follow_chains(state.client, [lists])
    others = [str(entry["id"]) for entry in lists.items if entry.get("id") and str(entry["id"]) != default]
    probes = [(item_id, list_id) for item_id in dict.fromkeys(ids) for list_id in others]
    found: set[str] = set()
    for chunk in chunks(probes, MAX_BATCH_REQUESTS):
        requests = [
            BatchRequest(f"p{n}", "GET", graph_url(f"/me/todo/lists/{list_id}/tasks/{item_id}", select="id"))
            for n, (item_id, list_id) in enumerate(chunk)
        ]
        result = send_batch(state.client, requests)
        for n, (item_id, _) in enumerate(chunk):
            answer = result[f"p{n}"]
            if answer.ok:
                found.add(item_id)
            elif not missing(answer):
                raise_for(answer)
    return found
