"""Text rules the Salesforce event and task stores share, pure: cutting a value to the length Salesforce holds, and
the Description that carries both the user's notes and crmbridge's marker.

The marker is a trailer line of Description, the same ``crmbridge:...`` line contacts carry (read with
:func:`app.connectors.salesforce.contacts_mapping.marker_of`): the notes are the Description without it, and a
write puts it back after the notes, so an update never loses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.connectors.salesforce.contacts_mapping import MARKER_FIELD, marker_of
from app.sync.items import Fields

__all__ = ["MARKER_FIELD", "cut", "description_for", "marker_of", "notes_of", "text"]


def text(fields: Fields, name: str) -> str | None:
    """A single-valued projection field (the first of a set), None when empty."""
    value = fields.get(name)
    if isinstance(value, tuple):
        value = value[0] if value else None
    return value or None


def cut(value: str | None, limit: int | None) -> str | None:
    """``value`` cut to ``limit`` characters (None: no limit), trailing blanks dropped; None when nothing is left."""
    if value is None or limit is None or len(value) <= limit:
        return value
    return value[:limit].rstrip() or None


def notes_of(row: Mapping[str, Any]) -> str | None:
    """The user's notes: the row's Description without crmbridge's marker line."""
    description = row.get(MARKER_FIELD)
    if not isinstance(description, str):
        return None
    marker = marker_of(row)
    lines = description.splitlines()
    if marker is not None:
        lines = [line for line in lines if line.strip() != marker]
    notes = "\n".join(lines).strip()
    return notes or None


def description_for(notes: str | None, marker: str | None, limit: int | None) -> tuple[str | None, str | None]:
    """The Description to write (notes, then the marker line) and the notes it holds (cut so that the whole fits in
    ``limit``)."""
    if marker is None:
        kept = cut(notes, limit)
        return kept, kept
    room = None if limit is None else max(limit - len(marker) - 1, 0)
    kept = cut(notes, room) if notes else None
    return (f"{kept}\n{marker}" if kept else marker), kept
