"""The Outlook contact store's cursor: what one pass hands to the next, and its JSON form.

It holds the folder id, the scope it was made under (selection and private contacts), the delta link, when the
previous pass started (for the "modified since" query) and the Deleted Items folder id. A cursor that cannot be
read (not JSON, another version, no folder) reads as no cursor: the next pass lists everything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

_CURSOR_VERSION = 1


@dataclass(frozen=True)
class Cursor:
    """What a pass hands to the next one."""

    folder: str
    scope: str
    delta_link: str | None = None
    since: str | None = None
    trash: str | None = None

    def dump(self) -> str:
        return json.dumps(
            {
                "v": _CURSOR_VERSION,
                "folder": self.folder,
                "scope": self.scope,
                "delta": self.delta_link,
                "since": self.since,
                "trash": self.trash,
            },
            separators=(",", ":"),
        )

    @classmethod
    def load(cls, text: str | None) -> Cursor | None:
        if not text:
            return None
        try:
            raw = json.loads(text)
        except ValueError:
            return None
        if not isinstance(raw, dict) or raw.get("v") != _CURSOR_VERSION or not isinstance(raw.get("folder"), str):
            return None

        def text_or_none(key: str) -> str | None:
            value = raw.get(key)
            return value if isinstance(value, str) and value else None

        return cls(
            raw["folder"],
            str(raw.get("scope") or ""),
            text_or_none("delta"),
            text_or_none("since"),
            text_or_none("trash"),
        )
