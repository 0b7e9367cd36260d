"""Reading the rep's events or tasks for the Salesforce activity stores: the listings, ``get_many`` (answered from
what the pass read whenever it can) and the search for markers.

A listing is one of (see :mod:`app.connectors.salesforce.contacts_cursor` for when):

- **complete** (no cursor, a cursor of another scope, e.g. another event window): every row in scope;
- **reconcile** (once a day, or when the cursor is older than the Recycle Bin surely keeps deleted rows): the Id
  and SystemModstamp of every row in scope, plus the rows changed since the watermark;
- **incremental**: ``queryAll`` of the owner's rows changed since the watermark (less an overlap; rows the previous
  listing already reported are left out): deleted ones are DELETED, those now outside the scope (moved out of the
  window, made private, ...) LEFT_SCOPE; and the rows that stopped being the owner's, LEFT_SCOPE too.

Every listing is one composite call until more than 10,000 rows are read; the describe rides in it once a day.
Vendor errors come out as they are; the store turns them into :class:`app.sync.stores.StoreError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from app.connectors.salesforce.activities_cursor import ActivityCursor, ListingMode
from app.connectors.salesforce.activities_describe import ActivityDescribe, describe_from, describe_subrequest
from app.connectors.salesforce.activities_kind import ActivityKind
from app.connectors.salesforce.activities_soql import (
    IDS_PER_QUERY,
    activity_soql,
    ids_condition,
    owner_condition,
    soql_datetime,
)
from app.connectors.salesforce.contacts_cursor import OVERLAP
from app.connectors.salesforce.contacts_mapping import marker_of, modified_at, row_key
from app.connectors.salesforce.contacts_paging import PagedQuery, QueryRunner
from app.connectors.salesforce.mapping import is_salesforce_id, soql_string
from app.sync.items import Item
from app.sync.stores import Gone, Listing, Lookup, Marked, OutOfScope, Removal

#: How far back markers are looked for when the store has no watermark.
MARKER_LOOKBACK = timedelta(days=30)
_MEMBERS_SELECT = "Id, SystemModstamp"
_OTHERS_SELECT = "Id, IsDeleted, SystemModstamp"


class _Known(StrEnum):
    IN = "in"
    OUT = "out"
    GONE = "gone"


class ActivityReader:
    """Reads the ``kind`` rows of the rep ``user_id``, and remembers what the pass read; holds the describe (shared
    with the writer)."""

    def __init__(self, runner: QueryRunner, kind: ActivityKind, *, user_id: str, clock: Callable[[], datetime]) -> None:
        self._runner = runner
        self._kind = kind
        self._user_id = user_id
        self._clock = clock
        self.describe: ActivityDescribe | None = None
        self._committed_watermark: datetime | None = None
        self._rows: dict[str, dict[str, Any]] = {}
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

    def run(self, queries: Sequence[PagedQuery]) -> None:
        """Read ``queries`` to the end, the describe riding along when it is not known yet."""
        extras = [describe_subrequest(self._kind.sobject)] if self.describe is None else []
        if not queries and not extras:
            return
        results = self._runner.run(queries, extras)
        self.describe = describe_from(results, self._kind.text_fields) or self.describe

    def full_rows(self, ids: Sequence[str]) -> list[PagedQuery]:
        """Queries of the full rows (deleted ones too) of ``ids``."""
        kind = self._kind
        valid = [record_id for record_id in dict.fromkeys(ids) if is_salesforce_id(record_id)]
        return [
            PagedQuery(
                f"ids{index}",
                activity_soql(kind.sobject, kind.select(), [ids_condition(valid[index : index + IDS_PER_QUERY])]),
                all_rows=True,
            )
            for index in range(0, len(valid), IDS_PER_QUERY)
        ]

    def take_rows(self, queries: Sequence[PagedQuery]) -> None:
        """Remember the rows ``queries`` (from :meth:`full_rows`) read."""
        for query in queries:
            for row in query.rows:
                self._remember(row)

    # -- listing ----------------------------------------------------------------------------------------------

    def list_changes(self, text: str | None) -> Listing:
        """The listing the cursor ``text`` calls for (see :meth:`app.sync.stores.ItemStore.list_changes`)."""
        now = self._clock()
        kind = self._kind
        self._rows.clear()
        self._known.clear()
        state = ActivityCursor.parse(text, scope=kind.cursor_scope(), user=self._user_id)
        if state is None:
            state = ActivityCursor.fresh(kind.cursor_scope(), self._user_id)
        self._committed_watermark = state.base.watermark
        self.describe = state.describe or self.describe
        extras = [describe_subrequest(kind.sobject)] if state.describe_due(now) else []
        mode = state.mode(now)
        queries = self._listing_queries(mode, state)
        results = self._runner.run(queries, extras)
        self.describe = describe_from(results, kind.text_fields) or self.describe
        return self._listing(mode, state, queries, now)

    def _listing_queries(self, mode: ListingMode, state: ActivityCursor) -> list[PagedQuery]:
        kind = self._kind
        select, scope = kind.select(), kind.scope_conditions()
        if mode is ListingMode.FULL:
            return [PagedQuery("rows", activity_soql(kind.sobject, select, scope), large=True)]
        assert state.base.watermark is not None
        changed = f"SystemModstamp >= {soql_datetime(state.base.watermark - OVERLAP)}"
        if mode is ListingMode.RECONCILE:
            return [
                PagedQuery("members", activity_soql(kind.sobject, _MEMBERS_SELECT, scope), large=True),
                PagedQuery("rows", activity_soql(kind.sobject, select, [*scope, changed])),
            ]
        others = [owner_condition(self._user_id, owned=False), changed]
        return [
            PagedQuery(
                "rows",
                activity_soql(kind.sobject, select, [*kind.feed_conditions(), changed]),
                all_rows=True,
                large=True,
            ),
            PagedQuery("others", activity_soql(kind.sobject, _OTHERS_SELECT, others), all_rows=True),
        ]

    def _listing(
        self, mode: ListingMode, state: ActivityCursor, queries: Sequence[PagedQuery], now: datetime
    ) -> Listing:
        by_key = {query.key: query for query in queries}
        complete = mode is not ListingMode.INCREMENTAL
        entries: dict[str, str] = {}
        removed: dict[str, Removal] = {}
        stamps: dict[str, str] = {}
        seen = state.base.seen

        def fresh(key: str, stamp: str) -> bool:
            return complete or seen.get(key) != stamp

        for row in by_key["rows"].rows:
            record_id, stamp = str(row["Id"]), str(row["SystemModstamp"])
            key = row_key(record_id)
            stamps[key] = stamp
            known = self._remember(row)
            if not fresh(key, stamp):
                continue
            if known is _Known.IN:
                entries[record_id] = stamp
            elif not complete:
                removed[record_id] = Removal.DELETED if known is _Known.GONE else Removal.LEFT_SCOPE
        for row in by_key["members"].rows if "members" in by_key else []:
            record_id, stamp = str(row["Id"]), str(row["SystemModstamp"])
            stamps.setdefault(row_key(record_id), stamp)
            if self._known.get(row_key(record_id)) in (None, _Known.IN):
                entries.setdefault(record_id, stamp)
        for row in by_key["others"].rows if "others" in by_key else []:
            record_id, stamp = str(row["Id"]), str(row["SystemModstamp"])
            key = row_key(record_id)
            stamps[key] = stamp
            self._known[key] = _Known.GONE if row.get("IsDeleted") else _Known.OUT
            if fresh(key, stamp):
                removed[record_id] = Removal.DELETED if row.get("IsDeleted") else Removal.LEFT_SCOPE
        cursor = state.advanced(stamps, now, complete=complete, describe=self.describe)
        return Listing(MappingProxyType(entries), complete, cursor.to_text(), MappingProxyType(removed))

    def _remember(self, row: dict[str, Any]) -> _Known:
        key = row_key(str(row["Id"]))
        if row.get("IsDeleted"):
            known = _Known.GONE
        else:
            self._rows[key] = row
            known = _Known.IN if self._kind.in_scope(row) else _Known.OUT
        self._known[key] = known
        return known

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
        if missing:
            queries = self.full_rows(missing)
            self._runner.run(queries, [])
            self.take_rows(queries)
        for record_id in missing:
            # Not returned at all: a row this rep may not see (or long purged) is out of scope, never deleted.
            result[record_id] = self._remembered(record_id) or OutOfScope(record_id)
        return result

    def _remembered(self, record_id: str) -> Lookup | None:
        key = row_key(record_id)
        known = self._known.get(key)
        if known is _Known.IN and key in self._rows:
            return self._item(self._rows[key])
        if known is _Known.OUT:
            return OutOfScope(record_id)
        if known is _Known.GONE:
            return Gone(record_id)
        return None

    def find_by_markers(self, markers: Sequence[str]) -> Mapping[str, Marked]:
        """See :meth:`app.sync.stores.ItemStore.find_by_markers`: one query over the rows the rep created or owns
        since the watermark (since 30 days without one), markers read from their Description."""
        wanted = set(markers)
        if not wanted:
            return {}
        kind = self._kind
        since = (
            self._committed_watermark - OVERLAP
            if self._committed_watermark is not None
            else self._clock() - MARKER_LOOKBACK
        )
        user = soql_string(self._user_id)
        mine = [f"OwnerId = {user} OR CreatedById = {user}", f"CreatedDate >= {soql_datetime(since)}"]
        made = PagedQuery("made", activity_soql(kind.sobject, kind.select() + ", CreatedDate", mine), large=True)
        self._runner.run([made], [])
        found: dict[str, Marked] = {}
        for row in sorted(made.rows, key=lambda row: (str(row.get("CreatedDate")), str(row["Id"]))):
            marker = marker_of(row)
            if marker in wanted and marker not in found:
                found[marker] = Marked(self._item(row), kind.in_scope(row))
        return found

    def _item(self, row: Mapping[str, Any]) -> Item:
        return Item(
            str(row["Id"]), str(row["SystemModstamp"]), self._kind.projection(row), marker_of(row), modified_at(row)
        )
