"""The To Do task store's listings: complete (a fresh delta round) or incremental (from the delta link).

Both read ``GET /me/todo/lists/{id}/tasks/delta`` with ``$expand=linkedResources`` ("Delta query support $select,
$top, and $expand for todoTask"; the tokens carry the initial parameters), following next links to the delta link.
An incremental listing with no change is one round trip. A task that comes back no longer selected has left scope;
``@removed`` with the reason ``deleted`` is a deletion, any other reason (``changed``: removed from the collection,
e.g. moved to another list) is left to the engine to probe (``get_many`` looks for it in the other lists, so that
a move is never taken for a deletion). An expired delta link (410, ``syncStateNotFound``), or
a list that is gone, gives a complete listing.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType
from typing import Any

from app.connectors.microsoft import tasks_mapping
from app.connectors.microsoft.client import PagedRead
from app.connectors.microsoft.contacts_reads import (
    delta_expired,
    follow_chains,
    graph_url,
    send_batch,
    take_page,
)
from app.connectors.microsoft.delta_restart import listed_with_one_restart
from app.connectors.microsoft.tasks_cursor import TaskCursor
from app.connectors.microsoft.tasks_reads import find_default_list
from app.connectors.microsoft.tasks_state import TaskListState
from app.sync.items import Item
from app.sync.stores import Gone, Listing, Removal

#: Delta page size asked for ("Prefer: odata.maxpagesize"; the service may send fewer).
DELTA_PAGE_SIZE = 200

_MAX_PAGE = f"odata.maxpagesize={DELTA_PAGE_SIZE}"


def list_changes(state: TaskListState, cursor: str | None) -> Listing:
    """See :meth:`app.sync.stores.ItemStore.list_changes`."""
    state.seen = {}
    state.departed = set()
    saved = TaskCursor.load(cursor)
    if saved is not None:
        state.list_id = saved.list_id

    def listing() -> Listing:
        if saved is not None and saved.scope == state.scope and saved.delta_link is not None:
            found = incremental(state, saved.delta_link)
            if found is not None:
                return found
        return complete(state)

    return listed_with_one_restart(state, listing, lambda: complete(state), round_name="To Do delta round")


def complete(state: TaskListState, *, may_rediscover: bool = True) -> Listing:
    """Every selected task of the default list, from a fresh delta round (the list found first when unknown)."""
    known = state.list_id is not None
    list_id = find_default_list(state)
    delta = PagedRead("delta", _delta_url(list_id), prefer=(_MAX_PAGE,))
    answer = send_batch(state.client, [delta.request()])["delta"]
    if answer.status == 404 and known and may_rediscover:
        state.list_id = None
        return complete(state, may_rediscover=False)
    take_page(delta, answer)
    follow_chains(state.client, [delta])
    entries: dict[str, str] = {}
    for doc in _latest(delta.items).values():
        if "@removed" not in doc:
            lookup = state.note(doc)
            if isinstance(lookup, Item):
                entries[lookup.id] = lookup.etag
    cursor = TaskCursor(list_id, state.scope, delta.delta_link)
    return Listing(MappingProxyType(entries), complete=True, cursor=cursor.dump())


def incremental(state: TaskListState, delta_link: str) -> Listing | None:
    """What changed since the delta link; None when the link expired or the list is gone (list everything)."""
    list_id = state.require_list()
    delta = PagedRead("delta", delta_link, prefer=(_MAX_PAGE,))
    answer = send_batch(state.client, [delta.request()])["delta"]
    if delta_expired(answer):
        return None
    if answer.status == 404:
        state.list_id = None
        return None
    take_page(delta, answer)
    follow_chains(state.client, [delta])
    entries: dict[str, str] = {}
    reasons: dict[str, Removal] = {}
    for item_id, doc in _latest(delta.items).items():
        removed = doc.get("@removed")
        if removed is not None:
            deleted = isinstance(removed, dict) and removed.get("reason") == "deleted"
            reasons[item_id] = Removal.DELETED if deleted else Removal.UNKNOWN
            if deleted:
                state.seen[item_id] = Gone(item_id)
            else:
                state.departed.add(item_id)
            continue
        lookup = state.note(doc)
        if isinstance(lookup, Item):
            entries[item_id] = lookup.etag
        else:
            reasons[item_id] = Removal.LEFT_SCOPE
    cursor = TaskCursor(list_id, state.scope, delta.delta_link or delta_link)
    return Listing(MappingProxyType(entries), complete=False, cursor=cursor.dump(), removed=MappingProxyType(reasons))


def _delta_url(list_id: str) -> str:
    return graph_url(f"/me/todo/lists/{list_id}/tasks/delta", expand=tasks_mapping.EXPAND_LINKED)


def _latest(entries: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each task's last appearance in a round (a task can appear several times; replays are harmless)."""
    latest: dict[str, dict[str, Any]] = {}
    for entry in entries:
        item_id = tasks_mapping.task_id(entry)
        latest.pop(item_id, None)
        latest[item_id] = entry
    return latest
