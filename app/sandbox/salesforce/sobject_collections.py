"""sObject Collections: create, update, upsert, delete and retrieve up to 200 records in one call.

Records are processed in order. With ``allOrNone`` false each record stands alone; with true, one failure rolls
the whole call back: the failed records keep their errors and the others report
ALL_OR_NONE_OPERATION_ROLLED_BACK. Errors in results use ``statusCode`` (the SaveResult form).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from app.sandbox.salesforce import exceptions as errors
from app.sandbox.salesforce.duplicates import DuplicateRuleHeader
from app.sandbox.salesforce.exceptions import ApiError, ErrorItem
from app.sandbox.salesforce.ids import normalize_id, object_for_id
from app.sandbox.salesforce.sharing import Caller

if TYPE_CHECKING:
    from app.sandbox.salesforce.models import SalesforceOrg

MAX_RECORDS = 200
_ROLLED_BACK = ErrorItem(errors.ALL_OR_NONE_OPERATION_ROLLED_BACK, errors.ROLLED_BACK_MESSAGE, ())


def check_size(count: int) -> None:
    """400 EXCEEDED_ID_LIMIT above 200 records."""
    if count > MAX_RECORDS:
        raise errors.api_error(
            400, errors.EXCEEDED_ID_LIMIT, "record limit reached. cannot submit more than 200 records into this call"
        )


def record_type(record: Any) -> str:
    """A collection record's ``attributes.type``; 400 without one."""
    attributes = record.get("attributes") if isinstance(record, Mapping) else None
    kind = attributes.get("type") if isinstance(attributes, Mapping) else None
    if not isinstance(kind, str) or not kind:
        raise errors.api_error(400, errors.INVALID_TYPE, "Must send a concrete entity type.")
    return kind


def _apply(
    org: SalesforceOrg,
    items: Sequence[Any],
    operation: Callable[[Any], dict[str, Any]],
    ids: Callable[[Any], str | None],
    *,
    all_or_none: bool,
    keep_id_on_rollback: bool,
) -> list[dict[str, Any]]:
    outer = org.begin()
    results: list[dict[str, Any]] = []
    failed = False
    for item in items:
        mark = org.begin()
        try:
            result = operation(item)
        except ApiError as error:
            org.rollback(mark)
            failed = True
            result = {"success": False, "errors": [e.as_status_json() for e in error.errors]}
            record_id = ids(item)
            if record_id:
                result = {"id": record_id, **result}
        else:
            org.release(mark)
        results.append(result)
    if all_or_none and failed:
        org.rollback(outer)
        rolled_back = []
        for item, result in zip(items, results, strict=True):
            if not result["success"]:
                rolled_back.append(result)
                continue
            entry: dict[str, Any] = {"success": False, "errors": [_ROLLED_BACK.as_status_json()]}
            if keep_id_on_rollback and ids(item):
                entry = {"id": ids(item), **entry}
            rolled_back.append(entry)
        return rolled_back
    org.release(outer)
    return results


def create_many(
    org: SalesforceOrg,
    caller: Caller,
    records: Sequence[Any],
    *,
    all_or_none: bool,
    header: DuplicateRuleHeader,
    api_version: str,
) -> list[dict[str, Any]]:
    """POST composite/sobjects: a SaveResult per record."""
    check_size(len(records))
    types = [record_type(record) for record in records]

    def create(index: int) -> dict[str, Any]:
        record = records[index]
        definition = org.object_def(types[index])
        if definition is None:
            raise errors.record_error(errors.INVALID_TYPE, f"sObject type '{types[index]}' is not supported.")
        payload = {k: v for k, v in record.items() if k != "attributes"}
        record_id = org.create(definition.name, payload, caller, header=header, api_version=api_version)
        return {"id": record_id, "success": True, "errors": []}

    return _apply(org, range(len(records)), create, lambda _: None, all_or_none=all_or_none, keep_id_on_rollback=False)


