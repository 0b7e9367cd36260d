"""Items as the engine sees them: a side-local id, an etag and the normalised mapped fields.

Connectors map vendor records to a flat mapping of field name to value. Single values are strings;
multi-valued fields (emails, phones, categories) are tuples, compared as sets. :func:`normalise_fields`
puts such a mapping into its canonical form, and :func:`projection_hash` is the hash the engine uses to
tell a real change from an echo of its own write.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

#: A normalised field value: a string, or a sorted tuple of distinct strings for a multi-valued field.
FieldValue = str | tuple[str, ...]
#: The normalised mapped fields of an item. Absent fields and empty values are the same thing.
Fields = Mapping[str, FieldValue]


def _normalise_text(value: str) -> str:
    return " ".join(value.split())


def normalise_value(value: object) -> FieldValue | None:
    """Return the canonical form of one field value, or None when it is empty.

    Strings are stripped and inner runs of whitespace collapse to one space. Lists, tuples and sets
    become a sorted tuple of distinct non-empty strings. Other scalars are turned into strings.
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = _normalise_text(value)
        return text or None
    if isinstance(value, Iterable):
        members = {_normalise_text(str(member)) for member in value if member is not None}
        members.discard("")
        return tuple(sorted(members)) or None
    return _normalise_text(str(value)) or None


def normalise_fields(raw: Mapping[str, object]) -> Fields:
    """Return the canonical, read-only form of a field mapping; empty values are dropped."""
    result: dict[str, FieldValue] = {}
    for name in sorted(raw):
        value = normalise_value(raw[name])
        if value is not None:
            result[name] = value
    return MappingProxyType(result)


def projection_hash(fields: Fields) -> str:
    """Return the sha256 (hex) of the canonical JSON of normalised fields."""
    canonical = {name: list(value) if isinstance(value, tuple) else value for name, value in fields.items()}
    encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


#: How one side's copy differs from the base: field -> the side's value (None: the side has no value).
Deviation = Mapping[str, FieldValue | None]


def deviation(base: Fields, held: Fields) -> Deviation:
    """The fields where ``held`` (what a side holds) differs from ``base``; empty when they are equal."""
    return MappingProxyType(
        {name: held.get(name) for name in sorted(set(base) | set(held)) if base.get(name) != held.get(name)}
    )


def overlay(base: Fields, held_apart: Deviation) -> Fields:
    """What a side holds: ``base`` with the side's deviation applied."""
    if not held_apart:
        return base
    merged: dict[str, FieldValue] = {name: value for name, value in base.items() if name not in held_apart}
    merged.update({name: value for name, value in held_apart.items() if value is not None})
    return MappingProxyType(dict(sorted(merged.items())))


@dataclass(frozen=True)
class Item:
    """One item on one side, as a store returns it.

    ``id`` is the side-local, stable identifier (Graph immutable id, People resourceName, Salesforce Id).
    ``etag`` changes whenever the vendor's copy changes (changeKey, People etag, SystemModstamp).
    ``fields`` are the mapped fields, normalised on construction. ``marker`` is the engine's marker when
    the engine created the item (see :func:`app.sync.plan.marker_for`), else None. ``modified_at`` is the
    vendor's last-modified time (timezone-aware UTC), used by the ``newest_wins`` conflict policy.
    """

    id: str
    etag: str
    fields: Fields = field(default_factory=lambda: MappingProxyType({}), hash=False)
    marker: str | None = None
    modified_at: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", normalise_fields(self.fields))
        if self.modified_at is not None and self.modified_at.utcoffset() is None:
            raise ValueError("modified_at must be timezone-aware")

    @property
    def hash(self) -> str:
        """The projection hash of the item's fields."""
        return projection_hash(self.fields)
