"""A Gmail user's Google Calendar events as one side of the sync: the primary calendar within the event window.

Scope (:class:`~app.connectors.google.events_scope.EventScope`): live events overlapping the window; occurrences
of a series only with ``include_series``; private ones only with ``include_private``; under automatic selection
every such event but those marked "Don't sync", under manual selection only those marked "Sync" (a private
extended property, see :mod:`~app.connectors.google.events_mapping`).

API calls per operation:

- ``list_changes``: one ``events.list`` page (2500 events) per call; a quiet incremental listing is one call. A
  cursor made for another scope (the window moved, a setting changed) or an expired sync token gives a full one.
- ``get_many``: nothing for events this pass already read; ``events.get`` for the others, 50 per HTTP batch.
- ``find_by_markers``: ``events.get`` of the ids derived from the markers, 50 per HTTP batch.
- ``create_many`` / ``update_many`` / ``delete_many``: one inner call per event, 50 per HTTP batch (updates first
  read, in batches, the events this pass has not read).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from app.connectors.errors import CursorExpired, NotFound, VendorError
from app.connectors.event_fields import EventWindow
from app.connectors.google import events_mapping as mapping
from app.connectors.google.batching import chunks
from app.connectors.google.calendar_client import CalendarClient
from app.connectors.google.events_listing import EventsCursor, list_changes_since, list_window
from app.connectors.google.events_scope import EventScope
from app.connectors.google.events_writes import create_events, delete_events, update_events
from app.connectors.google.failures import store_error
from app.connectors.selection import SelectionMethod
from app.sync.items import Item
from app.sync.stores import (
    Create,
    Delete,
    Gone,
    Listing,
    Lookup,
    Marked,
    OutOfScope,
    Removal,
    Update,
    WriteResult,
)


class GoogleEventStore:
    """The events of one Gmail user's primary calendar (implements :class:`app.sync.stores.ItemStore`)."""

    def __init__(
        self,
        calendar: CalendarClient,
        *,
        window: EventWindow,
        selection: SelectionMethod,
        include_private: bool,
        include_series: bool,
    ) -> None:
        self._client = calendar
        self._scope = EventScope(window, selection, include_private, include_series)
        #: Events read during this pass (listing, fetches, our own writes), by id; None for one that is gone.
        self._read: dict[str, dict[str, Any] | None] = {}

    # -- reading -----------------------------------------------------------------------------------------------

    def list_changes(self, cursor: str | None) -> Listing:
        """See :meth:`app.sync.stores.ItemStore.list_changes`."""
        self._read.clear()
        previous = EventsCursor.decode(cursor)
        try:
            if previous is not None and previous.scope_key == self._scope.key:
                try:
                    return self._incremental(previous.sync_token)
                except CursorExpired:
                    pass
            return self._full()
        except VendorError as error:
            raise store_error(error) from error

    def _full(self) -> Listing:
        pages = list_window(self._client, self._scope)
        entries: dict[str, str] = {}
        for event in pages.events:
            self._read[str(event["id"])] = event
            if self._scope.holds(event):
                entries[str(event["id"])] = str(event.get("etag") or "")
        return Listing(MappingProxyType(entries), complete=True, cursor=self._cursor(pages.sync_token))

    def _incremental(self, sync_token: str) -> Listing:
        pages = list_changes_since(self._client, sync_token)
        entries: dict[str, str] = {}
        removed: dict[str, Removal] = {}
        for event in pages.events:
            event_id = str(event["id"])
            if mapping.is_cancelled(event):
                self._read[event_id] = None
                removed[event_id] = Removal.DELETED
            elif self._scope.holds(event):
                self._read[event_id] = event
                entries[event_id] = str(event.get("etag") or "")
            else:
                self._read[event_id] = event
                removed[event_id] = Removal.LEFT_SCOPE
        return Listing(
            MappingProxyType(entries),
            complete=False,
            cursor=self._cursor(pages.sync_token or sync_token),
            removed=MappingProxyType(removed),
        )

    def _cursor(self, sync_token: str | None) -> str | None:
        return EventsCursor(self._scope.key, sync_token).encode() if sync_token else None

    def get_many(self, ids: Sequence[str]) -> Mapping[str, Lookup]:
        """See :meth:`app.sync.stores.ItemStore.get_many`."""
        try:
            self._fetch([item_id for item_id in dict.fromkeys(ids) if item_id not in self._read])
        except VendorError as error:
            raise store_error(error) from error
        return MappingProxyType({item_id: self._lookup(item_id) for item_id in ids})

    def find_by_markers(self, markers: Sequence[str]) -> Mapping[str, Marked]:
        """See :meth:`app.sync.stores.ItemStore.find_by_markers` (the ids derived from the markers)."""
        wanted = {mapping.event_id_for(marker): marker for marker in dict.fromkeys(markers)}
        try:
            self._fetch(list(wanted), refresh=True)
        except VendorError as error:
            raise store_error(error) from error
        found: dict[str, Marked] = {}
        for event_id, marker in wanted.items():
            event = self._read.get(event_id)
            if event is not None and mapping.marker(event) == marker and not mapping.is_cancelled(event):
                found[marker] = Marked(self._item(event), self._scope.holds(event))
        return MappingProxyType(found)

    def _fetch(self, ids: list[str], *, refresh: bool = False) -> None:
        for chunk in chunks([item_id for item_id in ids if refresh or item_id not in self._read]):
            for event_id, answer in zip(chunk, self._client.get_events(chunk), strict=True):
                if isinstance(answer, dict):
                    self._read[event_id] = answer
                elif isinstance(answer, NotFound):
                    self._read[event_id] = None
                else:
                    raise answer

    def _lookup(self, item_id: str) -> Lookup:
        event = self._read.get(item_id)
        if event is None or mapping.is_cancelled(event):
            return Gone(item_id)
        if not self._scope.holds(event):
            return OutOfScope(item_id)
        return self._item(event)

    @staticmethod
    def _item(event: Mapping[str, Any]) -> Item:
        return Item(
            str(event["id"]),
            str(event.get("etag") or ""),
            mapping.event_fields(event),
            mapping.marker(event),
            mapping.modified_at(event),
        )

    # -- writing -----------------------------------------------------------------------------------------------

    def _remember(self, event: dict[str, Any]) -> None:
        self._read[str(event["id"])] = event

    def _forget(self, event_id: str) -> None:
        self._read[event_id] = None

    def create_many(self, creates: Sequence[Create]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.create_many` (single events, never a series)."""
        manual = self._scope.selection is SelectionMethod.MANUAL
        return self._guarded(
            lambda: create_events(self._client, creates, mark_selected=manual, remember=self._remember)
        )

    def update_many(self, updates: Sequence[Update]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.update_many` (``If-Match`` on every patch; the events this pass
        has not read are read first, so that a patch leaves what the projection does not tell apart as it is)."""

        def write() -> list[WriteResult]:
            self._fetch([u.id for u in updates])
            return update_events(self._client, updates, self._read, remember=self._remember)

        return self._guarded(write)

    def delete_many(self, deletes: Sequence[Delete]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.delete_many` (an event already deleted counts as deleted)."""
        return self._guarded(lambda: delete_events(self._client, deletes, forget=self._forget))

    @staticmethod
    def _guarded(write: Any) -> list[WriteResult]:
        try:
            results: list[WriteResult] = write()
        except VendorError as error:
            raise store_error(error) from error
        return results
