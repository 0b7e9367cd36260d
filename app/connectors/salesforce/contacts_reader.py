"""Reading the rep's contacts for the Salesforce contact store: the listings (complete, reconcile or incremental: see
:mod:`app.connectors.salesforce.contacts_store`), ``get_many``, which answers from what the pass has read whenever it
can, and the search for markers.

Vendor errors come out as they are; the store turns them into :class:`app.sync.stores.StoreError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
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
from app.connectors.salesforce.listing_builder import ListingBuilder
from app.connectors.salesforce.marker_search import first_marked, made_by_conditions
from app.connectors.salesforce.pass_memory import PassMemory
from app.sync.items import Item
from app.sync.stores import Listing, Lookup, Marked

_MEMBERS_SELECT = "Id, SystemModstamp"


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
        self._memory = PassMemory(_item)

    # -- what the pass read -----------------------------------------------------------------------------------

    def row(self, record_id: str) -> dict[str, Any] | None:
        """The full row of ``record_id`` read during this pass, if any."""
        return self._memory.row(record_id)

    def forget(self, record_id: str) -> None:
        """Drop what the pass read of ``record_id`` (it was just written)."""
        self._memory.forget(record_id)

    # -- listing ----------------------------------------------------------------------------------------------

    def list_changes(self, text: str | None) -> Listing:
        """The listing the cursor ``text`` calls for (see :meth:`app.sync.stores.ItemStore.list_changes`)."""
        now = self._clock()
        self._memory.clear()
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
        builder = ListingBuilder(self._memory, complete=mode is not ListingMode.INCREMENTAL, seen=state.seen)
        builder.read(queries, in_scope=_listed)
        metadata = self._metadata
        cursor = state.advanced(
            builder.stamps,
            now,
            complete=builder.complete,
            refreshed=refreshed,
            describe=metadata.describe,
            view_filter=metadata.view,
            view_hash=metadata.view_hash,
        )
        return builder.listing(cursor.to_text())

    # -- get_many and markers ---------------------------------------------------------------------------------

    def get_many(self, ids: Sequence[str]) -> Mapping[str, Lookup]:
        """See :meth:`app.sync.stores.ItemStore.get_many`; ids the listing read cost nothing."""
        result, missing = self._memory.answered(ids)
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
                self._memory.keep(row, lambda live: self._in_scope(live, in_view))
        return {**result, **self._memory.after_reading(missing)}

    def find_by_markers(self, markers: Sequence[str]) -> Mapping[str, Marked]:
        """See :meth:`app.sync.stores.ItemStore.find_by_markers`: one query over the contacts the rep created or
        owns since the watermark (since 30 days without one), markers read from their Description."""
        wanted = set(markers)
        if not wanted:
            return {}
        if self._scope is ContactScope.LIST_VIEW:
            self._ensure_metadata()
        mine = made_by_conditions(self._user_id, self._committed_watermark, self._clock)
        select = select_list(self._metadata.describe) + ", CreatedDate"
        made = PagedQuery("made", contact_soql(select, mine), large=True)
        queries = [made]
        if self._scope is ContactScope.LIST_VIEW:
            conditions, using = self._scope_filter()
            queries.append(PagedQuery("inView", contact_soql("Id", [*conditions, *mine], scope=using)))
        self._runner.run(queries, [])
        in_view = {row_key(str(row["Id"])) for row in queries[-1].rows} if len(queries) > 1 else set()
        return first_marked(made.rows, wanted, lambda row: Marked(_item(row), self._in_scope(row, in_view)))

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


def _listed(row: Mapping[str, Any]) -> bool:
    """A live row a listing read is in scope: its queries select the scope's rows."""
    return True


def _item(row: Mapping[str, Any]) -> Item:
    return Item(
        str(row["Id"]),
        str(row["SystemModstamp"]),
        projection(row),
        marker_of(row),
        modified_at(row),
    )
