"""Resolving names in a statement against a QuerySource: sObjects, fields, relationship paths.

Names are matched case-insensitively and replaced by their canonical spelling; unknown names raise the
INVALID_TYPE / INVALID_FIELD errors Salesforce raises, located at the name in the statement text.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from app.sandbox.salesforce.soql.ast import FieldPath
from app.sandbox.salesforce.soql.errors import (
    INVALID_FIELD,
    INVALID_TYPE,
    located_error,
    no_such_column,
    unknown_relationship,
    unsupported_sobject,
)
from app.sandbox.salesforce.soql.source import ChildRelationship, FieldInfo, QuerySource


class Kind(enum.Enum):
    """How values of a describe type compare."""

    STRING = "string"
    ID = "id"
    MULTIPICKLIST = "multipicklist"
    BOOLEAN = "boolean"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"


_KINDS = {
    "id": Kind.ID,
    "reference": Kind.ID,
    "multipicklist": Kind.MULTIPICKLIST,
    "boolean": Kind.BOOLEAN,
    "int": Kind.NUMBER,
    "long": Kind.NUMBER,
    "double": Kind.NUMBER,
    "currency": Kind.NUMBER,
    "percent": Kind.NUMBER,
    "date": Kind.DATE,
    "datetime": Kind.DATETIME,
}

# Describe types whose values are searchable text in SOSL.
TEXT_TYPES = frozenset(
    {"string", "textarea", "email", "phone", "url", "picklist", "multipicklist", "combobox", "encryptedstring"}
)


def kind_of(field_type: str) -> Kind:
    """The comparison kind of a describe type (text-like types compare as strings)."""
    return _KINDS.get(field_type.lower(), Kind.STRING)


def soap_type_name(field_type: str) -> str:
    """The type name Salesforce uses in "must be of type X" messages."""
    return {
        Kind.ID: "id",
        Kind.MULTIPICKLIST: "string",
        Kind.BOOLEAN: "boolean",
        Kind.NUMBER: "integer" if field_type.lower() in {"int", "long"} else "double",
        Kind.DATE: "date",
        Kind.DATETIME: "dateTime",
        Kind.STRING: "string",
    }[kind_of(field_type)]


@dataclass(frozen=True)
class Hop:
    """One child-to-parent step of a field path: the reference field and the objects it may point at."""

    relationship: str  # canonical relationship name, e.g. "Account", "What"
    reference_field: str  # canonical name of the reference field on the child, e.g. "AccountId"
    targets: tuple[str, ...]  # canonical names of the parent objects


@dataclass(frozen=True)
class BoundField:
    """A field path resolved against the schema."""

    path: FieldPath
    root: str
    hops: tuple[Hop, ...]
    name: str  # canonical leaf name
    type: str  # describe type of the leaf
    leaf_fields: tuple[tuple[str, FieldInfo], ...]  # (object, field) for each object the leaf can live on
    parent_type: bool = False  # X.Type on a polymorphic relationship: the parent's sObject name

    @property
    def kind(self) -> Kind:
        """How values of this field compare."""
        return kind_of(self.type)

    @property
    def key(self) -> tuple[str, ...]:
        """Case-insensitive identity of the field, for duplicate detection."""
        return (*(hop.relationship.lower() for hop in self.hops), self.name.lower())

    def leaf_for(self, sobject: str) -> FieldInfo | None:
        """The leaf field as defined on sobject, if it has it."""
        return next((info for obj, info in self.leaf_fields if obj == sobject), None)


class Schema:
    """A case-insensitive, caching view of the QuerySource's metadata for one statement."""

    def __init__(self, source: QuerySource, text: str) -> None:
        self._source = source
        self._text = text
        self._fields: dict[str, Mapping[str, FieldInfo]] = {}

    def sobject(self, name: str, line: int, column: int) -> str:
        """The canonical sObject name, or INVALID_TYPE located at the name."""
        canonical = self._source.object_name(name)
        if canonical is None:
            raise located_error(INVALID_TYPE, self._text, line, column, unsupported_sobject(name))
        return canonical

    def known_sobject(self, name: str) -> str | None:
        """The canonical sObject name, or None."""
        return self._source.object_name(name)

    def fields(self, sobject: str) -> Mapping[str, FieldInfo]:
        """The object's fields keyed by lower-case name."""
        if sobject not in self._fields:
            self._fields[sobject] = {key.lower(): info for key, info in self._source.fields(sobject).items()}
        return self._fields[sobject]

    def child_relationship(self, parent: str, name: str, line: int, column: int) -> tuple[ChildRelationship, str]:
        """The child relationship called name on parent and the canonical child object, or INVALID_TYPE."""
        relationships = {key.lower(): rel for key, rel in self._source.child_relationships(parent).items()}
        relationship = relationships.get(name.lower())
        child = self._source.object_name(relationship.child_object) if relationship is not None else None
        if relationship is None or child is None:
            message = unknown_relationship(name, "FROM part of query call")
            raise located_error(INVALID_TYPE, self._text, line, column, message)
        return relationship, child

    def bind(self, root: str, path: FieldPath, alias: str | None = None) -> BoundField:
        """Resolve a field path starting on root; a leading alias is dropped."""
        parts = path.parts
        if alias is not None and len(parts) > 1 and parts[0].lower() == alias.lower():
            parts = parts[1:]
        objects: tuple[str, ...] = (root,)
        polymorphic = False
        hops: list[Hop] = []
        for part in parts[:-1]:
            # a polymorphic relationship leads to the Name pseudo-object, which has no relationships
            reference = None if polymorphic else self._relationship_field(objects[0], part)
            if reference is None:
                raise located_error(
                    INVALID_FIELD, self._text, path.line, path.column, unknown_relationship(part, "field path")
                )
            targets = tuple(
                canonical for target in reference.reference_to if (canonical := self.known_sobject(target)) is not None
            )
            hops.append(Hop(reference.relationship_name or part, reference.name, targets))
            objects = targets
            polymorphic = len(reference.reference_to) > 1 or not targets
        return self._bind_leaf(root, path, tuple(hops), objects, parts[-1], polymorphic=polymorphic)

    def _relationship_field(self, sobject: str, name: str) -> FieldInfo | None:
        for info in self.fields(sobject).values():
            if info.relationship_name is not None and info.relationship_name.lower() == name.lower():
                return info
        return None

    def _bind_leaf(
        self,
        root: str,
        path: FieldPath,
        hops: tuple[Hop, ...],
        objects: tuple[str, ...],
        name: str,
        *,
        polymorphic: bool,
    ) -> BoundField:
        leaf_fields = tuple((obj, info) for obj in objects if (info := self.fields(obj).get(name.lower())) is not None)
        if polymorphic and name.lower() == "type":
            return BoundField(path, root, hops, "Type", "string", leaf_fields, parent_type=True)
        if not leaf_fields:
            entity = "Name" if polymorphic else objects[0]
            raise located_error(INVALID_FIELD, self._text, path.line, path.column, no_such_column(name, entity))
        first = leaf_fields[0][1]
        return BoundField(path, root, hops, first.name, first.type, leaf_fields)
