"""What the Salesforce Event and Task stores share: :class:`ActivityStore` is an :class:`app.sync.stores.ItemStore`
over one activity object of one rep, put together from the shared reader and writer and an
:class:`app.connectors.salesforce.activities_kind.ActivityKind` that says what is synced and how.

Reading costs one composite call per 10,000 rows (a quiet listing is one call); writing, one composite call per
1,000 records, plus one call before updates of records the pass has not read (and, for events, the attendees'
lookups and relations: see :mod:`app.connectors.salesforce.events_relations`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from app.connectors.retry import RetryPolicy
from app.connectors.salesforce.activities_kind import ActivityKind
from app.connectors.salesforce.activities_reader import ActivityReader
from app.connectors.salesforce.activities_writer import ActivityWriter, Relater
from app.connectors.salesforce.contacts_calls import SalesforceCaller
from app.connectors.salesforce.contacts_collections import CollectionWriter
from app.connectors.salesforce.contacts_errors import as_store_errors
from app.connectors.salesforce.contacts_paging import QueryRunner
from app.sync.stores import Create, Delete, Listing, Lookup, Marked, Update, WriteResult


def utc_now() -> datetime:
    """The current time, timezone-aware UTC (the stores' default clock)."""
    return datetime.now(UTC)


class ActivityStore:
    """The rep's ``kind`` records as one side of a sync (see the module docstring).

    ``user_id`` is the rep's Salesforce User Id (checked), who owns the records synced and the records the store
    creates. ``relater``, when given, makes what relates a write batch beyond its records (an event's attendees),
    writing with the store's collections. ``clock`` is the current time (timezone-aware UTC).
    """

    def __init__(
        self,
        caller: SalesforceCaller,
        kind: ActivityKind,
        *,
        user_id: str,
        retry: RetryPolicy,
        clock: Callable[[], datetime],
        relater: Callable[[CollectionWriter], Relater] | None = None,
    ) -> None:
        collections = CollectionWriter(caller, retry, label=kind.label)
        self._label = kind.label
        self._reader = ActivityReader(QueryRunner(caller, retry), kind, user_id=user_id, clock=clock)
        self._writer = ActivityWriter(
            self._reader,
            collections,
            kind,
            user_id=user_id,
            relater=relater(collections) if relater is not None else None,
        )

    # -- ItemStore: reading -----------------------------------------------------------------------------------

    def list_changes(self, cursor: str | None) -> Listing:
        """See :meth:`app.sync.stores.ItemStore.list_changes`."""
        with as_store_errors(f"listing {self._label}", label=self._label):
            return self._reader.list_changes(cursor)

    def get_many(self, ids: Sequence[str]) -> Mapping[str, Lookup]:
        """See :meth:`app.sync.stores.ItemStore.get_many`; ids the listing read cost nothing."""
        with as_store_errors(f"reading {self._label}", label=self._label):
            return self._reader.get_many(ids)

    def find_by_markers(self, markers: Sequence[str]) -> Mapping[str, Marked]:
        """See :meth:`app.sync.stores.ItemStore.find_by_markers`: one query over the records the rep created or
        owns since the watermark (since 30 days without one), markers read from their Description."""
        with as_store_errors("looking for markers", label=self._label):
            return self._reader.find_by_markers(markers)

    # -- ItemStore: writing -----------------------------------------------------------------------------------

    def create_many(self, creates: Sequence[Create]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.create_many`: owned by the rep, the marker in Description."""
        return self._writer.create_many(creates)

    def update_many(self, updates: Sequence[Update]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.update_many`. Every mapped field is set (absent: cleared).
        Salesforce's collections take no precondition: the etag is not checked."""
        return self._writer.update_many(updates)

    def delete_many(self, deletes: Sequence[Delete]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.delete_many`; a record already deleted is NOT_FOUND."""
        return self._writer.delete_many(deletes)
