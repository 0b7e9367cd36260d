"""What the Salesforce Event and Task stores share: :class:`ActivityStore` is an :class:`app.sync.stores.ItemStore`
over one activity object of one rep, put together from the shared reader and writer and an
:class:`app.connectors.salesforce.activities_kind.ActivityKind` that says what is synced and how.

Reading costs one composite call per 10,000 rows (a quiet listing is one call); writing, one composite call per
1,000 records, plus one call before updates of records the pass has not read (and, for events, the attendees'
lookups and relations: see :mod:`app.connectors.salesforce.events_relations`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.connectors.salesforce.activities_kind import ActivityKind
from app.connectors.salesforce.activities_reader import ActivityReader
from app.connectors.salesforce.activities_writer import ActivityWriter
from app.connectors.salesforce.contacts_errors import as_store_errors
from app.sync.stores import Create, Delete, Listing, Lookup, Marked, Update, WriteResult


class ActivityStore:
    """The rep's events or tasks as one side of a sync (see the module docstring)."""

    def __init__(self, kind: ActivityKind, reader: ActivityReader, writer: ActivityWriter) -> None:
        self._label = kind.label
        self._reader = reader
        self._writer = writer

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
