"""Which Google Calendar events are in the synced scope: the window, privacy, series and the selection mark."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.connectors.event_fields import EventWindow
from app.connectors.google import events_mapping as mapping
from app.connectors.selection import SelectionMethod


@dataclass(frozen=True)
class EventScope:
    """The store's scope settings; :meth:`key` goes into the cursor, so a change of any of them means a complete
    listing."""

    window: EventWindow
    selection: SelectionMethod
    include_private: bool
    include_series: bool

    def holds(self, event: Mapping[str, Any]) -> bool:
        """True when the (live) event is in scope."""
        if mapping.is_cancelled(event) or not mapping.is_plain_event(event):
            return False
        if mapping.is_occurrence(event) and not self.include_series:
            return False
        if mapping.is_private(event) and not self.include_private:
            return False
        if not mapping.in_window(event, self.window):
            return False
        mark = mapping.selection_mark(event)
        if self.selection is SelectionMethod.MANUAL:
            return mark == mapping.SELECT_SYNC
        return mark != mapping.SELECT_DONT_SYNC

    @property
    def key(self) -> str:
        """The scope as text: ``2026-11-14/2027-02-20|automatic|p0|s1``."""
        flags = f"p{int(self.include_private)}|s{int(self.include_series)}"
        return f"{self.window.key}|{self.selection.value}|{flags}"
