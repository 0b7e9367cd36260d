"""Reading field values from rows, following reference fields to parent records."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.sandbox.salesforce.soql.schema import BoundField, Hop
from app.sandbox.salesforce.soql.source import QuerySource

Row = Mapping[str, Any]


def id15(value: Any) -> str | None:
    """The case-sensitive 15-character form of a record id (18-character ids end in a checksum), None if empty."""
    if value is None or value == "":
        return None
    return str(value)[:15]


class Lookups:
    """Follows reference fields through QuerySource.record_by_id, caching parents for one statement."""

    def __init__(self, source: QuerySource) -> None:
        self._source = source
        self._cache: dict[str, tuple[str, Row] | None] = {}

    def record(self, record_id: str) -> tuple[str, Row] | None:
        """(sObject, row) for a record id, or None."""
        if record_id not in self._cache:
            self._cache[record_id] = self._source.record_by_id(record_id)
        return self._cache[record_id]

    def follow(self, row: Row, hop: Hop) -> tuple[str, Row] | None:
        """The parent record that row's reference field points at, if it exists and is of an allowed type."""
        reference = row.get(hop.reference_field)
        if reference is None or reference == "":
            return None
        parent = self.record(str(reference))
        if parent is None or parent[0] not in hop.targets:
            return None
        return parent

    def value(self, row: Row, field: BoundField) -> Any:
        """The raw value of a (possibly relationship) field for row; None when any parent is missing."""
        sobject, current = field.root, row
        for hop in field.hops:
            parent = self.follow(current, hop)
            if parent is None:
                return None
            sobject, current = parent
        if field.parent_type:
            return sobject
        info = field.leaf_for(sobject)
        return current.get(info.name) if info is not None else None
