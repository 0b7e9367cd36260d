"""What the To Do task store knows of one mailbox between calls, and which tasks are items.

The state: the client, the selection method, the default list's id once known, what this pass read (the answer
``get_many`` gives without asking again) and the tasks as last read (their status and importance, for updates). The
scope rule: a task of the default list is an item when its categories select it (see
:func:`~app.connectors.microsoft.tasks_mapping.is_selected`); a task that is not there is gone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.connectors.microsoft import tasks_mapping
from app.connectors.microsoft.client import GraphClient
from app.connectors.selection import SelectionMethod
from app.sync.items import Item
from app.sync.stores import Gone, Lookup, OutOfScope, StoreError


@dataclass(eq=False)
class TaskListState:
    """One mailbox's default To Do list as the task store sees it."""

    client: GraphClient
    selection: SelectionMethod
    list_id: str | None = None
    #: What this pass read: the answer ``get_many`` gives without asking again.
    seen: dict[str, Lookup] = field(default_factory=dict)
    #: Tasks as last read, with their linked resources (for updates, and for the marker of a written task).
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Tasks this pass's listing saw leave the list for another reason than deletion (moved to another list):
    #: not found in the default list, they are looked for in the others before being called gone.
    departed: set[str] = field(default_factory=set)

    @property
    def manual(self) -> bool:
        """Whether the selection is manual."""
        return self.selection is SelectionMethod.MANUAL

    @property
    def scope(self) -> str:
        """The scope as the cursor records it: a change of it calls for a complete listing."""
        return self.selection.value

    def require_list(self) -> str:
        """The default list's id; a :class:`StoreError` while it is unknown."""
        if self.list_id is None:
            raise StoreError("microsoft: the default To Do list is unknown")
        return self.list_id

    def tasks_path(self) -> str:
        """The Graph path of the default list's tasks."""
        return f"/me/todo/lists/{self.require_list()}/tasks"

    def judge(self, item_id: str, doc: Mapping[str, Any] | None) -> Lookup:
        """A task read by id in the default list: gone, out of scope (not selected), or the item."""
        if doc is None:
            return Gone(item_id)
        return self.in_list(doc)

    def in_list(self, doc: Mapping[str, Any]) -> Item | OutOfScope:
        """A task of the default list: the item when its categories select it."""
        if not tasks_mapping.is_selected(doc, self.selection):
            return OutOfScope(tasks_mapping.task_id(doc))
        return item_of(doc)

    def remember(self, doc: dict[str, Any]) -> None:
        """Keep a task as read or written; an answer without linked resources keeps those last read."""
        item_id = tasks_mapping.task_id(doc)
        previous = self.docs.get(item_id)
        if not tasks_mapping.has_linked_resources(doc) and previous is not None:
            doc = {**doc, tasks_mapping.EXPAND_LINKED: previous.get(tasks_mapping.EXPAND_LINKED) or []}
        self.docs[item_id] = doc

    def note(self, doc: dict[str, Any]) -> Item | OutOfScope:
        """Remember a task of the list read this pass and return what it is; ``get_many`` answers from it only
        when the answer carried the linked resources (else the marker is unknown and the task is read again)."""
        self.remember(doc)
        lookup = self.in_list(self.docs[tasks_mapping.task_id(doc)])
        if tasks_mapping.has_linked_resources(doc):
            self.seen[lookup.id] = lookup
        return lookup


def item_of(doc: Mapping[str, Any]) -> Item:
    """A task as the sync engine's item."""
    return Item(
        tasks_mapping.task_id(doc),
        tasks_mapping.etag(doc),
        tasks_mapping.to_fields(doc),
        tasks_mapping.marker_of(doc),
        tasks_mapping.modified_at(doc),
    )
