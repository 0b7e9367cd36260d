"""The Outlook side of task sync: the user's default Microsoft To Do list ("Tasks"), as an :class:`ItemStore`.

Scope. Every task of the default list (``wellknownListName`` ``defaultList``), completed ones included: in automatic
selection all but those categorised "Don't sync with Salesforce", in manual selection only those categorised "Sync
with Salesforce" (tasks this store creates in manual selection get that category). A task that loses its selection
leaves scope, and so does one moved to another list: neither is deleted. The engine's marker is a linked resource
of the application ``crmbridge``.

Every call is a ``$batch`` round trip. This class ties together the modules that do the work:

- :mod:`~app.connectors.microsoft.tasks_mapping`: todoTask JSON <-> the task projection;
- :mod:`~app.connectors.microsoft.tasks_state`: what the store knows of the list, and which tasks are items;
- :mod:`~app.connectors.microsoft.tasks_cursor`: what a pass hands to the next (JSON);
- :mod:`~app.connectors.microsoft.tasks_reads`: the default list, tasks by id, and tasks moved to other lists;
- :mod:`~app.connectors.microsoft.tasks_listing`: complete and incremental listings (``list_changes``);
- :mod:`~app.connectors.microsoft.tasks_lookups`: tasks by id and by marker (``get_many``, ``find_by_markers``);
- :mod:`~app.connectors.microsoft.tasks_writes`: creates, updates and deletes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.connectors.microsoft import tasks_listing, tasks_lookups, tasks_writes
from app.connectors.microsoft.client import GraphClient
from app.connectors.microsoft.tasks_state import TaskListState
from app.connectors.selection import SelectionMethod
from app.sync.stores import Create, Delete, Listing, Lookup, Marked, Update, WriteResult

__all__ = ["GraphTaskStore"]


class GraphTaskStore:
    """One mailbox's default To Do list under the sync engine's store protocol."""

    def __init__(self, graph: GraphClient, *, selection: SelectionMethod) -> None:
        self._state = TaskListState(graph, selection)

    # -- ItemStore: reading ---------------------------------------------------------------------------------------

    def list_changes(self, cursor: str | None) -> Listing:
        """See :meth:`app.sync.stores.ItemStore.list_changes`."""
        return tasks_listing.list_changes(self._state, cursor)

    def get_many(self, ids: Sequence[str]) -> Mapping[str, Lookup]:
        """See :meth:`app.sync.stores.ItemStore.get_many`."""
        return tasks_lookups.get_many(self._state, ids)

    def find_by_markers(self, markers: Sequence[str]) -> Mapping[str, Marked]:
        """See :meth:`app.sync.stores.ItemStore.find_by_markers`."""
        return tasks_lookups.find_by_markers(self._state, markers)

    # -- ItemStore: writing ---------------------------------------------------------------------------------------

    def create_many(self, creates: Sequence[Create]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.create_many`."""
        return tasks_writes.create_many(self._state, creates)

    def update_many(self, updates: Sequence[Update]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.update_many`."""
        return tasks_writes.update_many(self._state, updates)

    def delete_many(self, deletes: Sequence[Delete]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.delete_many`."""
        return tasks_writes.delete_many(self._state, deletes)
