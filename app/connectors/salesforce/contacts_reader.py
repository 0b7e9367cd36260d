"""Reading the rep's contacts for the Salesforce contact store: the listings (complete, reconcile or incremental: see
:mod:`app.connectors.salesforce.contacts_store`), ``get_many``, which answers from what the pass has read whenever it
can, and the search for markers.

Vendor errors come out as they are; the store turns them into :class:`app.sync.stores.StoreError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from app.connectors.errors import InvalidData
from app.connectors.salesforce.contacts_cursor import OVERLAP, ContactCursor, ListingMode
from app.connectors.salesforce.contacts_mapping import marker_of, modified_at, projection, row_key, select_list
from app.connectors.salesforce.contacts_metadata import ContactMetadata
from app.connectors.salesforce.contacts_paging import PagedQuery, QueryRunner
from app.connectors.salesforce.contacts_scope import ContactScope, in_scope, scope_filter
from app.connectors.salesforce.contacts_soql import (
    IDS_PER_QUERY,
    contact_soql,
    ids_condition,
    owner_condition,
    soql_datetime,
)
from app.connectors.salesforce.mapping import is_salesforce_id, soql_string
from app.sync.items import Item
from app.sync.stores import Gone, Listing, Lookup, Marked, OutOfScope, Removal

#: How far back markers are looked for when the store has no watermark.
MARKER_LOOKBACK = timedelta(days=30)
_MEMBERS_SELECT = "Id, SystemModstamp"


class _Known(StrEnum):
    IN = "in"
    OUT = "out"
    GONE = "gone"


class ContactReader:
    """Reads the contacts in ``scope`` for the rep ``user_id``, and remembers what the pass read.

    ``metadata`` is shared with the writer: a listing sets it from the cursor, and whoever reads the describe first
    keeps it there."""

    def __init__(
        self,
        runner: QueryRunner,
        metadata: ContactMetadata,
        *,
        user_id: str,
        scope: ContactScope,
        clock: Callable[[], datetime],
    ) -> None:
        self._runner = runner
        self._metadata = metadata
        self._user_id = user_id
        self._scope = scope
        self._clock = clock
        self._committed_watermark: datetime | None = None
        #: Full rows read during this pass, by 15-character id.
        self._rows: dict[str, dict[str, Any]] = {}
        #: What get_many can answer without a call, by 15-character id.
        self._known: dict[str, _Known] = {}

    # -- what the pass read -----------------------------------------------------------------------------------

    def row(self, record_id: str) -> dict[str, Any] | None:
        """The full row of ``record_id`` read during this pass, if any."""
        return self._rows.get(row_key(record_id))

    def forget(self, record_id: str) -> None:
        """Drop what the pass read of ``record_id`` (it was just written)."""
        key = row_key(record_id)
        self._rows.pop(key, None)
        self._known.pop(key, None)

    # -- listing ----------------------------------------------------------------------------------------------

    def list_changes(self, text: str | None) -> Listing:
        """The listing the cursor ``text`` calls for (see :meth:`app.sync.stores.ItemStore.list_changes`)."""
        now = self._clock()
        self._rows.clear()
        self._known.clear()
        metadata = self._metadata
        state = ContactCursor.parse(text, scope=self._scope.value, user=self._user_id, view=metadata.view_id)
        if state is None:
            state = ContactCursor(self._scope.value, self._user_id, metadata.view_id)
        self._committed_watermark = state.watermark
        metadata.describe = state.describe
        metadata.view, metadata.view_hash = state.view_filter, state.view_hash
        refresh = state.metadata_due(now)
        extras = metadata.subrequests() if refresh else []
        if self._scope is ContactScope.LIST_VIEW and metadata.view is None:
            metadata.take(self._runner.run([], extras), refreshed_view=False)
            extras = []
        mode = state.mode(now, always_reconcile=self._scope is ContactScope.LIST_VIEW)
        queries = self._listing_queries(mode, state)
        try:
            results = self._runner.run(queries, extras)
        except InvalidData as error:
            if not (extras and state.describe is None and error.code == "INVALID_FIELD"):
                raise
            # A field the rep may not read (field-level security): learn which from the describe, list again.
            metadata.take(self._runner.run([], extras), refreshed_view=False)
            extras, results = [], {}
            queries = self._listing_queries(mode, state)
            self._runner.run(queries, [])
        if extras and metadata.take(results, refreshed_view=True):
            mode = ListingMode.FULL if state.watermark is None else ListingMode.RECONCILE
            queries = self._listing_queries(mode, state)
            self._runner.run(queries, [])
        return self._listing(mode, state, queries, now, refreshed=refresh)

    def _listing_queries(self, mode: ListingMode, state: ContactCursor) -> list[PagedQuery]:
        select = select_list(self._metadata.describe)
        conditions, using = self._scope_filter()
        if mode is ListingMode.FULL:
            return [PagedQuery("rows", contact_soql(select, conditions, scope=using), large=True)]
        assert state.watermark is not None
        changed = f"SystemModstamp >= {soql_datetime(state.watermark - OVERLAP)}"
        if mode is ListingMode.RECONCILE:
            return [
                PagedQuery("members", contact_soql(_MEMBERS_SELECT, conditions, scope=using), large=True),
                PagedQuery("rows", contact_soql(select, [*conditions, changed], scope=using)),
            ]
        queries = [PagedQuery("rows", contact_soql(select, [*conditions, changed]), all_rows=True, large=True)]
        if self._scope is ContactScope.MINE:
            others = [owner_condition(self._user_id, owned=False), changed]
            queries.append(PagedQuery("others", contact_soql("Id, IsDeleted, SystemModstamp", others), all_rows=True))
        return queries

    def _listing(
        self, mode: ListingMode, state: ContactCursor, queries: Sequence[PagedQuery], now: datetime, *, refreshed: bool
    ) -> Listing:
        by_key = {query.key: query for query in queries}
        complete = mode is not ListingMode.INCREMENTAL
        entries: dict[str, str] = {}
        removed: dict[str, Removal] = {}
        stamps: dict[str, str] = {}

        def fresh(key: str, stamp: str) -> bool:
            return complete or state.seen.get(key) != stamp

        for row in by_key["rows"].rows:
            record_id, stamp = str(row["Id"]), str(row["SystemModstamp"])
            key = row_key(record_id)
            stamps[key] = stamp
            if row.get("IsDeleted"):
                self._known[key] = _Known.GONE
                if fresh(key, stamp):
                    removed[record_id] = Removal.DELETED
                continue
            self._rows[key] = row
            self._known[key] = _Known.IN
            if fresh(key, stamp):
                entries[record_id] = stamp
        for row in by_key["members"].rows if "members" in by_key else []:
            record_id = str(row["Id"])
            stamps.setdefault(row_key(record_id), str(row["SystemModstamp"]))
            entries.setdefault(record_id, str(row["SystemModstamp"]))
        for row in by_key["others"].rows if "others" in by_key else []:
            record_id, stamp = str(row["Id"]), str(row["SystemModstamp"])
            key = row_key(record_id)
            stamps[key] = stamp
            self._known[key] = _Known.GONE if row.get("IsDeleted") else _Known.OUT
            if fresh(key, stamp):
                removed[record_id] = Removal.DELETED if row.get("IsDeleted") else Removal.LEFT_SCOPE
        metadata = self._metadata
        cursor = state.advanced(
            stamps,
            now,
            complete=complete,
            refreshed=refreshed,
            describe=metadata.describe,
            view_filter=metadata.view,
            view_hash=metadata.view_hash,
        )
        return Listing(MappingProxyType(entries), complete, cursor.to_text(), MappingProxyType(removed))

    # -- get_many and markers ---------------------------------------------------------------------------------

    def get_many(self, ids: Sequence[str]) -> Mapping[str, Lookup]:
        """See :meth:`app.sync.stores.ItemStore.get_many`; ids the listing read cost nothing."""
        result: dict[str, Lookup] = {}
        missing: list[str] = []
        for record_id in dict.fromkeys(ids):
            answer = self._remembered(record_id)
            if answer is not None:
                result[record_id] = answer
            elif not is_salesforce_id(record_id):
                result[record_id] = Gone(record_id)
            else:
                missing.append(record_id)
        if not missing:
            return result
        if self._scope is ContactScope.LIST_VIEW:
            self._ensure_metadata()
        select = select_list(self._metadata.describe)
        queries: list[PagedQuery] = []
        members: list[PagedQuery] = []
        for index in range(0, len(missing), IDS_PER_QUERY):
            chunk = [ids_condition(missing[index : index + IDS_PER_QUERY])]
            queries.append(PagedQuery(f"ids{index}", contact_soql(select, chunk), all_rows=True))
            if self._scope is ContactScope.LIST_VIEW:
                conditions, using = self._scope_filter()
                members.append(PagedQuery(f"in{index}", contact_soql("Id", [*conditions, *chunk], scope=using)))
        self._runner.run([*queries, *members], [])
        in_view = {row_key(str(row["Id"])) for query in members for row in query.rows}
        for query in queries:
            for row in query.rows:
                key = row_key(str(row["Id"]))
                if row.get("IsDeleted"):
                    self._known[key] = _Known.GONE
                    continue
                self._rows[key] = row
                member = self._in_scope(row, in_view)
                self._known[key] = _Known.IN if member else _Known.OUT
        for record_id in missing:
            # Not returned at all: a record this rep may not see (or long purged) is out of scope, never deleted.
            result[record_id] = self._remembered(record_id) or OutOfScope(record_id)
        return result

    def _remembered(self, record_id: str) -> Lookup | None:
        key = row_key(record_id)
        known = self._known.get(key)
        if known is _Known.IN and key in self._rows:
            return _item(self._rows[key])
        if known is _Known.OUT:
            return OutOfScope(record_id)
        if known is _Known.GONE:
            return Gone(record_id)
        return None

    def find_by_markers(self, markers: Sequence[str]) -> Mapping[str, Marked]:
        """See :meth:`app.sync.stores.ItemStore.find_by_markers`: one query over the contacts the rep created or
        owns since the watermark (since 30 days without one), markers read from their Description."""
        wanted = set(markers)
        if not wanted:
            return {}
        if self._scope is ContactScope.LIST_VIEW:
            self._ensure_metadata()
        since = (
            self._committed_watermark - OVERLAP
            if self._committed_watermark is not None
            else self._clock() - MARKER_LOOKBACK
        )
        user = soql_string(self._user_id)
        mine = [f"OwnerId = {user} OR CreatedById = {user}", f"CreatedDate >= {soql_datetime(since)}"]
        select = select_list(self._metadata.describe) + ", CreatedDate"
        made = PagedQuery("made", contact_soql(select, mine), large=True)
        queries = [made]
        if self._scope is ContactScope.LIST_VIEW:
            conditions, using = self._scope_filter()
            queries.append(PagedQuery("inView", contact_soql("Id", [*conditions, *mine], scope=using)))
        self._runner.run(queries, [])
        in_view = {row_key(str(row["Id"])) for row in queries[-1].rows} if len(queries) > 1 else set()
        found: dict[str, Marked] = {}
        for row in sorted(made.rows, key=lambda row: (str(row.get("CreatedDate")), str(row["Id"]))):
            marker = marker_of(row)
            if marker in wanted and marker not in found:
                found[marker] = Marked(_item(row), self._in_scope(row, in_view))
        return found

    # -- scope and metadata -----------------------------------------------------------------------------------

    def _scope_filter(self) -> tuple[list[str], str | None]:
        return scope_filter(self._scope, self._user_id, self._metadata.view)

    def _in_scope(self, row: Mapping[str, Any], in_view: set[str]) -> bool:
        return in_scope(self._scope, self._user_id, row, in_view)

    def _ensure_metadata(self) -> None:
        metadata = self._metadata
        missing_describe = metadata.describe is None
        missing_view = self._scope is ContactScope.LIST_VIEW and metadata.view is None
        if missing_describe or missing_view:
            metadata.take(self._runner.run([], metadata.subrequests()), refreshed_view=False)


def _item(row: Mapping[str, Any]) -> Item:
    return Item(
        str(row["Id"]),
        str(row["SystemModstamp"]),
        projection(row),
        marker_of(row),
        modified_at(row),
    )
