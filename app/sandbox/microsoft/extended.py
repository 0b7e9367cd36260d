"""Single-value extended properties: MAPI properties a client reads and writes by id.

An id is ``"{type} {guid} Name {name}"``, ``"{type} {guid} Id {0x8000..}"`` or ``"{type} {proptag}"`` ("Outlook
extended properties overview"). Matching ignores case except in the string name, as "Get
singleValueLegacyExtendedProperty" describes. Values travel as strings. ``PidTagSensitivity`` (``Integer 0x0036``,
0 normal, 1 personal, 2 private, 3 confidential, [MS-OXCMSG] 2.2.1.13) is how a contact is marked private.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from app.sandbox.microsoft.exceptions import GraphError
from app.sandbox.microsoft.models import Item

#: The id clients use for ``PidTagSensitivity``.
SENSITIVITY_ID = "Integer 0x0036"
SENSITIVITY_PRIVATE = "2"

_TYPES = {
    "binary",
    "boolean",
    "clsid",
    "currency",
    "double",
    "float",
    "integer",
    "long",
    "short",
    "string",
    "systemtime",
    "object",
    "null",
    "applicationtime",
    "error",
}
_GUID = r"\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?"
_NAMED = re.compile(rf"^(\w+) ({_GUID}) (Name|Id) (.+)$", re.IGNORECASE)
_TAGGED = re.compile(r"^(\w+) (0x[0-9a-fA-F]{1,8})$", re.IGNORECASE)


def _invalid_id(value: Any) -> GraphError:
    return GraphError(400, "ErrorInvalidProperty", f"The extended property id '{value}' is not valid.")


def normalize(value: Any) -> str:
    """The comparison form of an extended property id; 400 if it is not in one of the three formats."""
    if not isinstance(value, str):
        raise _invalid_id(value)
    text = " ".join(value.split())
    named = _NAMED.match(text)
    if named is not None:
        kind, guid, how, name = named.groups()
        if kind.lower() not in _TYPES:
            raise _invalid_id(value)
        guid = guid.strip("{}").lower()
        if how.lower() == "id":
            try:
                return f"{kind.lower()} {guid} id {int(name, 16)}"
            except ValueError as exc:
                raise _invalid_id(value) from exc
        return f"{kind.lower()} {guid} name {name}"
    tagged = _TAGGED.match(text)
    if tagged is not None and tagged.group(1).lower() in _TYPES:
        tag = int(tagged.group(2), 16)
        return f"{tagged.group(1).lower()} tag {tag >> 16 if tag > 0xFFFF else tag}"
    raise _invalid_id(value)


def _check_value(normalized: str, value: Any) -> str:
    kind = normalized.split(" ", 1)[0]
    text = "" if value is None else str(value)
    try:
        if kind in ("integer", "long", "short"):
            int(text)
        elif kind in ("double", "float", "currency"):
            float(text)
        elif kind == "boolean" and text.lower() not in ("true", "false"):
            raise ValueError(text)
        elif kind == "systemtime":
            datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise GraphError(
            400, "ErrorInvalidExtendedPropertyValue", f"The extended property value '{text}' is not valid for its type."
        ) from exc
    return text


def write(item: Item, values: Any) -> None:
    """Set the extended properties in a request body's ``singleValueExtendedProperties``."""
    if not isinstance(values, list):
        raise GraphError(400, "RequestBodyRead", "singleValueExtendedProperties must be a collection.")
    for entry in values:
        if not isinstance(entry, dict) or "id" not in entry:
            raise GraphError(400, "RequestBodyRead", "Each extended property needs an id and a value.")
        key = normalize(entry["id"])
        item.extended[key] = (" ".join(str(entry["id"]).split()), _check_value(key, entry.get("value")))


def expanded(item: Item, wanted: Iterable[str]) -> list[dict[str, str]]:
    """The item's extended properties that a ``$expand=...($filter=id eq ...)`` names (unset ones are absent)."""
    result = []
    for raw in wanted:
        stored = item.extended.get(normalize(raw))
        if stored is not None:
            result.append({"id": stored[0], "value": stored[1]})
    return result


def every(item: Item) -> list[dict[str, str]]:
    """All of an item's extended properties (what ``$filter=singleValueExtendedProperties/any(...)`` sees)."""
    return [{"id": written, "value": value} for written, value in item.extended.values()]


def is_private(item: Item) -> bool:
    """Whether ``PidTagSensitivity`` marks the item private."""
    stored = item.extended.get(normalize(SENSITIVITY_ID))
    return stored is not None and stored[1] == SENSITIVITY_PRIVATE
