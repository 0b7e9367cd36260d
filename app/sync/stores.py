"""The protocols a side (``ItemStore``) and the status database (``StatusStore``) implement.

Connector authors: read this module first. Every method is synchronous, batched by the caller, and
either returns per-item results or raises :class:`StoreError` for a failure of the whole call. Never
raise for one item's failure on a write; return a :class:`WriteFailure` in its slot. Never infer a
deletion from an authorisation failure or an empty error response: raise instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol

from app.sync.config import Side
from app.sync.items import Deviation, Fields, FieldValue, Item, overlay


class StoreError(Exception):
    """A whole store call failed (throttled past its retries, auth revoked, network). Nothing is inferred."""


class Removal(StrEnum):
    """Why a change feed reported an item as gone from the listing."""

    DELETED = "deleted"
    LEFT_SCOPE = "left_scope"
    UNKNOWN = "unknown"  # the engine probes with get_many (e.g. Graph @removed without a reason)


@dataclass(frozen=True)
class Listing:
    """The answer of :meth:`ItemStore.list_changes`.

    ``entries`` maps the id of every in-scope item that is new or changed to its current etag; when
    ``complete`` is True it holds every in-scope item (a full listing: an expired cursor or no cursor
    yet), and linked ids missing from it are probed. ``removed`` (delta only) maps ids that left the
    listing to the reason, when the feed knows it. ``cursor`` is stored by the status store once this
    pass is recorded, and handed back on the next pass.
    """

    entries: Mapping[str, str]
    complete: bool
    cursor: str | None
    removed: Mapping[str, Removal] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class OutOfScope:
    """``get_many``: the item exists but is not in the synced scope (moved, uncategorised, filtered)."""

    id: str


@dataclass(frozen=True)
class Gone:
    """``get_many``: the item no longer exists (404, 410, ENTITY_IS_DELETED)."""

    id: str


@dataclass(frozen=True)
class Marked:
    """``find_by_markers``: an item carrying our marker, and whether it is in the synced scope."""

    item: Item
    in_scope: bool


#: What ``get_many`` returns per id: the in-scope item, or why there is none.
Lookup = Item | OutOfScope | Gone


@dataclass(frozen=True)
class Create:
    """Create an item with these fields, tagged with the engine's ``marker`` (extended property,
    People ``clientData``, a Salesforce external id field) so a create whose response was lost can be
    found by :meth:`ItemStore.find_by_markers` and by reading ``Item.marker``."""

    fields: Fields
    marker: str


@dataclass(frozen=True)
class Update:
    """Replace the mapped fields of item ``id``; ``etag`` is the precondition (If-Match)."""

    id: str
    etag: str
    fields: Fields


@dataclass(frozen=True)
class Delete:
    """Delete item ``id``; ``etag`` is the precondition where the vendor supports one."""

    id: str
    etag: str


class FailureKind(StrEnum):
    """Why one item's write failed."""

    PRECONDITION = "precondition"  # etag mismatch (412, People failedPrecondition): re-read next pass
    NOT_FOUND = "not_found"  # the item is gone; on a delete this counts as success
    INVALID = "invalid"  # the vendor refused the data (validation, duplicates, too long)
    THROTTLED = "throttled"  # 429 / limit exceeded after the store's own retries
    TRANSIENT = "transient"  # 5xx or network after retries
    UNKNOWN_OUTCOME = "unknown_outcome"  # the request may have been applied (lost response)


@dataclass(frozen=True)
class Written:
    """A write succeeded: the item's id (new for a create) and its etag after the write.

    ``stored`` is what the side holds now when it differs from what was sent (a value cut to the vendor's
    length, a derived required field, a company that matched no account); None means exactly what was sent.
    The engine records it so that the difference is neither taken for a change nor written back.
    ``etag`` may be empty when the vendor's answer does not carry one (the projection hash then tells our
    own write from a change when it comes back).
    """

    id: str
    etag: str
    stored: Fields | None = None


@dataclass(frozen=True)
class WriteFailure:
    """A write failed for this item only."""

    kind: FailureKind
    message: str


#: One slot of a write call's answer, in the order of the request.
WriteResult = Written | WriteFailure


