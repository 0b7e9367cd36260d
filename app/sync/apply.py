"""Executing a plan: batched writes per side, per-item failure isolation, and what to record.

Writes go out before anything is recorded (write remote, then record): creates first, then updates,
then deletes, so a crash leaves at worst an extra copy (found again by its marker) or an unrecorded
update (seen as a change and merged again), never a lost item. A failed item is recorded as a retry,
and never blocks the others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from app.sync.config import Side
from app.sync.items import Deviation, deviation, projection_hash
from app.sync.plan import Action, GuardTrip, ItemPlan, Plan, Write
from app.sync.stores import (
    Conflict,
    Create,
    Delete,
    FailureKind,
    ItemStore,
    Link,
    SideRef,
    StoreError,
    Update,
    WriteFailure,
    WriteResult,
    Written,
)


@dataclass(frozen=True)
class ItemFailure:
    """One item's write failed; it is retried on the next pass."""

    ident: str
    side: Side
    item_id: str | None
    kind: FailureKind
    message: str


@dataclass(frozen=True)
class SideSummary:
    """Counts for one side of a pass. ``conflicts`` counts fields where this side's value lost."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    linked: int = 0
    unlinked: int = 0
    conflicts: int = 0
    skipped: int = 0
    errors: int = 0

    @property
    def writes(self) -> int:
        """Writes made to this side's store."""
        return self.created + self.updated + self.deleted


