"""The To Do task store's cursor: what one pass hands to the next, and its JSON form.

It holds the id of the default list, the scope it was made under (the selection method) and the delta link of the
list's tasks. A cursor that cannot be read (not JSON, another version, no list) reads as no cursor: the next pass
lists everything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

_CURSOR_VERSION = 1


@dataclass(frozen=True)
class TaskCursor:
    """What a pass hands to the next one."""

    list_id: str
    scope: str
    delta_link: str | None = None

    def dump(self) -> str:
        """The cursor as opaque text."""
        document = {"v": _CURSOR_VERSION, "list": self.list_id, "scope": self.scope, "delta": self.delta_link}
        return json.dumps(document, separators=(",", ":"))

    @classmethod
    def load(cls, text: str | None) -> TaskCursor | None:
        """The cursor behind ``text``; None when there is none or it cannot be read."""
        if not text:
            return None
        try:
            raw = json.loads(text)
        except ValueError:
            return None
        if not isinstance(raw, dict) or raw.get("v") != _CURSOR_VERSION:
            return None
        list_id, scope, delta = raw.get("list"), raw.get("scope"), raw.get("delta")
        if not isinstance(list_id, str) or not list_id or not isinstance(scope, str):
            return None
        return cls(list_id, scope, delta if isinstance(delta, str) and delta else None)
