"""One sync pass: read both sides, plan, guard, write, record.

``run_pass`` is the only entry point the jobs and the CLI need. It never catches anything but a
store's per-call :class:`app.sync.stores.StoreError` on writes (turned into per-item failures): a
failure while reading, or a crash, leaves the status untouched, so the next pass starts from the last
recorded cursor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from types import MappingProxyType

from app.sync.apply import PassResult, SideSummary, execute, record
from app.sync.config import Side, SyncConfig
from app.sync.plan import Action, ItemPlan, Plan, SideView, make_plan, orphan_sources_needed, relink_found
from app.sync.stores import Create, ItemStore, Link, Listing, Lookup, Removal, StatusStore, UnitOfWork


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _ids_to_fetch(side: Side, listing: Listing, links: list[Link], retry: frozenset[str]) -> set[str]:
    by_id = {link.ref(side).id: link for link in links}
    wanted = set(retry)
    for item_id, etag in listing.entries.items():
        link = by_id.get(item_id)
        if link is None or link.ref(side).etag != etag or link.parked is side:
            wanted.add(item_id)
    for item_id, reason in listing.removed.items():
        if reason is Removal.UNKNOWN and item_id in by_id:
            wanted.add(item_id)
    if listing.complete:
        # Parked items are known to be out of scope; probing them every pass would cost a call each time.
        wanted.update(
            item_id for item_id, link in by_id.items() if item_id not in listing.entries and link.parked is not side
        )
    return wanted


def _still_held(plan: Plan, held: Mapping[Side, frozenset[str]], config: SyncConfig) -> dict[Side, frozenset[str]]:
    """New items the direction kept from being copied: this pass's, plus earlier ones not looked at."""
    result: dict[Side, set[str]] = {
        side: set() if config.direction.writable(side.other) else set(held[side]) for side in Side
    }
    for item in plan.items:
        if item.action in (Action.SKIP, Action.FORGET):
            for side, ref in item.refs.items():
                result[side].add(ref.id)
    return {side: frozenset(ids) for side, ids in result.items()}


def _recover(
    plan: Plan,
    *,
    stores: Mapping[Side, ItemStore],
    links: list[Link],
    suspects: Mapping[Side, frozenset[str]],
    recovering: bool,
    config: SyncConfig,
) -> Plan:
    """Before creating, look for copies a lost create already made (after a crash or an unknown outcome)."""
    wanted: dict[Side, dict[str, int]] = {side: {} for side in Side}
    for index, item in enumerate(plan.items):
        for target, write in item.writes.items():
            source_id = item.retry_ids.get(target.other)
            if isinstance(write, Create) and (recovering or source_id in suspects[target.other]):
                wanted[target][write.marker] = index
    items: list[ItemPlan] = list(plan.items)
    for target, markers in wanted.items():
        if not markers:
            continue
        linked = {link.ref(target).id for link in links}
        found = stores[target].find_by_markers(sorted(markers))
        for marker, copy in found.items():
            if marker in markers and copy.item.id not in linked:
                items[markers[marker]] = relink_found(items[markers[marker]], copy, config)
    return replace(plan, items=tuple(items))


def run_pass(
    mailbox: ItemStore,
    salesforce: ItemStore,
    status: StatusStore,
    config: SyncConfig,
    *,
    now: Callable[[], datetime] = _utc_now,
) -> PassResult:
    """Run one pass between the mailbox side and the Salesforce side and record it.

    Reads each side's changes since its cursor, fetches what it needs in batches, plans (see
    :mod:`app.sync.plan`), stops before any write when the mass-deletion guard trips, applies the writes
    with per-item failure isolation, and commits links, cursors, retries and conflicts in one unit of
    work. ``now`` stamps the conflict log (timezone-aware UTC).
    """
    stores: dict[Side, ItemStore] = {Side.MAILBOX: mailbox, Side.SALESFORCE: salesforce}
    recovering = status.begin_pass()
    links = list(status.links())
    retry = {side: status.retry_ids(side) for side in Side}
    held = {side: status.held_ids(side) for side in Side}
    listings = {side: stores[side].list_changes(status.cursor(side)) for side in Side}
    wanted = {side: _ids_to_fetch(side, listings[side], links, retry[side]) for side in Side}
    for side in Side:
        if config.direction.writable(side.other):
            wanted[side].update(held[side])
    for link in links:
        if link.parked is not None and link.ref(link.parked).id in listings[link.parked].entries:
            wanted[link.parked.other].add(link.ref(link.parked.other).id)
    fetched: dict[Side, Mapping[str, Lookup]] = {
        side: stores[side].get_many(sorted(ids)) if ids else MappingProxyType({}) for side, ids in wanted.items()
    }
    views = {side: SideView(listings[side], fetched[side]) for side in Side}
    needed = orphan_sources_needed(views, links, config)
    sources: dict[Side, Mapping[str, Lookup]] = {
        side: stores[side].get_many(sorted(ids)) for side, ids in needed.items() if ids
    }
    plan = make_plan(views, links, config, sources)
    if plan.guard is not None:
        empty = MappingProxyType({side: SideSummary() for side in Side})
        return PassResult(empty, guard=plan.guard, warnings=plan.warnings)
    # Items retried or held back may have a copy from a create whose answer was lost.
    suspects = {side: retry[side] | held[side] for side in Side}
    plan = _recover(plan, stores=stores, links=links, suspects=suspects, recovering=recovering, config=config)
    taken = {side: {link.ref(side).id for link in links} for side in Side}
    applied = record(plan, execute(plan, stores), now, taken)
    status.commit(
        UnitOfWork(
            upserts=applied.upserts,
            removals=applied.removals,
            cursors=MappingProxyType({side: listings[side].cursor for side in Side}),
            retry=applied.retry,
            conflicts=applied.result.conflicts,
            held=MappingProxyType(_still_held(plan, held, config)),
        )
    )
    return replace(applied.result, committed=True)


__all__ = ["PassResult", "run_pass"]
