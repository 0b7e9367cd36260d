"""The Outlook event store's cursor: what one pass hands to the next, and its JSON form.

It holds the window the delta round covers (its key), the scope it was made under (selection, private events,
series), the calendar view's delta link and the mailbox owner's address (left out of attendees). A cursor that
cannot be read (not JSON, another version) reads as no cursor: the next pass lists everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.connectors.microsoft.cursor_json import dump_cursor, load_cursor, text_or_none

_CURSOR_VERSION = 1


@dataclass(frozen=True)
class EventCursor:
    """What a pass hands to the next one."""

    window: str
    scope: str
    delta_link: str | None = None
    owner: str | None = None

    def dump(self) -> str:
        """The cursor as compact JSON text."""
        fields = {"window": self.window, "scope": self.scope, "delta": self.delta_link, "owner": self.owner}
        return dump_cursor(_CURSOR_VERSION, fields)

    @classmethod
    def load(cls, text: str | None) -> EventCursor | None:
        """The cursor ``text`` holds, or None when there is none or it cannot be read."""
        raw = load_cursor(_CURSOR_VERSION, text)
        if raw is None or not isinstance(raw.get("window"), str):
            return None
        return cls(raw["window"], str(raw.get("scope") or ""), text_or_none(raw, "delta"), text_or_none(raw, "owner"))
