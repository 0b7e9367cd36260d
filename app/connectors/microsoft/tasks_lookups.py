"""Reading particular To Do tasks: by id (``get_many``) and by the engine's marker (``find_by_markers``).

``get_many`` answers from what this pass's listing read and reads the rest by id, 20 per batch; a task the listing
saw leave the list for another reason than deletion, and not there, is looked for in the user's other lists: found
there, it has left scope (moved, not deleted). ``find_by_markers``
asks the default list for the tasks whose linked resources carry the markers (one filtered query per 20 markers, all
in one batch); when Graph refuses that filter, it reads the whole list with its linked resources instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.connectors.microsoft import tasks_mapping
from app.connectors.microsoft.client import MAX_BATCH_REQUESTS, PagedRead
from app.connectors.microsoft.contacts_reads import (
    chunks,
    follow_chains,
    graph_url,
    odata_string,
    send_batch,
    take_page,
)
from app.connectors.microsoft.tasks_reads import fetch_tasks, find_default_list, found_elsewhere
from app.connectors.microsoft.tasks_state import TaskListState, item_of
from app.sync.stores import Lookup, Marked, OutOfScope

#: Markers per ``find_by_markers`` filter.
MARKERS_PER_QUERY = 20
#: Page size of task lists read whole.
LIST_PAGE_SIZE = 200


def get_many(state: TaskListState, ids: Sequence[str]) -> Mapping[str, Lookup]:
    """See :meth:`app.sync.stores.ItemStore.get_many`."""
    wanted = [item_id for item_id in dict.fromkeys(ids) if item_id not in state.seen]
    if wanted:
        docs = fetch_tasks(state, wanted)
        moved = found_elsewhere(state, [i for i, doc in docs.items() if doc is None and i in state.departed])
        for item_id, doc in docs.items():
            if doc is None:
                state.docs.pop(item_id, None)
            else:
                state.remember(doc)
            state.seen[item_id] = OutOfScope(item_id) if item_id in moved else state.judge(item_id, doc)
    return {item_id: state.seen[item_id] for item_id in ids}


def find_by_markers(state: TaskListState, markers: Sequence[str]) -> Mapping[str, Marked]:
    """See :meth:`app.sync.stores.ItemStore.find_by_markers`."""
    wanted = list(dict.fromkeys(markers))
    if not wanted:
        return {}
    find_default_list(state)
    queries = [_marker_query(state, f"m{n}", chunk) for n, chunk in enumerate(chunks(wanted, MARKERS_PER_QUERY))]
    docs = _read_queries(state, queries)
    if docs is None:
        whole = PagedRead("all", graph_url(state.tasks_path(), top=LIST_PAGE_SIZE, expand=tasks_mapping.EXPAND_LINKED))
        follow_chains(state.client, [whole])
        docs = whole.items
    found: dict[str, Marked] = {}
    for doc in docs:
        marker = tasks_mapping.marker_of(doc)
        if marker is None or marker not in wanted:
            continue
        state.remember(doc)
        found[marker] = Marked(item_of(doc), tasks_mapping.is_selected(doc, state.selection))
    return found


def _marker_query(state: TaskListState, name: str, markers: Sequence[str]) -> PagedRead:
    terms = " or ".join(f"r/externalId eq {odata_string(marker)}" for marker in markers)
    condition = f"{tasks_mapping.EXPAND_LINKED}/any(r: {terms})"
    url = graph_url(state.tasks_path(), filter=condition, top=LIST_PAGE_SIZE, expand=tasks_mapping.EXPAND_LINKED)
    return PagedRead(name, url)


def _read_queries(state: TaskListState, queries: list[PagedRead]) -> list[dict[str, Any]] | None:
    """The filtered queries read to their end (first pages side by side); None when Graph refuses the filter."""
    for group in chunks(queries, MAX_BATCH_REQUESTS):
        result = send_batch(state.client, [query.request() for query in group])
        for query in group:
            answer = result[query.name]
            if answer.status == 400:
                return None
            take_page(query, answer)
    follow_chains(state.client, queries)
    return [doc for query in queries for doc in query.items]