@dataclass(frozen=True)
class PassResult:
    """The outcome of one pass, for the sync-run record and the CLI summary.

    ``guard`` is set when the mass-deletion guard stopped the pass before any write; ``committed``
    says whether the status (links, cursors, retries, conflict log) was recorded.
    """

    summary: Mapping[Side, SideSummary]
    failures: tuple[ItemFailure, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    guard: GuardTrip | None = None
    warnings: tuple[str, ...] = ()
    committed: bool = False

    @property
    def ok(self) -> bool:
        """True when the pass ran to the end with no item failure."""
        return self.guard is None and not self.failures

    @property
    def writes(self) -> int:
        """Writes made to both stores."""
        return sum(side.writes for side in self.summary.values())


@dataclass(frozen=True)
class Applied:
    """What applying a plan produced: the status changes and the result to report."""

    upserts: tuple[Link, ...]
    removals: tuple[str, ...]
    retry: Mapping[Side, frozenset[str]]
    result: PassResult = field(default_factory=lambda: PassResult(MappingProxyType({})))


def _call(store: ItemStore, writes: Sequence[Write]) -> Sequence[WriteResult]:
    first = writes[0]
    try:
        if isinstance(first, Create):
            results = store.create_many([w for w in writes if isinstance(w, Create)])
        elif isinstance(first, Update):
            results = store.update_many([w for w in writes if isinstance(w, Update)])
        else:
            results = store.delete_many([w for w in writes if isinstance(w, Delete)])
    except StoreError as error:
        return [WriteFailure(FailureKind.TRANSIENT, str(error) or type(error).__name__)] * len(writes)
    if len(results) != len(writes):
        return [WriteFailure(FailureKind.TRANSIENT, "the store answered a different number of results")] * len(writes)
    return results


def execute(plan: Plan, stores: Mapping[Side, ItemStore]) -> dict[int, dict[Side, WriteResult]]:
    """Send the plan's writes, batched per side and kind; return the result of each write by plan index."""
    results: dict[int, dict[Side, WriteResult]] = {}
    for kind in (Create, Update, Delete):
        for side in Side:
            batch = [
                (index, write)
                for index, item in enumerate(plan.items)
                if isinstance(write := item.writes.get(side), kind)
            ]
            if not batch:
                continue
            answers = _call(stores[side], [write for _index, write in batch])
            for (index, write), answer in zip(batch, answers, strict=True):
                gone = isinstance(answer, WriteFailure) and answer.kind is FailureKind.NOT_FOUND
                # Deleting what is already gone is success (404, 410, ENTITY_IS_DELETED).
                outcome = Written(write.id, "") if isinstance(write, Delete) and gone else answer
                results.setdefault(index, {})[side] = outcome
    return results


class _Counts:
    def __init__(self) -> None:
        self.values: dict[Side, dict[str, int]] = {side: {} for side in Side}

    def add(self, side: Side, name: str, amount: int = 1) -> None:
        self.values[side][name] = self.values[side].get(name, 0) + amount

    def freeze(self) -> Mapping[Side, SideSummary]:
        return MappingProxyType({side: SideSummary(**self.values[side]) for side in Side})


def _written_id(write: Write) -> str | None:
    return None if isinstance(write, Create) else write.id


def _claim_created_ids(
    plan: Plan, results: Mapping[int, Mapping[Side, WriteResult]], taken: Mapping[Side, set[str]]
) -> dict[int, dict[Side, WriteResult]]:
    """A create answered with the id of an item another link already holds (a store may stand an existing
    record in for a create, as a Salesforce duplicate rule match) fails instead: one item, one link."""
    claimed = {side: set(ids) for side, ids in taken.items()}
    checked: dict[int, dict[Side, WriteResult]] = {}
    for index, answers in sorted(results.items()):
        checked[index] = dict(answers)
        for side, answer in answers.items():
            if not isinstance(plan.items[index].writes.get(side), Create) or not isinstance(answer, Written):
                continue
            if answer.id in claimed[side]:
                checked[index][side] = WriteFailure(
                    FailureKind.INVALID,
                    f"the {side} answered with {answer.id}, which is already synced with another item",
                )
            claimed[side].add(answer.id)
    return checked


def record(
    plan: Plan,
    results: Mapping[int, Mapping[Side, WriteResult]],
    now: Callable[[], datetime],
    taken: Mapping[Side, set[str]] | None = None,
) -> Applied:
    """Turn write results into status changes and counts; failed items become retries.

    ``taken`` are the ids each side's links held before the pass (see :func:`_claim_created_ids`).
    """
    results = _claim_created_ids(plan, results, taken or {side: set() for side in Side})
    counts = _Counts()
    upserts: list[Link] = []
    removals: list[str] = []
    retry: dict[Side, set[str]] = {side: set() for side in Side}
    failures: list[ItemFailure] = []
    conflicts: list[Conflict] = []
    for index, item in enumerate(plan.items):
        answers = results.get(index, {})
        failed = [(side, answer) for side, answer in answers.items() if isinstance(answer, WriteFailure)]
        if failed:
            for side, failure in failed:
                counts.add(side, "errors")
                failures.append(
                    ItemFailure(item.ident, side, _written_id(item.writes[side]), failure.kind, failure.message)
                )
            for side, item_id in item.retry_ids.items():
                retry[side].add(item_id)
            continue
        _count(item, counts)
        at = now()
        for found in item.conflicts:
            counts.add(found.winner.other, "conflicts")
            conflicts.append(
                Conflict(
                    item.ident,
                    found.field,
                    found.mailbox_value,
                    found.salesforce_value,
                    found.base_value,
                    found.winner,
                    at,
                )
            )
        if not item.record:
            continue
        if item.base is None:
            removals.append(item.ident)
            continue
        refs = dict(item.refs)
        deviations: dict[Side, Deviation] = dict(item.deviations)
        for side, held in item.holds.items():
            deviations[side] = deviation(item.base, held)
        for side, write in item.writes.items():
            answer = answers[side]
            assert isinstance(answer, Written)
            assert not isinstance(write, Delete)
            stored = answer.stored if answer.stored is not None else write.fields
            refs[side] = SideRef(answer.id, answer.etag, projection_hash(stored))
            deviations[side] = deviation(item.base, stored)
        kept = MappingProxyType({side: found for side, found in deviations.items() if found})
        upserts.append(
            Link(item.ident, refs[Side.MAILBOX], refs[Side.SALESFORCE], item.base, item.parked, deviations=kept)
        )
    result = PassResult(
        counts.freeze(),
        failures=tuple(failures),
        conflicts=tuple(conflicts),
        warnings=plan.warnings,
    )
    return Applied(
        tuple(upserts),
        tuple(removals),
        MappingProxyType({side: frozenset(ids) for side, ids in retry.items()}),
        result,
    )


def _count(item: ItemPlan, counts: _Counts) -> None:
    for side, write in item.writes.items():
        name = "created" if isinstance(write, Create) else "updated" if isinstance(write, Update) else "deleted"
        counts.add(side, name)
    if item.action is Action.LINK:
        for side in Side:
            counts.add(side, "linked")
    elif item.action in (Action.UNLINK, Action.FORGET):
        for side in Side:
            counts.add(side, "unlinked")
    elif item.action is Action.SKIP:
        for side in item.refs:
            counts.add(side, "skipped")
