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
from datetime import datetime
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
from app.connectors.salesforce.contacts_mapping import marker_of, modified_at
from app.connectors.salesforce.contacts_paging import PagedQuery, QueryRunner
from app.connectors.salesforce.listing_builder import ListingBuilder
from app.connectors.salesforce.mapping import is_salesforce_id
from app.connectors.salesforce.marker_search import first_marked, made_by_conditions
from app.connectors.salesforce.pass_memory import PassMemory
from app.sync.items import Item
from app.sync.stores import Listing, Lookup, Marked

_MEMBERS_SELECT = "Id, SystemModstamp"
_OTHERS_SELECT = "Id, IsDeleted, SystemModstamp"


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
        self._memory = PassMemory(self._item)

    # -- what the pass read -----------------------------------------------------------------------------------

    def row(self, record_id: str) -> dict[str, Any] | None:
        """The full row of ``record_id`` read during this pass, if any."""
        return self._memory.row(record_id)

    def forget(self, record_id: str) -> None:
        """Drop what the pass read of ``record_id`` (it was just written)."""
        self._memory.forget(record_id)

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
                self._memory.keep(row, self._kind.in_scope)

    # -- listing ----------------------------------------------------------------------------------------------

    def list_changes(self, text: str | None) -> Listing:
        """The listing the cursor ``text`` calls for (see :meth:`app.sync.stores.ItemStore.list_changes`)."""
        now = self._clock()
        kind = self._kind
        self._memory.clear()
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
        builder = ListingBuilder(self._memory, complete=mode is not ListingMode.INCREMENTAL, seen=state.base.seen)
        builder.read(queries, in_scope=self._kind.in_scope)
        cursor = state.advanced(builder.stamps, now, complete=builder.complete, describe=self.describe)
        return builder.listing(cursor.to_text())

    # -- get_many and markers ---------------------------------------------------------------------------------

    def get_many(self, ids: Sequence[str]) -> Mapping[str, Lookup]:
        """See :meth:`app.sync.stores.ItemStore.get_many`; ids the listing read cost nothing."""
        result, missing = self._memory.answered(ids)
        if missing:
            queries = self.full_rows(missing)
            self._runner.run(queries, [])
            self.take_rows(queries)
        return {**result, **self._memory.after_reading(missing)}

    def find_by_markers(self, markers: Sequence[str]) -> Mapping[str, Marked]:
        """See :meth:`app.sync.stores.ItemStore.find_by_markers`: one query over the rows the rep created or owns
        since the watermark (since 30 days without one), markers read from their Description."""
        wanted = set(markers)
        if not wanted:
            return {}
        kind = self._kind
        mine = made_by_conditions(self._user_id, self._committed_watermark, self._clock)
        made = PagedQuery("made", activity_soql(kind.sobject, kind.select() + ", CreatedDate", mine), large=True)
        self._runner.run([made], [])
        return first_marked(made.rows, wanted, lambda row: Marked(self._item(row), kind.in_scope(row)))

    def _item(self, row: Mapping[str, Any]) -> Item:
        return Item(
            str(row["Id"]), str(row["SystemModstamp"]), self._kind.projection(row), marker_of(row), modified_at(row)
        )
