"""The contract between the query engine and an org: schema and row access, plus the engine's error type."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class FieldInfo:
    """Describe information about one sObject field."""

    name: str  # canonical API name, e.g. "AccountId"
    # Salesforce describe type: id, string, textarea, email, phone, url, picklist, multipicklist, boolean,
    # int, double, currency, percent, date, datetime, reference
    type: str
    reference_to: tuple[str, ...] = ()  # reference targets ("Account",); several for polymorphic fields (WhoId)
    relationship_name: str | None = None  # "Account" for AccountId, "Owner" for OwnerId, "What" for WhatId


@dataclass(frozen=True)
class ChildRelationship:
    """A parent-to-child relationship usable in a subquery, e.g. Event.EventRelations."""

    name: str  # e.g. "EventRelations"
    child_object: str  # "EventRelation"
    field: str  # the child's field pointing at the parent, "EventId"


class QuerySource(Protocol):
    """What the engine needs from an org. Names are matched case-insensitively by the engine."""

    def object_name(self, name: str) -> str | None:
        """Return the canonical sObject name, or None if the object is unknown."""
        ...

    def fields(self, sobject: str) -> Mapping[str, FieldInfo]:
        """Return the object's fields keyed by lower-case field name."""
        ...

    def child_relationships(self, sobject: str) -> Mapping[str, ChildRelationship]:
        """Return the object's child relationships keyed by lower-case relationship name."""
        ...

    def records(self, sobject: str, *, include_deleted: bool) -> Iterable[Mapping[str, Any]]:
        """Return the rows the querying user may see, keyed by canonical field name.

        Values are JSON-like (str, bool, int, float, None); dates are "YYYY-MM-DD" and datetimes
        "YYYY-MM-DDTHH:MM:SS.000+0000" (Salesforce's wire format).
        """
        ...

    def record_by_id(self, record_id: str) -> tuple[str, Mapping[str, Any]] | None:
        """Return (sObject, row) for a record id, used for parent lookups; None if there is no such record."""
        ...


class SoqlError(Exception):
    """A query error as Salesforce reports it: an error code (MALFORMED_QUERY, INVALID_FIELD, ...) and a message."""

    def __init__(self, error_code: str, message: str) -> None:
        super().__init__(f"{error_code}: {message}")
        self.error_code = error_code
        self.message = message
