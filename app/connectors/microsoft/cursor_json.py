"""The JSON form of the Outlook and To Do stores' cursors: a version, then the store's own fields.

A text that is not a JSON object of that version reads as no cursor, so that the next pass lists everything.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def dump_cursor(version: int, fields: Mapping[str, Any]) -> str:
    """The cursor as compact JSON text: ``v`` (the version) first, then ``fields``."""
    return json.dumps({"v": version, **fields}, separators=(",", ":"))


def load_cursor(version: int, text: str | None) -> dict[str, Any] | None:
    """The fields ``text`` holds; None when there is no text, or it is not a JSON object of that version."""
    if not text:
        return None
    try:
        raw = json.loads(text)
    except ValueError:
        return None
    if not isinstance(raw, dict) or raw.get("v") != version:
        return None
    return raw


def text_or_none(fields: Mapping[str, Any], key: str) -> str | None:
    """The field ``key`` when it is a text that is not empty, else None."""
    value = fields.get(key)
    return value if isinstance(value, str) and value else None
