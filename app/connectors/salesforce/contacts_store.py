"""The Salesforce side of contact sync: :class:`SalesforceContactStore` is an :class:`app.sync.stores.ItemStore`
over the Contacts of one rep, in one of three scopes (all the contacts they can see, the ones they own, or a list
view).

Reading costs one composite call per 10,000 rows: up to five query subrequests of 2,000 rows, the later ones paging
on through the earlier ones' results by reference (``@{ref.nextRecordsUrl}``). A listing is one of:

- **complete, first time** (no cursor, or nothing seen yet): every contact in scope, with its fields;
- **reconcile** (a list view on every pass; other scopes once a day, or when the cursor is older than the 14 days
  the Recycle Bin surely keeps): the Id and SystemModstamp of every contact in scope, plus the fields of those
  changed since the watermark; linked contacts missing from it are probed by the engine;
- **incremental**: ``queryAll`` of the contacts changed since the watermark (minus an overlap of a few minutes,
  re-read rows the previous listing already reported are left out), which shows deletions (``IsDeleted``); for
  "my contacts", a second, Id-only query reports the contacts that stopped being the rep's as having left scope.

The etag is the SystemModstamp. The watermark is the latest one read, or the listing's start less the overlap when
that is later (so that a quiet scope does not re-read its last burst of changes forever). The Contact describe
(field lengths, readable fields) and a list view's SOQL are kept in the cursor and read again once a day, riding in
the listing's call; :meth:`get_many` answers from what the listing read whenever it can.

Writes go out as sObject Collections (200 records), five per composite call, ``allOrNone`` false, with per-record
results; the Company rule's Account lookups for a batch take one more call. See
:mod:`app.connectors.salesforce.contacts_mapping` for the fields, the marker and the rules on what is written.

The store is put together from modules with one job each: the cursor (``contacts_cursor``), the describe and list
view SOQL (``contacts_metadata``), the scopes (``contacts_scope``), the paged composite reads (``contacts_paging``,
over ``contacts_calls``), the listings, ``get_many`` and markers (``contacts_reader``), the writes and the Company
rule's lookups (``contacts_writer``, over ``contacts_collections``), and what failures mean (``contacts_errors``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from app.connectors.retry import RetryPolicy
from app.connectors.salesforce.contacts_calls import SalesforceCaller
from app.connectors.salesforce.contacts_collections import CollectionWriter
from app.connectors.salesforce.contacts_errors import as_store_errors
from app.connectors.salesforce.contacts_metadata import ContactMetadata
from app.connectors.salesforce.contacts_paging import QueryRunner
from app.connectors.salesforce.contacts_reader import ContactReader
from app.connectors.salesforce.contacts_scope import ContactScope
from app.connectors.salesforce.contacts_writer import ContactWriter
from app.connectors.salesforce.mapping import require_id
from app.sync.stores import Create, Delete, Listing, Lookup, Marked, Update, WriteResult

__all__ = ["ContactScope", "SalesforceCaller", "SalesforceContactStore"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SalesforceContactStore:
    """The rep's Salesforce Contacts as one side of contact sync (see the module docstring).

    ``user_id`` is the rep's Salesforce User Id: "mine" is ``OwnerId = user_id``, and it owns the contacts the store
    creates. ``clock`` is the current time (timezone-aware UTC), used for the ages of the cursor and metadata.
    """

    def __init__(
        self,
        caller: SalesforceCaller,
        *,
        user_id: str,
        scope: ContactScope = ContactScope.MINE,
        list_view_id: str | None = None,
        retry: RetryPolicy = RetryPolicy(),
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        if scope is ContactScope.LIST_VIEW and not list_view_id:
            raise ValueError("a list view scope needs the list view's id")
        user_id = require_id(user_id)
        view_id = require_id(list_view_id) if scope is ContactScope.LIST_VIEW and list_view_id else None
        runner = QueryRunner(caller, retry)
        metadata = ContactMetadata(view_id)
        self._reader = ContactReader(runner, metadata, user_id=user_id, scope=scope, clock=clock)
        self._writer = ContactWriter(self._reader, runner, metadata, CollectionWriter(caller, retry), user_id=user_id)

    # -- ItemStore: reading -----------------------------------------------------------------------------------

    def list_changes(self, cursor: str | None) -> Listing:
        """See :meth:`app.sync.stores.ItemStore.list_changes`."""
        with as_store_errors("listing contacts"):
            return self._reader.list_changes(cursor)

    def get_many(self, ids: Sequence[str]) -> Mapping[str, Lookup]:
        """See :meth:`app.sync.stores.ItemStore.get_many`; ids the listing read cost nothing."""
        with as_store_errors("reading contacts"):
            return self._reader.get_many(ids)

    def find_by_markers(self, markers: Sequence[str]) -> Mapping[str, Marked]:
        """See :meth:`app.sync.stores.ItemStore.find_by_markers`: one query over the contacts the rep created or
        owns since the watermark (since 30 days without one), markers read from their Description."""
        with as_store_errors("looking for markers"):
            return self._reader.find_by_markers(markers)

    # -- ItemStore: writing -----------------------------------------------------------------------------------

    def create_many(self, creates: Sequence[Create]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.create_many`: owned by the rep, the marker in Description, the
        Account by the Company rule."""
        return self._writer.create_many(creates)

    def update_many(self, updates: Sequence[Update]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.update_many`. Every mapped field is set (absent: cleared); a changed
        company finds its Account again (no match keeps the current one). Salesforce's collections take no
        precondition: the etag is not checked."""
        return self._writer.update_many(updates)

    def delete_many(self, deletes: Sequence[Delete]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.delete_many`; a contact already deleted is NOT_FOUND."""
        return self._writer.delete_many(deletes)
