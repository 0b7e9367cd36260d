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
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

from app.connectors import contact_fields as cf
from app.connectors.errors import InvalidData, LimitExceeded, NotFound, Throttled, VendorError, VendorUnavailable
from app.connectors.retry import RetryPolicy, with_retries
from app.connectors.salesforce.client import (
    MAX_COLLECTION_RECORDS,
    MAX_QUERY_SUBREQUESTS,
    NextBatchOf,
    SalesforceClient,
    Subrequest,
    SubResult,
    error_for,
    raise_for_result,
)
from app.connectors.salesforce.contacts_mapping import (
    LIMIT_CODE,
    ContactDescribe,
    DuplicateFailure,
    ListViewFilter,
    Prepared,
    accounts_containing_any_query,
    accounts_named_any_query,
    choose_accounts,
    company_chunks,
    company_key,
    contact_soql,
    error_code,
    ids_condition,
    marker_of,
    modified_at,
    owner_condition,
    parse_stamp,
    prepare,
    projection,
    row_key,
    select_list,
    soql_datetime,
    stored_if_different,
    write_failure,
)
from app.connectors.salesforce.mapping import (
    AccountRef,
    accounts_containing_query,
    accounts_named_query,
    choose_account,
    is_salesforce_id,
    query_records,
    require_id,
    soql_string,
)
from app.sync.items import Fields, Item
from app.sync.stores import (
    Create,
    Delete,
    FailureKind,
    Gone,
    Listing,
    Lookup,
    Marked,
    OutOfScope,
    Removal,
    StoreError,
    Update,
    WriteFailure,
    WriteResult,
    Written,
)

T = TypeVar("T")

#: Rows re-read before the watermark on every incremental listing (records committed late carry earlier stamps).
OVERLAP = timedelta(minutes=5)
#: A cursor older than this lists everything again (the Recycle Bin keeps deleted rows for 15 days).
CURSOR_MAX_AGE = timedelta(days=14)
#: How often "all" and "mine" list complete memberships anyway (sharing changes move no SystemModstamp).
RECONCILE_EVERY = timedelta(days=1)
#: How long the cached describe and list view SOQL are trusted.
METADATA_MAX_AGE = timedelta(days=1)
#: How far back markers are looked for when the store has no watermark.
MARKER_LOOKBACK = timedelta(days=30)
#: Re-read rows remembered in the cursor at most, newest first (beyond it, a re-read row is reported again with
#: the etag the engine already has, which costs nothing but keeps the cursor small after a bulk load).
SEEN_LIMIT = 2000
#: Ids per ``Id IN (...)`` query.
IDS_PER_QUERY = 200
#: Rows per query batch (Salesforce's default and maximum).
BATCH_ROWS = 2000
_CURSOR_VERSION = 1
_DESCRIBE = "describe"
_VIEW = "listView"
_MEMBERS_SELECT = "Id, SystemModstamp"


class SalesforceCaller(Protocol):
    """Runs an operation with the rep's Salesforce client (:class:`app.services.salesforce_access.RepSalesforce`)."""

    def call(self, operation: Callable[[SalesforceClient], T]) -> T:
        """Run ``operation`` (refreshing the token once when Salesforce says it expired)."""
        ...


class ContactScope(StrEnum):
    """Which contacts are synced."""

    ALL = "all"  # every contact the rep can see
    MINE = "mine"  # the contacts the rep owns
    LIST_VIEW = "list_view"  # the members of a Contact list view


class _Mode(StrEnum):
    FULL = "full"
    RECONCILE = "reconcile"
    INCREMENTAL = "incremental"


class _Known(StrEnum):
    IN = "in"
    OUT = "out"
    GONE = "gone"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.utcoffset() is not None else None


