"""Reading an object's describe (a ``sobjects/{type}/describe`` answer), shared by the contact and the activity
describes: its field entries by name, and the lengths of the text fields a store writes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def fields_by_name(body: Any) -> dict[str, Mapping[str, Any]]:
    """The describe's field entries, by field name (none when ``body`` is not a describe)."""
    items = body.get("fields", []) if isinstance(body, Mapping) else []
    return {str(item.get("name")): item for item in items if isinstance(item, Mapping)}


def field_lengths(by_name: Mapping[str, Mapping[str, Any]], names: Iterable[str]) -> dict[str, int]:
    """The lengths (characters) of the fields ``names`` that the describe gives a positive length."""
    return {
        name: int(by_name[name]["length"])
        for name in names
        if name in by_name and isinstance(by_name[name].get("length"), int) and by_name[name]["length"] > 0
    }
