"""The Outlook side of event sync: the default calendar of one mailbox, within a window, as an :class:`ItemStore`.

Scope. Events overlapping the window (:class:`~app.connectors.event_fields.EventWindow`); single events, and with
``include_series`` the occurrences and exceptions of series (each its own item; the calendar view never lists series
masters); private events (``sensitivity`` private or confidential) only with ``include_private``; automatic selection
leaves out events categorised "Don't sync with Salesforce", manual selection keeps only those categorised "Sync with
Salesforce" (and the store's creates get that category).

Every call is a ``$batch`` round trip. This class ties together the modules that do the work:

- :mod:`~app.connectors.microsoft.events_mapping`: Graph JSON <-> the event projection (pure);
- :mod:`~app.connectors.microsoft.events_state`: what the store knows of the mailbox, and which events are items;
- :mod:`~app.connectors.microsoft.events_cursor`: what a pass hands to the next (JSON);
- :mod:`~app.connectors.microsoft.events_listing`: complete and incremental listings from calendar view delta;
- :mod:`~app.connectors.microsoft.events_reads`: events read in full by id, 20 per batch;
- :mod:`~app.connectors.microsoft.events_lookups`: ``get_many`` and ``find_by_markers``;
- :mod:`~app.connectors.microsoft.events_writes`: creates, updates and deletes.

Calls: a listing with no change is one call; a complete listing is one call per delta page (200 instances);
``get_many`` of N events is ⌈N/20⌉ calls; writing N events is ⌈N/20⌉ calls (plus one per further instance of a
series written in the same call, and ⌈M/20⌉ to read first the M updated or deleted events not read before).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.connectors.event_fields import EventWindow
from app.connectors.microsoft import events_lookups, events_writes
from app.connectors.microsoft.client import GraphClient
from app.connectors.microsoft.delta_restart import listed_with_one_restart
from app.connectors.microsoft.events_cursor import EventCursor
from app.connectors.microsoft.events_listing import complete, incremental
from app.connectors.microsoft.events_state import CalendarState
from app.connectors.selection import SelectionMethod
from app.sync.stores import Create, Delete, Listing, Lookup, Marked, Update, WriteResult

__all__ = ["GraphEventStore"]


class GraphEventStore:
    """One mailbox's default calendar, within ``window``, under the sync engine's store protocol."""

    def __init__(
        self,
        graph: GraphClient,
        *,
        window: EventWindow,
        selection: SelectionMethod,
        include_private: bool,
        include_series: bool,
    ) -> None:
        self._state = CalendarState(graph, window, selection, include_private, include_series)

    # -- ItemStore: reading ---------------------------------------------------------------------------------------

    def list_changes(self, cursor: str | None) -> Listing:
        """See :meth:`app.sync.stores.ItemStore.list_changes`."""
        state = self._state
        state.seen = {}
        saved = EventCursor.load(cursor)
        if saved is not None and state.owner is None and saved.owner:
            state.owner = saved.owner

        def listing() -> Listing:
            if (
                saved is not None
                and saved.delta_link
                and (saved.window, saved.scope) == (state.window.key, state.scope)
            ):
                found = incremental(state, saved.delta_link)
                if found is not None:
                    return found
            return complete(state)

        return listed_with_one_restart(state, listing, lambda: complete(state), round_name="calendar delta round")

    def get_many(self, ids: Sequence[str]) -> Mapping[str, Lookup]:
        """See :meth:`app.sync.stores.ItemStore.get_many`."""
        return events_lookups.get_many(self._state, ids)

    def find_by_markers(self, markers: Sequence[str]) -> Mapping[str, Marked]:
        """See :meth:`app.sync.stores.ItemStore.find_by_markers`."""
        return events_lookups.find_by_markers(self._state, markers)

    # -- ItemStore: writing ---------------------------------------------------------------------------------------

    def create_many(self, creates: Sequence[Create]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.create_many`."""
        return events_writes.create_many(self._state, creates)

    def update_many(self, updates: Sequence[Update]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.update_many`."""
        return events_writes.update_many(self._state, updates)

    def delete_many(self, deletes: Sequence[Delete]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.delete_many`."""
        return events_writes.delete_many(self._state, deletes)