@dataclass
class _Cursor:
    """What the store keeps between passes (as JSON in the engine's cursor)."""

    scope: str
    user: str
    view: str | None
    watermark: datetime | None = None
    seen: dict[str, str] = field(default_factory=dict)
    listed_at: datetime | None = None
    complete_at: datetime | None = None
    metadata_at: datetime | None = None
    describe: ContactDescribe | None = None
    view_filter: ListViewFilter | None = None
    view_hash: str | None = None

    def to_text(self) -> str:
        data = {
            "v": _CURSOR_VERSION,
            "scope": self.scope,
            "user": self.user,
            "view": self.view,
            "watermark": _iso(self.watermark),
            "seen": self.seen,
            "listed_at": _iso(self.listed_at),
            "complete_at": _iso(self.complete_at),
            "metadata_at": _iso(self.metadata_at),
            "describe": self.describe.to_json() if self.describe else None,
            "view_filter": [self.view_filter.scope, self.view_filter.where] if self.view_filter else None,
            "view_hash": self.view_hash,
        }
        return json.dumps(data, separators=(",", ":"), sort_keys=True)

    @classmethod
    def parse(cls, text: str | None, *, scope: str, user: str, view: str | None) -> _Cursor | None:
        """The cursor, when ``text`` is one of ours for the same scope; None otherwise (list everything)."""
        try:
            data = json.loads(text) if text else None
            if not isinstance(data, dict) or data.get("v") != _CURSOR_VERSION:
                return None
            if (data.get("scope"), data.get("user"), data.get("view")) != (scope, user, view):
                return None
            view_filter = data.get("view_filter")
            seen = data.get("seen") or {}
            return cls(
                scope=scope,
                user=user,
                view=view,
                watermark=_moment(data.get("watermark")),
                seen={str(k): str(v) for k, v in seen.items()} if isinstance(seen, dict) else {},
                listed_at=_moment(data.get("listed_at")),
                complete_at=_moment(data.get("complete_at")),
                metadata_at=_moment(data.get("metadata_at")),
                describe=ContactDescribe.from_json(data.get("describe")),
                view_filter=ListViewFilter(view_filter[0], view_filter[1]) if isinstance(view_filter, list) else None,
                view_hash=data.get("view_hash"),
            )
        except (ValueError, TypeError, IndexError, AttributeError):
            return None


@dataclass
class _Query:
    """One logical query, read batch by batch over as many composite calls as it takes."""

    key: str
    soql: str
    all_rows: bool = False
    #: Whether the query may run to many batches (it gets the spare subrequests before its size is known).
    large: bool = False
    rows: list[dict[str, Any]] = field(default_factory=list)
    total: int | None = None
    next_url: str | None = None
    started: bool = False

    @property
    def done(self) -> bool:
        return self.started and self.next_url is None

    def batches_left(self) -> int | None:
        """Batches still to read (None before the first one says how many rows there are)."""
        if not self.started:
            return None
        if self.next_url is None:
            return 0
        return max(1, math.ceil(((self.total or 0) - len(self.rows)) / BATCH_ROWS))

    def first_subrequest(self, reference_id: str) -> Subrequest:
        if self.next_url is not None:
            return Subrequest.next_batch(reference_id, self.next_url)
        if self.all_rows:
            return Subrequest.query_all(reference_id, self.soql)
        return Subrequest.query(reference_id, self.soql)

    def absorb(self, results: Mapping[str, SubResult], references: Sequence[str]) -> None:
        """Take in the batches a call returned; a chained batch after the last one failed on purpose."""
        for index, reference in enumerate(references):
            if index > 0 and self.next_url is None:
                return
            result = results[reference]
            if not result.ok:
                raise error_for(result.status, result.body)
            body = result.body if isinstance(result.body, Mapping) else {}
            self.rows.extend(query_records(body))
            self.total = int(body.get("totalSize") or 0)
            next_url = body.get("nextRecordsUrl")
            self.next_url = str(next_url) if next_url and not body.get("done", True) else None
            self.started = True
            if self.next_url is not None:
                try:
                    Subrequest.next_batch(reference, self.next_url)
                except ValueError:
                    raise VendorUnavailable(
                        "salesforce", "Salesforce answered a query with an odd nextRecordsUrl"
                    ) from None


@contextmanager
def _as_store_errors(action: str) -> Iterator[None]:
    try:
        yield
    except VendorError as error:
        raise StoreError(f"Salesforce contacts: {action} failed: {error.message}") from error


class _LostResponse(Exception):
    """A create's call may or may not have reached Salesforce: never retried."""

    def __init__(self, error: VendorUnavailable) -> None:
        super().__init__(error.message)
        self.error = error


