"""What the Outlook event store knows of one mailbox between calls, and which of its events are items.

The state: the client, the window, the selection method, whether private events and series are in scope, the
mailbox owner's address (left out of attendees), what this pass read (the answer ``get_many`` gives without asking
again) and the events as last read or written (for updates). The scope rules: an event is an item when it overlaps
the window, is not a series master, belongs to no series unless series are included, is not private unless private
events are included, and passes the selection (automatic: not categorised "Don't sync with Salesforce"; manual:
categorised "Sync with Salesforce").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.connectors.event_fields import EventWindow
from app.connectors.microsoft import events_mapping as em
from app.connectors.microsoft import mapping
from app.connectors.microsoft.client import GraphClient
from app.connectors.selection import DONT_SYNC_CATEGORY, SYNC_CATEGORY, SelectionMethod
from app.sync.items import Item
from app.sync.stores import Gone, Lookup, OutOfScope


@dataclass(eq=False)
class CalendarState:
    """One mailbox's default calendar as the event store sees it: its settings and what it has read."""

    client: GraphClient
    window: EventWindow
    selection: SelectionMethod
    include_private: bool
    include_series: bool
    #: The mailbox owner's address, once read (``/me``).
    owner: str | None = None
    #: What this pass read: the answer ``get_many`` gives without asking again.
    seen: dict[str, Lookup] = field(default_factory=dict)
    #: Events as last read or written in full (for updates and series grouping).
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def manual(self) -> bool:
        """Whether the selection is manual."""
        return self.selection is SelectionMethod.MANUAL

    @property
    def scope(self) -> str:
        """The scope as the cursor records it: a change of it calls for a complete listing."""
        private = "private" if self.include_private else "public"
        series = "series" if self.include_series else "single"
        return f"{self.selection.value}:{private}:{series}"

    def judge(self, item_id: str, doc: Mapping[str, Any] | None) -> Lookup:
        """An event read by id: gone, out of scope, or the item."""
        if doc is None:
            return Gone(item_id)
        return self.in_scope(doc)

    def in_scope(self, doc: Mapping[str, Any]) -> Item | OutOfScope:
        """An event of the calendar: the item, or out of scope per the rules of the module docstring."""
        if self.excluded(doc):
            return OutOfScope(em.event_id(doc))
        item = self.item_of(doc)
        if not self.window.holds(item.fields):
            return OutOfScope(item.id)
        return item

    def excluded(self, doc: Mapping[str, Any]) -> bool:
        """Whether the event is left out whatever its times: a series master, a series member without series, a
        private event without private events, or not selected."""
        if str(doc.get("type") or "") == "seriesMaster":
            return True
        if em.is_series_member(doc) and not self.include_series:
            return True
        if em.is_private(doc) and not self.include_private:
            return True
        if self.manual:
            return not mapping.has_category(doc, SYNC_CATEGORY)
        return mapping.has_category(doc, DONT_SYNC_CATEGORY)

    def item_of(self, doc: Mapping[str, Any]) -> Item:
        """An event as the sync engine's item, whether in scope or not."""
        fields = em.to_fields(doc, self.owner)
        return Item(em.event_id(doc), em.change_key(doc), fields, em.marker_of(doc), em.modified_at(doc))

    def remember(self, doc: dict[str, Any]) -> None:
        """Keep an event as read or written in full."""
        self.docs[em.event_id(doc)] = doc
