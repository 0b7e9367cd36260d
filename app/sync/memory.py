"""In-memory stores: the reference implementation of the store protocols, used by the engine's tests.

:class:`MemoryItemStore` behaves like a vendor: etags change on every write, a change feed replays
changes since a cursor (or lists everything when the cursor expired), scope can change under an item,
the server may reformat what we write (an echo with reformatting), and faults can be injected: a
typed per-item failure on the next matching write, a lost response (the write is applied but reported
as failed), or a crash (:class:`SimulatedCrash`) at the k-th operation. :class:`MemoryStatusStore`
commits a unit of work atomically and can crash on commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from app.sync.config import Side
from app.sync.items import Fields, Item, normalise_fields
from app.sync.stores import (
    Conflict,
    Create,
    Delete,
    FailureKind,
    Gone,
    Link,
    Listing,
    Lookup,
    Marked,
    OutOfScope,
    Removal,
    UnitOfWork,
    Update,
    WriteFailure,
    WriteResult,
    Written,
)

_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


class SimulatedCrash(Exception):
    """The process died here. Never caught by the engine."""


@dataclass
class _Stored:
    fields: dict[str, object]
    etag: str
    marker: str | None
    in_scope: bool
    modified: int


@dataclass
class _Fault:
    kind: FailureKind
    operation: str | None
    item_id: str | None


@dataclass
class MemoryItemStore:
    """One side in memory. ``use_delta`` False makes every listing complete (no change feed)."""

    name: str = "side"
    use_delta: bool = True
    server_rewrite: bool = False
    vague_removals: bool = False
    #: Like a vendor field length: longer strings are cut on write (and reported in ``Written.stored``).
    max_length: int | None = None
    items: dict[str, _Stored] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    writes: int = 0
    _log: list[str] = field(default_factory=list)
    _ids: int = 0
    _etags: int = 0
    _expired: bool = False
    _faults: list[_Fault] = field(default_factory=list)
    _crash_in: int | None = None

    # -- the test's hands: edits made by a user, not counted as engine writes ----------------------

    def put(self, fields: Mapping[str, object], *, in_scope: bool = True, marker: str | None = None) -> str:
        """A user creates an item; returns its id."""
        item_id = self._new_id()
        self.items[item_id] = _Stored(dict(fields), self._new_etag(), marker, in_scope, len(self._log))
        self._touch(item_id)
        return item_id

    def edit(self, item_id: str, changes: Mapping[str, object]) -> None:
        """A user edits fields of an item (a None value clears the field)."""
        stored = self.items[item_id]
        stored.fields.update(changes)
        self._bump(item_id)

    def remove(self, item_id: str) -> None:
        """A user deletes an item."""
        del self.items[item_id]
        self._touch(item_id)

    def set_scope(self, item_id: str, in_scope: bool) -> None:
        """The item moves in or out of the synced scope (folder, category, list view, owner)."""
        self.items[item_id].in_scope = in_scope
        self._bump(item_id)

    def expire_cursor(self) -> None:
        """The next listing from a cursor is complete, as after a 410 / EXPIRED_SYNC_TOKEN."""
        self._expired = True

    def fail_next(
        self, kind: FailureKind, *, operation: str | None = None, item_id: str | None = None, count: int = 1
    ) -> None:
        """The next ``count`` writes matching ``operation`` (create/update/delete) and ``item_id`` fail.

        ``UNKNOWN_OUTCOME`` applies the write and loses the response.
        """
        self._faults.extend(_Fault(kind, operation, item_id) for _ in range(count))

    def crash_after(self, operations: int) -> None:
        """Raise :class:`SimulatedCrash` at the ``operations``-th next operation (reads and item writes).

        A write is applied before the crash (the response is lost with the process).
        """
        self._crash_in = operations

    @property
    def pending_faults(self) -> bool:
        """True while an injected fault or crash has not fired."""
        return bool(self._faults) or self._crash_in is not None

    def clear_faults(self) -> None:
        """Drop injected faults and crashes that have not fired."""
        self._faults.clear()
        self._crash_in = None

    def snapshot(self, *, in_scope_only: bool = True) -> dict[str, Item]:
        """Every item (by default only those in scope) as the engine would read it."""
        return {item_id: self._item(item_id) for item_id, s in self.items.items() if s.in_scope or not in_scope_only}

    # -- ItemStore ---------------------------------------------------------------------------------

    def list_changes(self, cursor: str | None) -> Listing:
        """See :meth:`app.sync.stores.ItemStore.list_changes`."""
        self._tick("list")
        head = str(len(self._log))
        if cursor is None or self._expired or not self.use_delta:
            self._expired = False
            entries = {item_id: s.etag for item_id, s in self.items.items() if s.in_scope}
            return Listing(MappingProxyType(entries), complete=True, cursor=head)
        entries = {}
        removed: dict[str, Removal] = {}
        for item_id in dict.fromkeys(self._log[int(cursor) :]):
            stored = self.items.get(item_id)
            if stored is not None and stored.in_scope:
                entries[item_id] = stored.etag
            elif self.vague_removals:
                removed[item_id] = Removal.UNKNOWN
            else:
                removed[item_id] = Removal.DELETED if stored is None else Removal.LEFT_SCOPE
        return Listing(MappingProxyType(entries), complete=False, cursor=head, removed=MappingProxyType(removed))

    def get_many(self, ids: Sequence[str]) -> Mapping[str, Lookup]:
        """See :meth:`app.sync.stores.ItemStore.get_many`."""
        self._tick("get")
        result: dict[str, Lookup] = {}
        for item_id in ids:
            stored = self.items.get(item_id)
            if stored is None:
                result[item_id] = Gone(item_id)
            elif not stored.in_scope:
                result[item_id] = OutOfScope(item_id)
            else:
                result[item_id] = self._item(item_id)
        return result

    def find_by_markers(self, markers: Sequence[str]) -> Mapping[str, Marked]:
        """See :meth:`app.sync.stores.ItemStore.find_by_markers`."""
        self._tick("find")
        wanted = set(markers)
        return {
            s.marker: Marked(self._item(i), s.in_scope)
            for i, s in self.items.items()
            if s.marker in wanted and s.marker is not None
        }

    def create_many(self, creates: Sequence[Create]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.create_many`."""
        self.calls["create"] = self.calls.get("create", 0) + 1
        results: list[WriteResult] = []
        for create in creates:
            fault = self._fault("create", None)
            if fault is not None and fault.kind is not FailureKind.UNKNOWN_OUTCOME:
                results.append(WriteFailure(fault.kind, f"injected {fault.kind}"))
                continue
            item_id = self._new_id()
            stored_fields = self._rewrite(self._fit(create.fields))
            self.items[item_id] = _Stored(stored_fields, self._new_etag(), create.marker, True, 0)
            self._touch(item_id)
            self.writes += 1
            self._tick(None)
            if fault is not None:
                results.append(WriteFailure(fault.kind, "injected lost response"))
            else:
                results.append(Written(item_id, self.items[item_id].etag, self._stored(create.fields)))
        return results

    def update_many(self, updates: Sequence[Update]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.update_many`."""
        self.calls["update"] = self.calls.get("update", 0) + 1
        results: list[WriteResult] = []
        for update in updates:
            fault = self._fault("update", update.id)
            stored = self.items.get(update.id)
            if fault is not None and fault.kind is not FailureKind.UNKNOWN_OUTCOME:
                results.append(WriteFailure(fault.kind, f"injected {fault.kind}"))
            elif stored is None:
                results.append(WriteFailure(FailureKind.NOT_FOUND, "no such item"))
            elif stored.etag != update.etag:
                results.append(WriteFailure(FailureKind.PRECONDITION, "etag mismatch"))
            else:
                stored.fields = self._rewrite(self._fit(update.fields))
                self._bump(update.id)
                self.writes += 1
                self._tick(None)
                lost = fault is not None
                written = Written(update.id, stored.etag, self._stored(update.fields))
                results.append(WriteFailure(FailureKind.UNKNOWN_OUTCOME, "lost") if lost else written)
        return results

    def delete_many(self, deletes: Sequence[Delete]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.delete_many`."""
        self.calls["delete"] = self.calls.get("delete", 0) + 1
        results: list[WriteResult] = []
        for delete in deletes:
            fault = self._fault("delete", delete.id)
            if fault is not None and fault.kind is not FailureKind.UNKNOWN_OUTCOME:
                results.append(WriteFailure(fault.kind, f"injected {fault.kind}"))
            elif delete.id not in self.items:
                results.append(WriteFailure(FailureKind.NOT_FOUND, "no such item"))
            else:
                self.remove(delete.id)
                self.writes += 1
                self._tick(None)
                results.append(WriteFailure(FailureKind.UNKNOWN_OUTCOME, "lost") if fault else Written(delete.id, ""))
        return results

    # -- internals ---------------------------------------------------------------------------------

    def _item(self, item_id: str) -> Item:
        stored = self.items[item_id]
        return Item(
            item_id,
            stored.etag,
            normalise_fields(stored.fields),
            stored.marker,
            _EPOCH + timedelta(seconds=stored.modified),
        )

    def fit(self, fields: Fields) -> Fields:
        """What this store holds after writing ``fields`` (strings cut to ``max_length``)."""
        return self._fit(fields)

    def _fit(self, fields: Fields) -> Fields:
        limit = self.max_length
        if limit is None:
            return fields
        return normalise_fields(
            {name: value[:limit] if isinstance(value, str) else value for name, value in fields.items()}
        )

    def _stored(self, sent: Fields) -> Fields | None:
        fitted = self._fit(sent)
        return None if dict(fitted) == dict(sent) else fitted

    def _rewrite(self, fields: Fields) -> dict[str, object]:
        if not self.server_rewrite:
            return dict(fields)
        # A server that reformats: padding and reordering that normalisation must see through.
        return {
            name: list(reversed(value)) if isinstance(value, tuple) else f"  {value} " for name, value in fields.items()
        }

    def _new_id(self) -> str:
        self._ids += 1
        return f"{self.name}-{self._ids}"

    def _new_etag(self) -> str:
        self._etags += 1
        return f"e{self._etags}"

    def _touch(self, item_id: str) -> None:
        self._log.append(item_id)
        if item_id in self.items:
            self.items[item_id].modified = len(self._log)

    def _bump(self, item_id: str) -> None:
        self.items[item_id].etag = self._new_etag()
        self._touch(item_id)

    def _fault(self, operation: str, item_id: str | None) -> _Fault | None:
        for fault in self._faults:
            if fault.operation in (None, operation) and fault.item_id in (None, item_id):
                self._faults.remove(fault)
                return fault
        return None

    def _tick(self, call: str | None) -> None:
        if call is not None:
            self.calls[call] = self.calls.get(call, 0) + 1
        if self._crash_in is not None:
            self._crash_in -= 1
            if self._crash_in <= 0:
                self._crash_in = None
                raise SimulatedCrash(f"{self.name}: crash injected")


@dataclass
class MemoryStatusStore:
    """The status in memory; :meth:`commit` is all or nothing."""

    links_by_ident: dict[str, Link] = field(default_factory=dict)
    cursors: dict[Side, str | None] = field(default_factory=dict)
    retries: dict[Side, frozenset[str]] = field(default_factory=dict)
    held: dict[Side, frozenset[str]] = field(default_factory=dict)
    conflict_log: list[Conflict] = field(default_factory=list)
    in_progress: bool = False
    commits: int = 0
    _crash_on_commit: bool = False

    def crash_on_next_commit(self) -> None:
        """The next commit dies before anything is recorded."""
        self._crash_on_commit = True

    @property
    def pending_faults(self) -> bool:
        """True while an injected crash has not fired."""
        return self._crash_on_commit

    def clear_faults(self) -> None:
        """Drop an injected crash that has not fired."""
        self._crash_on_commit = False

    def begin_pass(self) -> bool:
        """See :meth:`app.sync.stores.StatusStore.begin_pass`."""
        unfinished = self.in_progress
        self.in_progress = True
        return unfinished

    def links(self) -> Sequence[Link]:
        """See :meth:`app.sync.stores.StatusStore.links`."""
        return list(self.links_by_ident.values())

    def cursor(self, side: Side) -> str | None:
        """See :meth:`app.sync.stores.StatusStore.cursor`."""
        return self.cursors.get(side)

    def retry_ids(self, side: Side) -> frozenset[str]:
        """See :meth:`app.sync.stores.StatusStore.retry_ids`."""
        return self.retries.get(side, frozenset())

    def held_ids(self, side: Side) -> frozenset[str]:
        """See :meth:`app.sync.stores.StatusStore.held_ids`."""
        return self.held.get(side, frozenset())

    def commit(self, work: UnitOfWork) -> None:
        """See :meth:`app.sync.stores.StatusStore.commit`."""
        if self._crash_on_commit:
            self._crash_on_commit = False
            raise SimulatedCrash("status: crash injected before commit")
        for ident in work.removals:
            self.links_by_ident.pop(ident, None)
        for link in work.upserts:
            self.links_by_ident[link.ident] = link
        self.cursors.update(work.cursors)
        self.retries = dict(work.retry)
        self.held = dict(work.held)
        self.conflict_log.extend(work.conflicts)
        self.in_progress = False
        self.commits += 1