@dataclass(frozen=True)
class _CompanyLookup:
    accounts: Mapping[str, AccountRef | None]
    rows: Mapping[str, dict[str, Any]]


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
        self._caller = caller
        self._user_id = require_id(user_id)
        self._scope = scope
        self._view_id = require_id(list_view_id) if scope is ContactScope.LIST_VIEW and list_view_id else None
        self._retry = retry
        self._clock = clock
        self._describe: ContactDescribe | None = None
        self._view: ListViewFilter | None = None
        self._view_hash: str | None = None
        self._committed_watermark: datetime | None = None
        self._limit_reached = False
        #: Full rows read during this pass, by 15-character id.
        self._rows: dict[str, dict[str, Any]] = {}
        #: What get_many can answer without a call, by 15-character id.
        self._known: dict[str, _Known] = {}

    # -- ItemStore: reading -----------------------------------------------------------------------------------

    def list_changes(self, cursor: str | None) -> Listing:
        """See :meth:`app.sync.stores.ItemStore.list_changes`."""
        with _as_store_errors("listing contacts"):
            return self._list_changes(cursor)

    def get_many(self, ids: Sequence[str]) -> Mapping[str, Lookup]:
        """See :meth:`app.sync.stores.ItemStore.get_many`; ids the listing read cost nothing."""
        with _as_store_errors("reading contacts"):
            return self._get_many(ids)

    def find_by_markers(self, markers: Sequence[str]) -> Mapping[str, Marked]:
        """See :meth:`app.sync.stores.ItemStore.find_by_markers`: one query over the contacts the rep created or
        owns since the watermark (since 30 days without one), markers read from their Description."""
        with _as_store_errors("looking for markers"):
            return self._find_by_markers(markers)

    # -- ItemStore: writing -----------------------------------------------------------------------------------

    def create_many(self, creates: Sequence[Create]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.create_many`: owned by the rep, the marker in Description, the
        Account by the Company rule."""
        if not creates:
            return []
        self._check_limit()
        with _as_store_errors("preparing contacts"):
            lookup = self._lookup([c.fields.get(cf.COMPANY) for c in creates], [])
        lengths = self._lengths()
        slots: list[WriteResult | None] = []
        payloads: list[dict[str, Any]] = []
        stored: list[Fields | None] = []
        for create in creates:
            prepared = prepare(create.fields, lengths)
            if isinstance(prepared, WriteFailure):
                slots.append(prepared)
                continue
            record: dict[str, Any] = {"attributes": {"type": "Contact"}}
            record.update({name: value for name, value in prepared.values.items() if value is not None})
            record["OwnerId"] = self._user_id
            if self._describe is not None and self._describe.marker_writable:
                record["Description"] = create.marker
            account = lookup.accounts.get(company_key(prepared.company)) if prepared.company else None
            if account is not None:
                record["AccountId"] = account.id
            slots.append(None)
            payloads.append(record)
            stored.append(stored_if_different(create.fields, prepared.written, account.name if account else None))
        answers = iter(self._write("POST", "composite/sobjects", payloads))
        kept = iter(stored)
        results: list[WriteResult] = []
        for slot in slots:
            if slot is not None:
                results.append(slot)
                continue
            answer, written = next(answers), next(kept)
            if isinstance(answer, WriteFailure):
                results.append(answer)
            else:
                results.append(Written(str(answer["id"]), "", written))
        return self._link_duplicates(results)

    def _link_duplicates(self, results: list[WriteResult]) -> list[WriteResult]:
        """A create a duplicate rule refused is linked to the record it matched, when that record is in scope:
        the existing contact stands for the new one (as it holds), instead of failing on every pass."""
        matches = sorted({m for r in results if isinstance(r, DuplicateFailure) for m in r.matches})
        if not matches:
            return results
        with _as_store_errors("reading the records duplicate rules matched"):
            found = self._get_many(matches)
        linked: list[WriteResult] = []
        for result in results:
            match = None
            if isinstance(result, DuplicateFailure):
                match = next((found[m] for m in result.matches if isinstance(found.get(m), Item)), None)
            if isinstance(match, Item):
                linked.append(Written(match.id, match.etag, match.fields))
            else:
                linked.append(result)
        return linked

    def update_many(self, updates: Sequence[Update]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.update_many`. Every mapped field is set (absent: cleared); a changed
        company finds its Account again (no match keeps the current one). Salesforce's collections take no
        precondition: the etag is not checked."""
        if not updates:
            return []
        self._check_limit()
        resolve: list[str | None] = []
        unknown: list[str] = []
        for update in updates:
            company = _single(update.fields.get(cf.COMPANY))
            row = self._rows.get(row_key(update.id))
            if company and (row is None or company_key(_account_name(row) or "") != company_key(company)):
                resolve.append(company)
                if row is None and is_salesforce_id(update.id):
                    unknown.append(update.id)
        with _as_store_errors("preparing contacts"):
            lookup = self._lookup(resolve, unknown)
        lengths = self._lengths()
        slots: list[WriteResult | None] = []
        payloads: list[dict[str, Any]] = []
        stored: list[Fields | None] = []
        for update in updates:
            key = row_key(update.id)
            row = self._rows.get(key) or lookup.rows.get(key)
            prepared = prepare(update.fields, lengths, current_phone=_single(row.get("Phone")) if row else None)
            if isinstance(prepared, WriteFailure):
                slots.append(prepared)
                continue
            if not is_salesforce_id(update.id):
                slots.append(WriteFailure(FailureKind.NOT_FOUND, f"{update.id!r} is not a Salesforce id"))
                continue
            record: dict[str, Any] = {"attributes": {"type": "Contact"}, "id": update.id, **prepared.values}
            company = self._account_for_update(record, prepared, row, lookup)
            slots.append(None)
            payloads.append(record)
            stored.append(stored_if_different(update.fields, prepared.written, company))
        answers = iter(self._write("PATCH", "composite/sobjects", payloads))
        kept = iter(stored)
        results: list[WriteResult] = []
        for update, slot in zip(updates, slots, strict=True):
            self._forget(update.id)
            if slot is not None:
                results.append(slot)
                continue
            answer, written = next(answers), next(kept)
            results.append(answer if isinstance(answer, WriteFailure) else Written(update.id, "", written))
        return results

    def delete_many(self, deletes: Sequence[Delete]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.delete_many`; a contact already deleted is NOT_FOUND."""
        if not deletes:
            return []
        self._check_limit()
        ids = [delete.id for delete in deletes if is_salesforce_id(delete.id)]
        answers = iter(self._write("DELETE", "composite/sobjects", ids))
        results: list[WriteResult] = []
        for delete in deletes:
            self._forget(delete.id)
            if not is_salesforce_id(delete.id):
                results.append(WriteFailure(FailureKind.NOT_FOUND, f"{delete.id!r} is not a Salesforce id"))
                continue
            answer = next(answers)
            results.append(answer if isinstance(answer, WriteFailure) else Written(delete.id, ""))
        return results

    # -- listing ----------------------------------------------------------------------------------------------

    def _list_changes(self, text: str | None) -> Listing:
        now = self._clock()
        self._rows.clear()
        self._known.clear()
        state = _Cursor.parse(text, scope=self._scope.value, user=self._user_id, view=self._view_id)
        if state is None:
            state = _Cursor(self._scope.value, self._user_id, self._view_id)
        self._committed_watermark = state.watermark
        self._describe = state.describe
        self._view, self._view_hash = state.view_filter, state.view_hash
        refresh = state.metadata_at is None or now - state.metadata_at >= METADATA_MAX_AGE or self._describe is None
        extras = self._metadata_subrequests() if refresh else []
        if self._scope is ContactScope.LIST_VIEW and self._view is None:
            self._take_metadata(self._run([], extras), refreshed_view=False)
            extras = []
        mode = self._mode(state, now)
        queries = self._listing_queries(mode, state)
        try:
            results = self._run(queries, extras)
        except InvalidData as error:
            if not (extras and state.describe is None and error.code == "INVALID_FIELD"):
                raise
            # A field the rep may not read (field-level security): learn which from the describe, list again.
            self._take_metadata(self._run([], extras), refreshed_view=False)
            extras, results = [], {}
            queries = self._listing_queries(mode, state)
            self._run(queries, [])
        if extras and self._take_metadata(results, refreshed_view=True):
            mode = _Mode.FULL if state.watermark is None else _Mode.RECONCILE
            queries = self._listing_queries(mode, state)
            self._run(queries, [])
        return self._listing(mode, state, queries, now, refreshed=refresh)

    def _mode(self, state: _Cursor, now: datetime) -> _Mode:
        if state.watermark is None or state.listed_at is None or state.complete_at is None:
            return _Mode.FULL
        if (
            self._scope is ContactScope.LIST_VIEW
            or now - state.listed_at >= CURSOR_MAX_AGE
            or now - state.complete_at >= RECONCILE_EVERY
        ):
            return _Mode.RECONCILE
        return _Mode.INCREMENTAL

    def _scope_filter(self) -> tuple[list[str], str | None]:
        if self._scope is ContactScope.MINE:
            return [owner_condition(self._user_id)], None
        if self._scope is ContactScope.LIST_VIEW:
            assert self._view is not None
            return self._view.conditions(), self._view.scope
        return [], None

    def _listing_queries(self, mode: _Mode, state: _Cursor) -> list[_Query]:
        select = select_list(self._describe)
        conditions, using = self._scope_filter()
        if mode is _Mode.FULL:
            return [_Query("rows", contact_soql(select, conditions, scope=using), large=True)]
        assert state.watermark is not None
        changed = f"SystemModstamp >= {soql_datetime(state.watermark - OVERLAP)}"
        if mode is _Mode.RECONCILE:
            return [
                _Query("members", contact_soql(_MEMBERS_SELECT, conditions, scope=using), large=True),
                _Query("rows", contact_soql(select, [*conditions, changed], scope=using)),
            ]
        queries = [_Query("rows", contact_soql(select, [*conditions, changed]), all_rows=True, large=True)]
        if self._scope is ContactScope.MINE:
            others = [owner_condition(self._user_id, owned=False), changed]
            queries.append(_Query("others", contact_soql("Id, IsDeleted, SystemModstamp", others), all_rows=True))
        return queries

    def _listing(
        self, mode: _Mode, state: _Cursor, queries: Sequence[_Query], now: datetime, *, refreshed: bool
    ) -> Listing:
        by_key = {query.key: query for query in queries}
        complete = mode is not _Mode.INCREMENTAL
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
        cursor = self._next_cursor(state, stamps, now, complete=complete, refreshed=refreshed)
        return Listing(MappingProxyType(entries), complete, cursor.to_text(), MappingProxyType(removed))

    def _next_cursor(
        self, state: _Cursor, stamps: Mapping[str, str], now: datetime, *, complete: bool, refreshed: bool
    ) -> _Cursor:
        # The latest stamp read, or the listing's start less the overlap when that is later: the next listing then
        # re-reads the last few minutes, not everything since the last change (a clock ahead of Salesforce's by
        # less than twice the overlap loses nothing).
        candidates = [parse_stamp(stamp) for stamp in stamps.values()] + [now - OVERLAP]
        watermark = max([*candidates, *([state.watermark] if state.watermark else [])])
        floor = watermark - OVERLAP
        recent = [(key, stamp) for key, stamp in state.seen.items() if key not in stamps]
        recent += list(stamps.items())
        kept = [(parse_stamp(stamp), key, stamp) for key, stamp in recent]
        kept = sorted((item for item in kept if item[0] >= floor), reverse=True)[:SEEN_LIMIT]
        seen = {key: stamp for _when, key, stamp in kept}
        return _Cursor(
            scope=state.scope,
            user=state.user,
            view=state.view,
            watermark=watermark,
            seen=seen,
            listed_at=now,
            complete_at=now if complete else state.complete_at,
            metadata_at=now if refreshed else state.metadata_at,
            describe=self._describe,
            view_filter=self._view,
            view_hash=self._view_hash,
        )

    # -- metadata ---------------------------------------------------------------------------------------------

    def _metadata_subrequests(self) -> list[Subrequest]:
        extras = [Subrequest(_DESCRIBE, "GET", "sobjects/Contact/describe")]
        if self._view_id is not None:
            extras.append(Subrequest(_VIEW, "GET", f"sobjects/Contact/listviews/{self._view_id}/describe"))
        return extras

    def _take_metadata(self, results: Mapping[str, SubResult], *, refreshed_view: bool) -> bool:
        """Keep the describe and list view SOQL from ``results``; True when the list view's definition changed
        under a listing that already ran."""
        if _DESCRIBE in results:
            raise_for_result(results[_DESCRIBE])
            self._describe = ContactDescribe.from_body(results[_DESCRIBE].body)
        if _VIEW not in results:
            return False
        raise_for_result(results[_VIEW])
        body = results[_VIEW].body
        soql = str(body.get("query") or "") if isinstance(body, Mapping) else ""
        digest = hashlib.sha256(soql.encode("utf-8")).hexdigest()
        changed = digest != self._view_hash
        try:
            self._view = ListViewFilter.parse(soql)
        except ValueError as error:
            raise StoreError(f"Salesforce contacts: the list view cannot be synced: {error}") from None
        self._view_hash = digest
        return changed and refreshed_view

    def _ensure_metadata(self) -> None:
        missing_describe = self._describe is None
        missing_view = self._scope is ContactScope.LIST_VIEW and self._view is None
        if missing_describe or missing_view:
            self._take_metadata(self._run([], self._metadata_subrequests()), refreshed_view=False)

    def _lengths(self) -> Mapping[str, int]:
        return self._describe.lengths if self._describe is not None else {}

    # -- get_many and markers ---------------------------------------------------------------------------------

    def _get_many(self, ids: Sequence[str]) -> Mapping[str, Lookup]:
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
        select = select_list(self._describe)
        queries: list[_Query] = []
        members: list[_Query] = []
        for index in range(0, len(missing), IDS_PER_QUERY):
            chunk = [ids_condition(missing[index : index + IDS_PER_QUERY])]
            queries.append(_Query(f"ids{index}", contact_soql(select, chunk), all_rows=True))
            if self._scope is ContactScope.LIST_VIEW:
                conditions, using = self._scope_filter()
                members.append(_Query(f"in{index}", contact_soql("Id", [*conditions, *chunk], scope=using)))
        self._run([*queries, *members], [])
        in_view = {row_key(str(row["Id"])) for query in members for row in query.rows}
        for query in queries:
            for row in query.rows:
                key = row_key(str(row["Id"]))
                if row.get("IsDeleted"):
                    self._known[key] = _Known.GONE
                    continue
                self._rows[key] = row
                in_scope = self._in_scope(row, in_view)
                self._known[key] = _Known.IN if in_scope else _Known.OUT
        for record_id in missing:
            # Not returned at all: a record this rep may not see (or long purged) is out of scope, never deleted.
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

    def _in_scope(self, row: Mapping[str, Any], in_view: set[str]) -> bool:
        if self._scope is ContactScope.MINE:
            return row_key(str(row.get("OwnerId") or "")) == row_key(self._user_id)
        if self._scope is ContactScope.LIST_VIEW:
            return row_key(str(row["Id"])) in in_view
        return True

    def _item(self, row: Mapping[str, Any]) -> Item:
        return Item(
            str(row["Id"]),
            str(row["SystemModstamp"]),
            projection(row),
            marker_of(row),
            modified_at(row),
        )

    def _find_by_markers(self, markers: Sequence[str]) -> Mapping[str, Marked]:
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
        made = _Query("made", contact_soql(select_list(self._describe) + ", CreatedDate", mine), large=True)
        queries = [made]
        if self._scope is ContactScope.LIST_VIEW:
            conditions, using = self._scope_filter()
            queries.append(_Query("inView", contact_soql("Id", [*conditions, *mine], scope=using)))
        self._run(queries, [])
        in_view = {row_key(str(row["Id"])) for row in queries[-1].rows} if len(queries) > 1 else set()
        found: dict[str, Marked] = {}
        for row in sorted(made.rows, key=lambda row: (str(row.get("CreatedDate")), str(row["Id"]))):
            marker = marker_of(row)
            if marker in wanted and marker not in found:
                found[marker] = Marked(self._item(row), self._in_scope(row, in_view))
        return found

    # -- the Company rule -------------------------------------------------------------------------------------

    def _lookup(self, companies: Sequence[object], unknown_ids: Sequence[str]) -> _CompanyLookup:
        """Accounts for ``companies`` by the Company rule, and the current rows of ``unknown_ids``, in one call
        (with the describe when it is not known yet); contacts' companies that a full page may have hidden are
        looked up one by one afterwards."""
        names = list({company_key(name): name for name in map(_single, companies) if name}.values())
        chunks = list(company_chunks(names))
        queries: list[_Query] = []
        for index, chunk in enumerate(chunks):
            queries.append(_Query(f"named{index}", accounts_named_any_query(chunk)))
            queries.append(_Query(f"containing{index}", accounts_containing_any_query(chunk)))
        rows_queries = [
            _Query(f"rows{index}", contact_soql(select_list(self._describe), [ids_condition(chunk)]))
            for index, chunk in enumerate(_chunks(list(dict.fromkeys(unknown_ids)), IDS_PER_QUERY))
        ]
        extras = self._metadata_subrequests()[:1] if self._describe is None else []
        if queries or rows_queries or extras:
            self._take_metadata(self._run([*queries, *rows_queries], extras), refreshed_view=False)
        accounts: dict[str, AccountRef | None] = {}
        unsure: list[str] = []
        for index, chunk in enumerate(chunks):
            choice = choose_accounts(chunk, queries[2 * index].rows, queries[2 * index + 1].rows)
            accounts.update(choice.accounts)
            unsure.extend(choice.unsure)
        if unsure:
            accounts.update(self._lookup_one_by_one(unsure))
        rows = {row_key(str(row["Id"])): row for query in rows_queries for row in query.rows}
        return _CompanyLookup(MappingProxyType(accounts), MappingProxyType(rows))

    def _lookup_one_by_one(self, companies: Sequence[str]) -> dict[str, AccountRef | None]:
        queries: list[tuple[str, _Query, _Query]] = [
            (
                company,
                _Query(f"named{index}", accounts_named_query(company)),
                _Query(f"containing{index}", accounts_containing_query(company)),
            )
            for index, company in enumerate(companies)
        ]
        self._run([query for _company, *pair in queries for query in pair], [])
        return {
            company_key(company): choose_account(named.rows, containing.rows) for company, named, containing in queries
        }

    def _account_for_update(
        self,
        record: dict[str, Any],
        prepared: Prepared,
        row: Mapping[str, Any] | None,
        lookup: _CompanyLookup,
    ) -> str | None:
        """Set the record's AccountId per the Company rule; the company Salesforce then holds."""
        current = _account_name(row) if row is not None else None
        if not prepared.company:
            record["AccountId"] = None
            return None
        if current is not None and company_key(current) == company_key(prepared.company):
            return current
        account = lookup.accounts.get(company_key(prepared.company))
        if account is None:
            return current  # no match: the current Account stays
        record["AccountId"] = account.id
        return account.name

    # -- calls ------------------------------------------------------------------------------------------------

    def _read(self, subrequests: Sequence[Subrequest | NextBatchOf]) -> dict[str, SubResult]:
        def operation(client: SalesforceClient) -> dict[str, SubResult]:
            return client.composite_paged(subrequests, all_or_none=False)

        return with_retries(lambda: self._caller.call(operation), self._retry)

    def _run(self, queries: Sequence[_Query], extras: Sequence[Subrequest]) -> dict[str, SubResult]:
        """Read ``queries`` to the end in as few composite calls as the five-query limit allows, ``extras`` riding
        in the first call; their results."""
        pending = list(extras)
        extra_results: dict[str, SubResult] = {}
        calls = 0
        while pending or any(not query.done for query in queries):
            active = [query for query in queries if not query.done][:MAX_QUERY_SUBREQUESTS]
            slots = self._slots(active)
            subrequests: list[Subrequest | NextBatchOf] = list(pending)
            references: list[tuple[_Query, list[str]]] = []
            for query, count in zip(active, slots, strict=True):
                refs = [f"{query.key}_{calls}_{n}" for n in range(count)]
                subrequests.append(query.first_subrequest(refs[0]))
                subrequests.extend(NextBatchOf(ref, before) for before, ref in itertools.pairwise(refs))
                references.append((query, refs))
            results = self._read(subrequests)
            for extra in pending:
                extra_results[extra.reference_id] = results[extra.reference_id]
            pending = []
            for query, refs in references:
                query.absorb(results, refs)
            calls += 1
        return extra_results

    @staticmethod
    def _slots(active: Sequence[_Query]) -> list[int]:
        """Query subrequests per active query: one each, the spare ones to whichever has the most batches left
        (before anything is known, to the first query not started yet: listings put their biggest first)."""
        slots = [1] * len(active)
        unknown = next((index for index, query in enumerate(active) if query.large and not query.started), None)
        for _spare in range(MAX_QUERY_SUBREQUESTS - len(active)):
            needs = []
            for index, query in enumerate(active):
                left = query.batches_left()
                need = (MAX_QUERY_SUBREQUESTS if index == unknown else 0) if left is None else left
                needs.append(need - slots[index])
            best = max(range(len(active)), key=lambda index: needs[index], default=None)
            if best is None or needs[best] <= 0:
                break
            slots[best] += 1
        return slots

    def _write(self, method: str, path: str, items: Sequence[Any]) -> list[dict[str, Any] | WriteFailure]:
        """Send records (or ids, to delete) as collections of 200, five per composite call; a result per item.

        A call that fails as a whole raises StoreError when it is the first one (nothing was written); later ones
        leave per-item failures. A create whose call may have been lost is UNKNOWN_OUTCOME (its marker tells)."""
        chunks = list(_chunks(list(items), MAX_COLLECTION_RECORDS))
        groups = list(_chunks(chunks, MAX_QUERY_SUBREQUESTS))
        results: list[dict[str, Any] | WriteFailure] = []
        for number, group in enumerate(groups):
            if self._limit_reached:
                results += [WriteFailure(FailureKind.THROTTLED, "not sent: the Salesforce API limit is reached")] * (
                    sum(len(chunk) for chunk in group)
                )
                continue
            subrequests = [
                _collection_subrequest(f"records{index}", method, path, chunk) for index, chunk in enumerate(group)
            ]
            try:
                answers = self._send(subrequests, lost_is_unknown=method == "POST")
            except (VendorError, _LostResponse) as failure:
                error = failure.error if isinstance(failure, _LostResponse) else failure
                if isinstance(error, LimitExceeded):
                    self._limit_reached = True
                if number == 0:
                    raise StoreError(f"Salesforce contacts: writing failed: {error.message}") from error
                kind = _kind_of(error)
                if isinstance(failure, _LostResponse):
                    kind = FailureKind.UNKNOWN_OUTCOME
                results += [WriteFailure(kind, error.message)] * sum(len(chunk) for chunk in group)
                continue
            for index, chunk in enumerate(group):
                results += self._chunk_results(answers[f"records{index}"], len(chunk))
        return results

    def _chunk_results(self, answer: SubResult, size: int) -> list[dict[str, Any] | WriteFailure]:
        if answer.ok and isinstance(answer.body, list) and len(answer.body) == size:
            results: list[dict[str, Any] | WriteFailure] = []
            for item in answer.body:
                if isinstance(item, Mapping) and item.get("success"):
                    results.append(dict(item))
                    continue
                errors = item.get("errors") if isinstance(item, Mapping) else None
                if error_code(errors) == LIMIT_CODE:
                    self._limit_reached = True
                results.append(write_failure(errors))
            return results
        error = (
            error_for(answer.status, answer.body)
            if not answer.ok
            else VendorUnavailable(
                "salesforce", "Salesforce answered a collection with something else than a result per record"
            )
        )
        if isinstance(error, LimitExceeded):
            self._limit_reached = True
        return [WriteFailure(_kind_of(error), error.message)] * size

    def _send(self, subrequests: Sequence[Subrequest], *, lost_is_unknown: bool) -> dict[str, SubResult]:
        def operation(client: SalesforceClient) -> dict[str, SubResult]:
            return client.composite_paged(subrequests, all_or_none=False)

        def once() -> dict[str, SubResult]:
            try:
                return self._caller.call(operation)
            except VendorUnavailable as error:
                if lost_is_unknown:
                    raise _LostResponse(error) from error
                raise

        return with_retries(once, self._retry)

    def _check_limit(self) -> None:
        if self._limit_reached:
            raise StoreError("Salesforce contacts: the org's API request limit is reached; writing stops for now")

    def _forget(self, record_id: str) -> None:
        key = row_key(record_id)
        self._rows.pop(key, None)
        self._known.pop(key, None)


def _collection_subrequest(reference_id: str, method: str, path: str, chunk: Sequence[Any]) -> Subrequest:
    if method == "DELETE":
        return Subrequest(reference_id, "DELETE", f"{path}?ids={','.join(chunk)}&allOrNone=false")
    return Subrequest(reference_id, method, path, {"allOrNone": False, "records": list(chunk)})


def _kind_of(error: VendorError) -> FailureKind:
    if isinstance(error, Throttled | LimitExceeded):
        return FailureKind.THROTTLED
    if isinstance(error, VendorUnavailable):
        return FailureKind.TRANSIENT
    if isinstance(error, NotFound):
        return FailureKind.NOT_FOUND
    return FailureKind.INVALID


def _chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for index in range(0, len(items), size):
        yield list(items[index : index + size])


def _single(value: object) -> str | None:
    if isinstance(value, tuple):
        value = value[0] if value else None
    return value if isinstance(value, str) and value else None


def _account_name(row: Mapping[str, Any]) -> str | None:
    account = row.get("Account")
    name = account.get("Name") if isinstance(account, Mapping) else None
    return name if isinstance(name, str) and name else None
