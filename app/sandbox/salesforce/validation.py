"""Checking a create or update payload against an sObject's fields, with Salesforce's error codes and wording.

The checks run in the order Salesforce applies them: the body must name real fields of the right JSON types
(INVALID_FIELD, JSON_PARSER_ERROR, MALFORMED_ID), the fields must be writable (INVALID_FIELD_FOR_INSERT_UPDATE),
then the values are validated (REQUIRED_FIELD_MISSING, STRING_TOO_LONG, INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST,
INVALID_EMAIL_ADDRESS). Each check raises at its first failure; references to other records are checked by the
org, which knows them.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Literal

from app.sandbox.salesforce import exceptions as errors
from app.sandbox.salesforce.exceptions import ApiError, record_error
from app.sandbox.salesforce.ids import normalize_id
from app.sandbox.salesforce.schema import FieldDef, ObjectDef
from app.sandbox.salesforce.values import format_date, format_datetime, parse_date, parse_datetime

Mode = Literal["create", "update"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: Keys a record body may carry besides fields.
_IGNORED_KEYS = frozenset({"attributes"})


def clean_values(definition: ObjectDef, payload: Mapping[str, Any], mode: Mode) -> dict[str, Any]:
    """The payload as canonical field names and stored values; raises ApiError (400) for the first problem."""
    if not isinstance(payload, Mapping):
        raise record_error(errors.JSON_PARSER_ERROR, "The request body must be a JSON object describing the record")
    fields: list[tuple[FieldDef, Any]] = []
    for key, raw in payload.items():
        if key in _IGNORED_KEYS:
            continue
        field_def = definition.field(key)
        if field_def is None:
            raise record_error(
                errors.INVALID_FIELD, f"No such column '{key}' on sobject of type {definition.name}", [key]
            )
        fields.append((field_def, raw))
    values = {field_def.name: _coerce(field_def, raw) for field_def, raw in fields}
    _check_writable(definition, [f for f, _ in fields], mode)
    _check_required(definition, values, mode)
    for field_def, _ in fields:
        _check_value(field_def, values[field_def.name])
    return values


def _coerce(field_def: FieldDef, raw: Any) -> Any:
    """The stored form of one JSON value, or JSON_PARSER_ERROR / MALFORMED_ID."""
    if raw is None:
        return False if field_def.type == "boolean" else None
    if field_def.type in {"reference", "id"}:
        return _to_id(field_def, raw)
    converter: Callable[[Any], Any] = _CONVERTERS.get(field_def.type, _to_text)
    return converter(raw)


def _to_boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in {"true", "false"}:
        return raw.lower() == "true"
    raise _parser_error("boolean", raw)


def _to_int(raw: Any) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and re.fullmatch(r"[+-]?\d+", raw.strip()):
        return int(raw)
    raise _parser_error("int", raw)


def _to_double(raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise _parser_error("double", raw)
    try:
        number = float(raw)
    except ValueError:
        raise _parser_error("double", raw) from None
    if not math.isfinite(number):
        raise _parser_error("double", raw)
    return number


def _to_date(raw: Any) -> str:
    parsed = parse_date(raw) if isinstance(raw, str) else None
    if parsed is None:
        # A date-time string is accepted and truncated to its date, as the API does.
        moment = parse_datetime(raw) if isinstance(raw, str) else None
        if moment is None:
            raise _parser_error("date", raw)
        parsed = moment.date()
    return format_date(parsed)


def _to_datetime(raw: Any) -> str:
    moment = parse_datetime(raw) if isinstance(raw, str) else None
    if moment is None:
        raise _parser_error("datetime", raw)
    return format_datetime(moment)


def _to_base64(raw: Any) -> str:
    if not isinstance(raw, str):
        raise _parser_error("base64", raw)
    try:
        base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise _parser_error("base64", raw) from None
    return raw


def _to_text(raw: Any) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int | float):
        return str(raw)
    if not isinstance(raw, str):
        raise _parser_error("String", raw)
    return raw


def _to_id(field_def: FieldDef, raw: Any) -> str | None:
    if not isinstance(raw, str):
        raise _parser_error("id", raw)
    if raw == "":
        return None
    normalized = normalize_id(raw)
    if normalized is None:
        raise record_error(
            errors.MALFORMED_ID, f"{field_def.label}: id value of incorrect type: {raw}", [field_def.name]
        )
    return normalized


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "boolean": _to_boolean,
    "int": _to_int,
    "double": _to_double,
    "currency": _to_double,
    "percent": _to_double,
    "date": _to_date,
    "datetime": _to_datetime,
    "base64": _to_base64,
}


def _parser_error(type_name: str, raw: Any) -> ApiError:
    shown = raw if isinstance(raw, str) else repr(raw)
    return ApiError(
        400,
        [
            errors.ErrorItem(
                errors.JSON_PARSER_ERROR,
                f"Cannot deserialize instance of {type_name} from VALUE_STRING value {shown} or request may be "
                "missing a required field",
            )
        ],
    )


def _check_writable(definition: ObjectDef, fields: list[FieldDef], mode: Mode) -> None:
    denied = [f.name for f in fields if not (f.createable if mode == "create" else f.updateable)]
    if denied:
        raise record_error(
            errors.INVALID_FIELD_FOR_INSERT_UPDATE,
            f"Unable to create/update fields: {', '.join(denied)}. Please check the security settings of this field "
            "and verify that it is read/write for your profile or permission set.",
            denied,
        )


def _check_required(definition: ObjectDef, values: Mapping[str, Any], mode: Mode) -> None:
    if mode == "create":
        missing = [
            f.name
            for f in definition.iter_fields()
            if f.required_on_create and (values.get(f.name) is None or values.get(f.name) == "")
        ]
    else:
        missing = [
            name for name, value in values.items() if (value is None or value == "") and not _nillable(definition, name)
        ]
    if missing:
        raise record_error(
            errors.REQUIRED_FIELD_MISSING, f"Required fields are missing: [{', '.join(missing)}]", missing
        )


def _nillable(definition: ObjectDef, name: str) -> bool:
    field_def = definition.field(name)
    return field_def is None or field_def.nillable or field_def.type == "boolean"


def _check_value(field_def: FieldDef, value: Any) -> None:
    if value is None:
        if field_def.restricted and not field_def.nillable:
            raise record_error(
                errors.INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST,
                f"{field_def.label}: bad value for restricted picklist field: null",
                [field_def.name],
            )
        return
    if field_def.is_text and field_def.length and isinstance(value, str) and len(value) > field_def.length:
        raise record_error(
            errors.STRING_TOO_LONG,
            f"{field_def.label}: data value too large: {_shorten(value)} (max length={field_def.length})",
            [field_def.name],
        )
    if field_def.restricted and value not in field_def.picklist_values:
        raise record_error(
            errors.INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST,
            f"{field_def.label}: bad value for restricted picklist field: {value}",
            [field_def.name],
        )
    if field_def.type == "email" and not _EMAIL.match(value):
        raise record_error(
            errors.INVALID_EMAIL_ADDRESS, f"{field_def.label}: invalid email address: {value}", [field_def.name]
        )


def _shorten(value: str) -> str:
    # Salesforce echoes long values cut short; keep error bodies small for 131,072-character bodies.
    return value if len(value) <= 255 else value[:252] + "..."
