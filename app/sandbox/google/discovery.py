"""The discovery documents google-api-python-client ships, used to keep request bodies to the documented fields.

The People, Tasks and Gmail APIs refuse a body with an unknown field ("Invalid JSON payload received. Unknown name
...: Cannot find field."); the Calendar API ignores unknown fields. Either way nothing undocumented is stored, so
nothing undocumented can come back.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from googleapiclient.discovery_cache import get_static_doc

from app.sandbox.google.errors import Api, invalid_json

_DOCUMENTS: dict[Api, tuple[str, str]] = {
    "people": ("people", "v1"),
    "calendar": ("calendar", "v3"),
    "tasks": ("tasks", "v1"),
    "gmail": ("gmail", "v1"),
}
_INTEGER_FORMATS = frozenset({"int32", "uint32"})
_STRING_NUMBER_FORMATS = frozenset({"int64", "uint64"})


@cache
def document(api: Api) -> dict[str, Any]:
    """The shipped discovery document of ``api``."""
    name, version = _DOCUMENTS[api]
    text = get_static_doc(name, version)
    if text is None:
        raise RuntimeError(f"google-api-python-client ships no discovery document for {name} {version}")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def schema(api: Api, name: str) -> dict[str, Any]:
    """The named schema of ``api``."""
    found: dict[str, Any] = document(api)["schemas"][name]
    return found


def clean_body(api: Api, schema_name: str, value: Any, *, root: str) -> dict[str, Any]:
    """``value`` checked against ``schema_name``: unknown fields refused (or dropped for Calendar), types checked."""
    if not isinstance(value, dict):
        raise invalid_json(f"Expected an object for '{root}'.")
    cleaned = _clean(api, {"$ref": schema_name}, value, root)
    assert isinstance(cleaned, dict)
    return cleaned


def _resolve(api: Api, spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in spec:
        spec = schema(api, spec["$ref"])
    return spec


def _clean(api: Api, spec: dict[str, Any], value: Any, path: str) -> Any:
    spec = _resolve(api, spec)
    kind = spec.get("type")
    if value is None:
        return None
    if kind == "object" or "properties" in spec:
        if not isinstance(value, dict):
            raise invalid_json(f"Invalid value at '{path}': expected an object.")
        properties: dict[str, Any] = spec.get("properties", {})
        extra: dict[str, Any] | None = spec.get("additionalProperties")
        cleaned: dict[str, Any] = {}
        for key, item in value.items():
            if key in properties:
                cleaned[key] = _clean(api, properties[key], item, f"{path}.{key}")
            elif extra is not None:
                cleaned[key] = _clean(api, extra, item, f"{path}[{key!r}]")
            elif api != "calendar":
                raise invalid_json(f"Unknown name \"{key}\" at '{path}': Cannot find field.")
        return cleaned
    if kind == "array":
        if not isinstance(value, list):
            raise invalid_json(f"Invalid value at '{path}': expected a list.")
        return [_clean(api, spec.get("items", {}), item, f"{path}[{index}]") for index, item in enumerate(value)]
    return _scalar(spec, value, path)


def _scalar(spec: dict[str, Any], value: Any, path: str) -> Any:
    kind = spec.get("type")
    fmt = spec.get("format")
    if kind == "string":
        if fmt in _STRING_NUMBER_FORMATS and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            raise invalid_json(f"Invalid value at '{path}' ({value!r}): expected a string.")
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise invalid_json(f"Invalid value at '{path}' ({value!r}): expected a boolean.")
    elif kind == "integer":
        if isinstance(value, str) and value.lstrip("-").isdigit():
            return int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise invalid_json(f"Invalid value at '{path}' ({value!r}): expected an integer.")
        if fmt in _INTEGER_FORMATS and value < 0 and fmt.startswith("u"):
            raise invalid_json(f"Invalid value at '{path}' ({value!r}): expected an unsigned integer.")
    elif kind == "number" and (not isinstance(value, int | float) or isinstance(value, bool)):
        raise invalid_json(f"Invalid value at '{path}' ({value!r}): expected a number.")
    return value
