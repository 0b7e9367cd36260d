"""The JSON shape of query and search records, as the Salesforce REST API returns them.

A record is ``{"attributes": {"type": ..., "url": ...}, <selected fields in SELECT order>}``; a parent
relationship is a nested record (or null when the reference is empty); a child subquery is
``{"totalSize": n, "done": true, "records": [...]}``, or null when it found nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.sandbox.salesforce.soql.lookups import Lookups
from app.sandbox.salesforce.soql.schema import BoundField


def attributes(sobject: str, record_id: Any, api_version: str) -> dict[str, str]:
    """The attributes member of a record."""
    return {"type": sobject, "url": f"/services/data/v{api_version}/sobjects/{sobject}/{record_id}"}


def new_record(sobject: str, row: Mapping[str, Any], api_version: str) -> dict[str, Any]:
    """A record holding only its attributes; fields are added with place_field."""
    return {"attributes": attributes(sobject, row.get("Id"), api_version)}


def place_field(
    record: dict[str, Any],
    *,
    sobject: str,
    row: Mapping[str, Any],
    field: BoundField,
    lookups: Lookups,
    api_version: str,
) -> None:
    """Add a selected field to record, creating the nested parent records its path goes through."""
    target, current_object, current_row = record, sobject, row
    for hop in field.hops:
        existing = target.get(hop.relationship, ...)
        if existing is None:  # an earlier field already found this parent empty
            return
        parent = lookups.follow(current_row, hop)
        if parent is None:
            target[hop.relationship] = None
            return
        current_object, current_row = parent
        if existing is ...:
            existing = new_record(current_object, current_row, api_version)
            target[hop.relationship] = existing
        target = existing
    if field.parent_type:
        target[field.name] = current_object
        return
    info = field.leaf_for(current_object)
    target[info.name if info else field.name] = current_row.get(info.name) if info else None


def child_result(records: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The value of a child subquery member: a nested query result, or None when empty."""
    if not records:
        return None
    return {"totalSize": len(records), "done": True, "records": records}
