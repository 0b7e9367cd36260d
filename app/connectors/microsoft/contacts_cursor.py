"""The Outlook contact store's cursor: what one pass hands to the next, and its JSON form.

It holds the folder id, the scope it was made under (selection and private contacts), the delta link, when the
previous pass started (for the "modified since" query) and the Deleted Items folder id. In manual selection it
also holds the mailbox's contact folders (id -> parent id), the delta link of their round, when they were last read
whole and where the next pass's search of them starts (see :mod:`~app.connectors.microsoft.contacts_sources`). A
cursor that cannot be read (not JSON, another version, no folder) reads as no cursor: the next pass lists
everything; a cursor without the contact folders (written before they were kept) reads them afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.connectors.microsoft.cursor_json import dump_cursor, load_cursor, text_or_none

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
        return dump_cursor(_CURSOR_VERSION, document)

    @classmethod
    def load(cls, text: str | None) -> Cursor | None:
        raw = load_cursor(_CURSOR_VERSION, text)
        if raw is None or not isinstance(raw.get("folder"), str):
            return None
        folders = _folders(raw.get("folders"))
        turn = raw.get("turn")
        return cls(
            raw["folder"],
            str(raw.get("scope") or ""),
            text_or_none(raw, "delta"),
            text_or_none(raw, "since"),
            text_or_none(raw, "trash"),
            folders,
            text_or_none(raw, "folders_delta") if folders is not None else None,
            text_or_none(raw, "folders_at") if folders is not None else None,
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
