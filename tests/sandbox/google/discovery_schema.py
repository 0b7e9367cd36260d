"""A checker for Google's discovery-document schema dialect, independent of the emulator's own code.

It walks a JSON value against a schema (``type``, ``properties``, ``additionalProperties``, ``items``, ``$ref``,
``enum``, ``format``) and reports every unknown property and every mistyped value: ``int64``/``uint64`` must be
decimal strings, ``int32``/``uint32`` integers in range, ``byte`` base64, ``date-time``/``google-datetime`` RFC 3339
timestamps, ``date`` a calendar date.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import date, datetime
from functools import cache
from typing import Any

from googleapiclient.discovery_cache import get_static_doc

_VERSIONS = {"people": "v1", "calendar": "v3", "tasks": "v1", "gmail": "v1"}
_INT64 = re.compile(r"^-?\d+$")
_RANGES = {"int32": (-(2**31), 2**31 - 1), "uint32": (0, 2**32 - 1)}


@cache
def document(api: str) -> dict[str, Any]:
    """The discovery document google-api-python-client ships for ``api``."""
    loaded: dict[str, Any] = json.loads(get_static_doc(api, _VERSIONS[api]))
    return loaded


def method_response(api: str, dotted: str) -> str:
    """The response schema name of a method, e.g. ``people.connections.list`` -> ``ListConnectionsResponse``."""
    node: dict[str, Any] = document(api)
    *resources, method = dotted.split(".")
    for name in resources:
        node = node["resources"][name]
    ref: str = node["methods"][method]["response"]["$ref"]
    return ref


def problems(api: str, schema_name: str, value: Any) -> list[str]:
    """Every way ``value`` departs from ``schema_name`` (empty when it conforms)."""
    found: list[str] = []
    _check(api, {"$ref": schema_name}, value, schema_name, found)
    return found


def _check(api: str, spec: dict[str, Any], value: Any, path: str, found: list[str]) -> None:
    while "$ref" in spec:
        spec = document(api)["schemas"][spec["$ref"]]
    kind = spec.get("type")
    if kind == "any":
        return
    if kind == "object" or "properties" in spec:
        if not isinstance(value, dict):
            found.append(f"{path}: expected an object, got {type(value).__name__}")
            return
        properties = spec.get("properties", {})
        extra = spec.get("additionalProperties")
        for key, item in value.items():
            if key in properties:
                _check(api, properties[key], item, f"{path}.{key}", found)
            elif extra is not None:
                _check(api, extra, item, f"{path}[{key!r}]", found)
            else:
                found.append(f"{path}: unknown property {key!r}")
        return
    if kind == "array":
        if not isinstance(value, list):
            found.append(f"{path}: expected an array, got {type(value).__name__}")
            return
        for index, item in enumerate(value):
            _check(api, spec.get("items", {}), item, f"{path}[{index}]", found)
        return
    _check_scalar(spec, value, path, found)


def _check_scalar(spec: dict[str, Any], value: Any, path: str, found: list[str]) -> None:
    kind, fmt = spec.get("type"), spec.get("format")
    if kind == "string":
        if not isinstance(value, str):
            found.append(f"{path}: expected a string, got {type(value).__name__}")
            return
        _check_string_format(fmt, value, path, found)
    elif kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            found.append(f"{path}: expected an integer, got {type(value).__name__}")
        elif fmt in _RANGES and not _RANGES[fmt][0] <= value <= _RANGES[fmt][1]:
            found.append(f"{path}: {value} is out of range for {fmt}")
    elif kind == "number":
        if not isinstance(value, int | float) or isinstance(value, bool):
            found.append(f"{path}: expected a number, got {type(value).__name__}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            found.append(f"{path}: expected a boolean, got {type(value).__name__}")
    else:
        found.append(f"{path}: the schema has no type this checker knows ({kind!r})")
    if "enum" in spec and value not in spec["enum"]:
        found.append(f"{path}: {value!r} is not one of {spec['enum']}")


def _check_string_format(fmt: str | None, value: str, path: str, found: list[str]) -> None:
    if fmt in ("int64", "uint64") and not _INT64.match(value):
        found.append(f"{path}: {value!r} is not a decimal {fmt} string")
    elif fmt == "byte":
        try:
            base64.urlsafe_b64decode(value.replace("+", "-").replace("/", "_") + "=" * (-len(value) % 4))
        except (binascii.Error, ValueError):
            found.append(f"{path}: {value[:20]!r}… is not base64")
    elif fmt in ("date-time", "google-datetime"):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            found.append(f"{path}: {value!r} is not an RFC 3339 timestamp")
            return
        if parsed.tzinfo is None:
            found.append(f"{path}: {value!r} has no time zone offset")
    elif fmt == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            found.append(f"{path}: {value!r} is not a yyyy-mm-dd date")
