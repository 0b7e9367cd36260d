"""Reading the default To Do list through ``$batch``: finding the list, and tasks by id (20 per batch).

Every read asks for the tasks' linked resources (``$expand=linkedResources``), where the engine's marker lives. The
round trips themselves (one batch, a whole-call failure as :class:`StoreError`, chains of pages) are those of the
contact store (:mod:`~app.connectors.microsoft.contacts_reads`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.connectors.microsoft import tasks_mapping
from app.connectors.microsoft.client import MAX_BATCH_REQUESTS, BatchRequest, BatchResponse
from app.connectors.microsoft.contacts_reads import chunks, graph_url, raise_for, send_batch
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


def missing(answer: BatchResponse) -> bool:
    """Whether an answer says the task does not exist (404, or an id Graph cannot read)."""
    return answer.status == 404 or (answer.status == 400 and answer.error_code == "ErrorInvalidIdMalformed")


def fetch_by_id(state: TaskListState, ids: Sequence[str]) -> dict[str, dict[str, Any] | None]:
    """Tasks of the default list by id (20 per batch); None for those that are not there."""
    find_default_list(state)
    found: dict[str, dict[str, Any] | None] = {}
    for chunk in chunks(list(dict.fromkeys(ids)), MAX_BATCH_REQUESTS):
        requests = [BatchRequest(f"g{n}", "GET", task_url(state, item_id)) for n, item_id in enumerate(chunk)]
        result = send_batch(state.client, requests)
        for n, item_id in enumerate(chunk):
            answer = result[f"g{n}"]
            if answer.ok:
                found[item_id] = answer.json
            elif missing(answer):
                found[item_id] = None
            else:
                raise_for(answer)
    return found
