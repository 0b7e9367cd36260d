"""The org's record storage: rows per sObject, the Recycle Bin, side tables, and an undo journal for rollbacks.

Stored rows are never changed in place: a write stores a new dict. That keeps rows safe to hand to the query
engine and makes the undo journal a list of (what, key, previous value) entries.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

Row = Mapping[str, Any]


@dataclass(frozen=True)
class BinEntry:
    """A record in the Recycle Bin: when it was deleted and which deletion put it there (its root record)."""

    deleted_at: datetime
    root: str


class RecordStore:
    """Rows by sObject and id, the Recycle Bin, and named side tables (event series, file contents)."""

    def __init__(self) -> None:
        self._tables: dict[str, dict[str, Row]] = {}
        self._index: dict[str, str] = {}
        self._bin: dict[str, BinEntry] = {}
        self._side: dict[str, dict[str, Any]] = {}
        self._journal: list[tuple[str, str, Any]] = []
        self._depth = 0

    # -- reading

    def table(self, sobject: str) -> Mapping[str, Row]:
        """Every row of ``sobject`` (deleted ones included), by id."""
        return self._tables.get(sobject, {})

    def rows(self, sobject: str) -> Iterator[Row]:
        """Every row of ``sobject``, deleted ones included."""
        return iter(list(self._tables.get(sobject, {}).values()))

    def get(self, record_id: str) -> tuple[str, Row] | None:
        """(sObject, row) for an id, deleted rows included."""
        sobject = self._index.get(record_id)
        if sobject is None:
            return None
        return sobject, self._tables[sobject][record_id]

    def bin_entry(self, record_id: str) -> BinEntry | None:
        """The record's Recycle Bin entry, if it is deleted."""
        return self._bin.get(record_id)

    def bin_entries(self) -> Mapping[str, BinEntry]:
        """The Recycle Bin."""
        return dict(self._bin)

    def side(self, name: str) -> Mapping[str, Any]:
        """A side table by name."""
        return self._side.get(name, {})

    def count(self, sobject: str) -> int:
        """How many rows ``sobject`` has (deleted included)."""
        return len(self._tables.get(sobject, {}))

    # -- writing

    def put(self, sobject: str, row: Row) -> None:
        """Store ``row`` (a new dict) under its Id."""
        record_id = row["Id"]
        table = self._tables.setdefault(sobject, {})
        self._log("row", record_id, (sobject, table.get(record_id)))
        table[record_id] = row
        self._index[record_id] = sobject

    def erase(self, record_id: str) -> None:
        """Remove a row for good (a Recycle Bin purge)."""
        sobject = self._index.get(record_id)
        if sobject is None:
            return
        self._log("row", record_id, (sobject, self._tables[sobject][record_id]))
        del self._tables[sobject][record_id]
        del self._index[record_id]
        self.set_bin(record_id, None)

    def set_bin(self, record_id: str, entry: BinEntry | None) -> None:
        """Put a record in the Recycle Bin (or take it out with None)."""
        self._log("bin", record_id, self._bin.get(record_id))
        if entry is None:
            self._bin.pop(record_id, None)
        else:
            self._bin[record_id] = entry

    def set_side(self, name: str, key: str, value: Any) -> None:
        """Set (or with None, remove) an entry of a side table."""
        table = self._side.setdefault(name, {})
        self._log(f"side:{name}", key, table.get(key))
        if value is None:
            table.pop(key, None)
        else:
            table[key] = value

    def clear(self) -> None:
        """Forget everything."""
        self._tables.clear()
        self._index.clear()
        self._bin.clear()
        self._side.clear()
        self._journal.clear()
        self._depth = 0

    # -- transactions

    def begin(self) -> int:
        """Open a savepoint; returns its mark for :meth:`rollback` or :meth:`release`."""
        self._depth += 1
        return len(self._journal)

    def rollback(self, mark: int) -> None:
        """Undo every write since ``mark`` and close that savepoint."""
        while len(self._journal) > mark:
            kind, key, previous = self._journal.pop()
            self._undo(kind, key, previous)
        self._close()

    def release(self, mark: int) -> None:
        """Keep the writes since ``mark`` and close that savepoint."""
        self._close()
        if self._depth == 0:
            self._journal.clear()

    def _close(self) -> None:
        self._depth = max(self._depth - 1, 0)

    def _log(self, kind: str, key: str, previous: Any) -> None:
        if self._depth:
            self._journal.append((kind, key, previous))

    def _undo(self, kind: str, key: str, previous: Any) -> None:
        if kind == "row":
            sobject, row = previous
            if row is None:
                self._tables.get(sobject, {}).pop(key, None)
                self._index.pop(key, None)
            else:
                self._tables.setdefault(sobject, {})[key] = row
                self._index[key] = sobject
        elif kind == "bin":
            if previous is None:
                self._bin.pop(key, None)
            else:
                self._bin[key] = previous
        else:
            table = self._side.setdefault(kind.removeprefix("side:"), {})
            if previous is None:
                table.pop(key, None)
            else:
                table[key] = previous
