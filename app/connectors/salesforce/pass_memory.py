"""What a Salesforce store read during one pass, shared by the contact and the activity readers:
:class:`PassMemory` keeps the full rows by 15-character id and what ``get_many`` can answer without a call (in
scope, out of scope, gone)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import Any

from app.connectors.salesforce.contacts_mapping import row_key
from app.connectors.salesforce.mapping import is_salesforce_id
from app.sync.items import Item
from app.sync.stores import Gone, Lookup, OutOfScope


class Known(StrEnum):
    """What the pass knows of a record."""

    IN = "in"
    OUT = "out"
    GONE = "gone"


class PassMemory:
    """The rows a pass read and what they tell; ``item_of`` turns a full row into the engine's item."""

    def __init__(self, item_of: Callable[[Mapping[str, Any]], Item]) -> None:
        self._item_of = item_of
        #: Full rows read during this pass, by 15-character id.
        self._rows: dict[str, dict[str, Any]] = {}
        #: What get_many can answer without a call, by 15-character id.
        self._known: dict[str, Known] = {}

    def clear(self) -> None:
        """Forget everything (a new listing starts)."""
        self._rows.clear()
        self._known.clear()

    def row(self, record_id: str) -> dict[str, Any] | None:
        """The full row of ``record_id`` read during this pass, if any."""
        return self._rows.get(row_key(record_id))

    def known(self, record_id: str) -> Known | None:
        """What the pass knows of ``record_id``, if anything."""
        return self._known.get(row_key(record_id))

    def forget(self, record_id: str) -> None:
        """Drop what the pass read of ``record_id`` (it was just written)."""
        key = row_key(record_id)
        self._rows.pop(key, None)
        self._known.pop(key, None)

    def keep(self, row: dict[str, Any], in_scope: Callable[[Mapping[str, Any]], bool]) -> Known:
        """Remember a full row: GONE when deleted, else kept, IN or OUT as ``in_scope`` (asked of live rows) says."""
        key = row_key(str(row["Id"]))
        if row.get("IsDeleted"):
            known = Known.GONE
        else:
            self._rows[key] = row
            known = Known.IN if in_scope(row) else Known.OUT
        self._known[key] = known
        return known

    def mark(self, record_id: str, known: Known) -> None:
        """Remember what a row read without its fields tells of ``record_id``."""
        self._known[row_key(record_id)] = known

    def lookup(self, record_id: str) -> Lookup | None:
        """The answer ``get_many`` gives for ``record_id`` from what the pass read; None when it read nothing."""
        key = row_key(record_id)
        known = self._known.get(key)
        if known is Known.IN and key in self._rows:
            return self._item_of(self._rows[key])
        if known is Known.OUT:
            return OutOfScope(record_id)
        if known is Known.GONE:
            return Gone(record_id)
        return None

    def answered(self, ids: Sequence[str]) -> tuple[dict[str, Lookup], list[str]]:
        """The answers for ``ids`` that cost no call (what the pass read; ids that are not Salesforce ids are gone),
        and the ids still to read, without repeats."""
        result: dict[str, Lookup] = {}
        missing: list[str] = []
        for record_id in dict.fromkeys(ids):
            answer = self.lookup(record_id)
            if answer is not None:
                result[record_id] = answer
            elif not is_salesforce_id(record_id):
                result[record_id] = Gone(record_id)
            else:
                missing.append(record_id)
        return result, missing

    def after_reading(self, ids: Sequence[str]) -> dict[str, Lookup]:
        """The answers for ``ids`` once their rows were read: a row not returned at all (one this rep may not see,
        or long purged) is out of scope, never deleted."""
        return {record_id: self.lookup(record_id) or OutOfScope(record_id) for record_id in ids}
