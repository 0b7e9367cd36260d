"""The Outlook contact store's cursor: what one pass hands to the next, and its JSON form.

It holds the folder id, the scope it was made under (selection and private contacts), the delta link, when the
previous pass started (for the "modified since" query) and the Deleted Items folder id. In manual selection it
also holds the mailbox's contact folders (id -> parent id), the delta link of their round, when they were last read
whole and where the next pass's search of them starts (see :mod:`~app.connectors.microsoft.contacts_sources`). A
cursor that cannot be read (not JSON, another version, no folder) reads as no cursor: the next pass lists
everything; a cursor without the contact folders (written before they were kept) reads them afresh.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

_CURSOR_VERSION = 1


@dataclass(frozen=True)
class Cursor:
    """What a pass hands to the next one."""

    folder: str
    scope: str
    delta_link: str | None = None
    since: str | None = None
    trash: str | None = None
    #: Manual selection: the mailbox's contact folders, id -> parent id (None: not read yet).
    folders: dict[str, str | None] | None = None
    folders_link: str | None = None
    folders_read_at: str | None = None
    turn: int = 0

    def dump(self) -> str:
        document: dict[str, Any] = {
            "v": _CURSOR_VERSION,
            "folder": self.folder,
            "scope": self.scope,
            "delta": self.delta_link,
            "since": self.since,
            "trash": self.trash,
        }
        if self.folders is not None:
            document.update(
                folders=self.folders, folders_delta=self.folders_link, folders_at=self.folders_read_at, turn=self.turn
            )
        return json.dumps(document, separators=(",", ":"))

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

        folders = _folders(raw.get("folders"))
        turn = raw.get("turn")
        return cls(
            raw["folder"],
            str(raw.get("scope") or ""),
            text_or_none("delta"),
            text_or_none("since"),
            text_or_none("trash"),
            folders,
            text_or_none("folders_delta") if folders is not None else None,
            text_or_none("folders_at") if folders is not None else None,
            turn if isinstance(turn, int) and not isinstance(turn, bool) and turn >= 0 else 0,
        )


def _folders(value: object) -> dict[str, str | None] | None:
    """The contact folders as kept (None when absent or not an object of ids)."""
    if not isinstance(value, dict):
        return None
    return {
        str(key): parent if isinstance(parent, str) and parent else None
        for key, parent in value.items()
        if isinstance(key, str) and key
    }
