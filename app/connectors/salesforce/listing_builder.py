"""Putting a Salesforce listing together from the rows its queries read, shared by the contact and the activity
readers: :class:`ListingBuilder` takes the queries by key (``rows``: full rows; ``members``: a reconcile's Id and
SystemModstamp of every row in scope; ``others``: the rows that stopped being the owner's) and gives the entries,
the removals and the stamps the cursor keeps."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from app.connectors.salesforce.contacts_mapping import row_key
from app.connectors.salesforce.contacts_paging import PagedQuery
from app.connectors.salesforce.pass_memory import Known, PassMemory
from app.sync.stores import Listing, Removal


class ListingBuilder:
    """One listing's entries and removals; ``memory`` learns what the rows tell. An incremental listing
    (``complete`` False) leaves out the rows whose stamp ``seen`` (the previous listing's) already holds."""

    def __init__(self, memory: PassMemory, *, complete: bool, seen: Mapping[str, str]) -> None:
        self.complete = complete
        #: SystemModstamp of every row read, by 15-character id.
        self.stamps: dict[str, str] = {}
        self._memory = memory
        self._seen = seen
        self._entries: dict[str, str] = {}
        self._removed: dict[str, Removal] = {}

    def read(self, queries: Sequence[PagedQuery], in_scope: Callable[[Mapping[str, Any]], bool]) -> None:
        """Take the rows of the listing's ``queries``; ``in_scope`` tells whether a live full row is in scope."""
        by_key = {query.key: query for query in queries}
        self._take_rows(by_key["rows"].rows, in_scope)
        self._take_members(by_key["members"].rows if "members" in by_key else [])
        self._take_others(by_key["others"].rows if "others" in by_key else [])

    def listing(self, cursor: str) -> Listing:
        """The listing, with the cursor ``cursor`` (advanced over :attr:`stamps`)."""
        return Listing(MappingProxyType(self._entries), self.complete, cursor, MappingProxyType(self._removed))

    def _fresh(self, key: str, stamp: str) -> bool:
        return self.complete or self._seen.get(key) != stamp

    def _take_rows(self, rows: Sequence[dict[str, Any]], in_scope: Callable[[Mapping[str, Any]], bool]) -> None:
        for row in rows:
            record_id, stamp = str(row["Id"]), str(row["SystemModstamp"])
            key = row_key(record_id)
            self.stamps[key] = stamp
            known = self._memory.keep(row, in_scope)
            if not self._fresh(key, stamp):
                continue
            if known is Known.IN:
                self._entries[record_id] = stamp
            elif not self.complete:
                self._removed[record_id] = Removal.DELETED if known is Known.GONE else Removal.LEFT_SCOPE

    def _take_members(self, rows: Sequence[dict[str, Any]]) -> None:
        for row in rows:
            record_id, stamp = str(row["Id"]), str(row["SystemModstamp"])
            self.stamps.setdefault(row_key(record_id), stamp)
            if self._memory.known(record_id) in (None, Known.IN):
                self._entries.setdefault(record_id, stamp)

    def _take_others(self, rows: Sequence[dict[str, Any]]) -> None:
        for row in rows:
            record_id, stamp = str(row["Id"]), str(row["SystemModstamp"])
            key = row_key(record_id)
            self.stamps[key] = stamp
            self._memory.mark(record_id, Known.GONE if row.get("IsDeleted") else Known.OUT)
            if self._fresh(key, stamp):
                self._removed[record_id] = Removal.DELETED if row.get("IsDeleted") else Removal.LEFT_SCOPE