class ItemStore(Protocol):
    """One side of a sync (a Graph contact folder, a People contact group, a Salesforce scope).

    The store owns scope (folder, category, list view, owner, privacy), batching and retries with
    back-off; the engine owns every decision. Write methods return exactly one result per input, in
    order. Writes must not return before the vendor has accepted them.
    """

    def list_changes(self, cursor: str | None) -> Listing:
        """List what changed since ``cursor`` (None: list everything in scope, ``complete=True``).

        An expired or invalid cursor is handled inside the store by returning a complete listing; the
        listing must never be partial when it says it is complete.
        """
        ...

    def get_many(self, ids: Sequence[str]) -> Mapping[str, Lookup]:
        """Fetch items by id in as few calls as the vendor allows; every requested id gets an answer."""
        ...

    def find_by_markers(self, markers: Sequence[str]) -> Mapping[str, Marked]:
        """Return the items carrying one of these markers, in scope or not, keyed by marker.

        Called only when a create may have been applied without our knowing (after an unfinished pass
        or an unknown outcome), in one batched query where the vendor allows it.
        """
        ...

    def create_many(self, creates: Sequence[Create]) -> Sequence[WriteResult]:
        """Create items, each carrying its marker; per-item results in order."""
        ...

    def update_many(self, updates: Sequence[Update]) -> Sequence[WriteResult]:
        """Update items under their etag precondition; per-item results in order."""
        ...

    def delete_many(self, deletes: Sequence[Delete]) -> Sequence[WriteResult]:
        """Delete items; per-item results in order (an item already gone may be reported NOT_FOUND)."""
        ...


@dataclass(frozen=True)
class SideRef:
    """One side of a link: the item's id, its etag and projection hash when last recorded."""

    id: str
    etag: str
    hash: str


@dataclass(frozen=True)
class Link:
    """The status row of one synced item.

    ``base`` is the merged field snapshot at the last successful sync, the input of the three-way
    merge. ``parked`` names the side whose item left scope: the link is kept (so the item is neither
    deleted nor re-created) but not synced until the item comes back into scope. ``deviations`` records,
    per side, where that side's copy differs from the base because the side cannot hold the base as it
    is (a value cut to a length, a derived required field, a company with no matching account): such a
    difference is neither a change of that side nor something to write again.
    """

    ident: str
    mailbox: SideRef
    salesforce: SideRef
    base: Fields
    parked: Side | None = None
    deviations: Mapping[Side, Deviation] = field(default_factory=lambda: MappingProxyType({}))

    def ref(self, side: Side) -> SideRef:
        """The reference of ``side``."""
        return self.mailbox if side is Side.MAILBOX else self.salesforce

    def snapshot(self, side: Side) -> Fields:
        """What ``side`` held at the last sync: the base with the side's deviation."""
        return overlay(self.base, self.deviations.get(side, {}))


@dataclass(frozen=True)
class Conflict:
    """A field changed on both sides to different values, and how the policy resolved it."""

    ident: str
    field: str
    mailbox_value: FieldValue | None
    salesforce_value: FieldValue | None
    base_value: FieldValue | None
    winner: Side
    at: datetime


@dataclass(frozen=True)
class UnitOfWork:
    """Everything one pass records, committed atomically by :meth:`StatusStore.commit`.

    ``upserts`` replace links by ident; ``removals`` drop links by ident; ``cursors`` are the new
    cursors per side (they cover exactly the work recorded here); ``retry`` replaces each side's set of
    ids to fetch again on the next pass (items whose write failed); ``held`` replaces each side's set of
    new items the direction did not let us copy (fetched again once it does, since the cursor has moved
    past them); ``conflicts`` are appended to the user-visible conflict log.
    """

    upserts: tuple[Link, ...]
    removals: tuple[str, ...]
    cursors: Mapping[Side, str | None]
    retry: Mapping[Side, frozenset[str]]
    conflicts: tuple[Conflict, ...]
    held: Mapping[Side, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))


class StatusStore(Protocol):
    """The engine's memory between passes (the DB in production)."""

    def begin_pass(self) -> bool:
        """Durably note that a pass started; return True when the previous pass never committed.

        After an unfinished pass, the engine looks up markers before every create so that an item
        whose create was applied but not recorded is linked, not created twice.
        """
        ...

    def links(self) -> Sequence[Link]:
        """Every link (active and parked)."""
        ...

    def cursor(self, side: Side) -> str | None:
        """The last committed cursor of ``side``."""
        ...

    def retry_ids(self, side: Side) -> frozenset[str]:
        """Ids of ``side`` to fetch again whatever the change feed says."""
        ...

    def held_ids(self, side: Side) -> frozenset[str]:
        """Ids of new ``side`` items the direction kept from being copied (see :class:`UnitOfWork`)."""
        ...

    def commit(self, work: UnitOfWork) -> None:
        """Apply ``work`` atomically (all or nothing) and mark the pass finished."""
        ...