def update_many(
    org: SalesforceOrg,
    caller: Caller,
    records: Sequence[Any],
    *,
    all_or_none: bool,
    header: DuplicateRuleHeader,
    api_version: str,
) -> list[dict[str, Any]]:
    """PATCH composite/sobjects: a SaveResult per record (each with ``attributes.type`` and ``id``)."""
    check_size(len(records))
    types = [record_type(record) for record in records]

    def record_id(index: int) -> str | None:
        raw = records[index].get("id") or records[index].get("Id")
        return normalize_id(raw) if isinstance(raw, str) else None

    def update(index: int) -> dict[str, Any]:
        record = records[index]
        raw = record.get("id") or record.get("Id")
        if not isinstance(raw, str) or normalize_id(raw) is None:
            raise errors.record_error(errors.MALFORMED_ID, f"malformed id {raw}")
        definition = org.object_def(types[index])
        if definition is None:
            raise errors.record_error(errors.INVALID_TYPE, f"sObject type '{types[index]}' is not supported.")
        payload = {k: v for k, v in record.items() if k not in ("attributes", "id", "Id")}
        updated = org.update(definition.name, raw, payload, caller, header=header, api_version=api_version)
        return {"id": updated, "success": True, "errors": []}

    return _apply(org, range(len(records)), update, record_id, all_or_none=all_or_none, keep_id_on_rollback=True)


def upsert_many(
    org: SalesforceOrg,
    caller: Caller,
    sobject: str,
    field_name: str,
    records: Sequence[Any],
    *,
    all_or_none: bool,
    header: DuplicateRuleHeader,
    api_version: str,
) -> list[dict[str, Any]]:
    """PATCH composite/sobjects/{type}/{externalIdField}: an UpsertResult per record."""
    from app.sandbox.salesforce.upsert import upsert

    check_size(len(records))
    for record in records:
        record_type(record)

    def one(index: int) -> dict[str, Any]:
        record = dict(records[index])
        record.pop("attributes", None)
        value = record.pop(field_name, None)
        if value is None:
            raise errors.record_error(
                errors.REQUIRED_FIELD_MISSING, f"Required fields are missing: [{field_name}]", [field_name]
            )
        record_id, created = upsert(
            org,
            caller,
            sobject,
            field_name,
            str(value),
            payload=record,
            header=header,
            api_version=api_version,
            keep_value=True,
        )
        return {"id": record_id, "success": True, "errors": [], "created": created}

    return _apply(org, range(len(records)), one, lambda _: None, all_or_none=all_or_none, keep_id_on_rollback=False)


def delete_many(
    org: SalesforceOrg, caller: Caller, raw_ids: Sequence[str], *, all_or_none: bool
) -> list[dict[str, Any]]:
    """DELETE composite/sobjects?ids=...: a DeleteResult per id."""
    check_size(len(raw_ids))

    def delete(raw: str) -> dict[str, Any]:
        record_id = normalize_id(raw)
        sobject = object_for_id(record_id) if record_id else None
        if record_id is None or sobject is None or org.object_def(sobject) is None:
            raise errors.record_error(errors.MALFORMED_ID, f"malformed id {raw}")
        org.delete(sobject, record_id, caller)
        return {"id": record_id, "success": True, "errors": []}

    return _apply(org, list(raw_ids), delete, normalize_id, all_or_none=all_or_none, keep_id_on_rollback=True)


def retrieve_many(
    org: SalesforceOrg, caller: Caller, sobject: str, raw_ids: Sequence[str], *, fields: Sequence[str], api_version: str
) -> list[dict[str, Any] | None]:
    """GET (or POST) composite/sobjects/{type}: the records, with null for ids not found."""
    check_size(len(raw_ids))
    definition = org.require_object(sobject)
    names = org.resolve_fields(definition, fields)
    found: list[dict[str, Any] | None] = []
    for raw in raw_ids:
        try:
            row = org.retrieve(definition, raw, caller)
        except ApiError as error:
            if error.first.error_code == errors.MALFORMED_ID:
                raise
            found.append(None)
            continue
        found.append(org.record_json(definition, row, api_version, names))
    return found
