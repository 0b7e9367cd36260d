"""The To Do task store's cursor: what one pass hands to the next, and its JSON form.

It holds the id of the default list, the scope it was made under (the selection method) and the delta link of the
list's tasks. A cursor that cannot be read (not JSON, another version, no list) reads as no cursor: the next pass
lists everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.connectors.microsoft.cursor_json import dump_cursor, load_cursor, text_or_none

_CURSOR_VERSION = 1


@dataclass(frozen=True)
class TaskCursor:
    """What a pass hands to the next one."""

    list_id: str
    scope: str
    delta_link: str | None = None

    def dump(self) -> str:
        """The cursor as opaque text."""
        return dump_cursor(_CURSOR_VERSION, {"list": self.list_id, "scope": self.scope, "delta": self.delta_link})

    @classmethod
    def load(cls, text: str | None) -> TaskCursor | None:
        """The cursor behind ``text``; None when there is none or it cannot be read."""
        raw = load_cursor(_CURSOR_VERSION, text)
        if raw is None:
            return None
        list_id, scope = text_or_none(raw, "list"), raw.get("scope")
        if list_id is None or not isinstance(scope, str):
            return None
        return cls(list_id, scope, text_or_none(raw, "delta"))
