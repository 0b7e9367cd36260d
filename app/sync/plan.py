"""Reconciliation: from what each side reports and the status, a plan of actions per item.

Pure: no store is called here. The engine gathers each side's :class:`SideView` (its listing and the
items it fetched) and :func:`make_plan` decides, per item, what to create, update, delete, link,
unlink or log as a conflict, and whether the mass-deletion guard trips.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType

from app.sync.config import Direction, Side, SyncConfig
from app.sync.items import Deviation, Fields, FieldValue, Item
from app.sync.merge import FieldConflict, one_way_merge, three_way_merge
from app.sync.stores import (
    Create,
    Delete,
    Gone,
    Link,
    Listing,
    Lookup,
    Marked,
    OutOfScope,
    Removal,
    SideRef,
    Update,
)

_MARKER_PREFIX = "crmbridge"
_EMPTY: Fields = MappingProxyType({})


def marker_for(source: Side, source_id: str) -> str:
    """The marker an item created from ``source_id`` on ``source`` carries on the other side.

    It is derived from the source, so a pass that repeats a create after a crash computes the same
    marker and finds the orphan instead of creating a second copy.
    """
    return f"{_MARKER_PREFIX}:{source.value}:{source_id}"


def marker_source(marker: str | None) -> tuple[Side, str] | None:
    """The (side, id) a marker was derived from, or None when it is not one of ours."""
    if marker is None:
        return None
    prefix, _, rest = marker.partition(":")
    side_name, _, source_id = rest.partition(":")
    if prefix != _MARKER_PREFIX or side_name not in {s.value for s in Side} or not source_id:
        return None
    return Side(side_name), source_id


class Seen(StrEnum):
    """What a pass knows about a linked item on one side."""

    UNCHANGED = "unchanged"
    PRESENT = "present"  # fetched, in scope
    DELETED = "deleted"
    LEFT_SCOPE = "left_scope"


@dataclass(frozen=True)
class SideView:
    """What one side reported in this pass: its listing and the items fetched by id."""

    listing: Listing
    fetched: Mapping[str, Lookup]

    def seen(self, item_id: str) -> tuple[Seen, Item | None]:
        """The state of a linked item on this side."""
        found = self.fetched.get(item_id)
        if isinstance(found, Item):
            return Seen.PRESENT, found
        if isinstance(found, Gone):
            return Seen.DELETED, None
        if isinstance(found, OutOfScope):
            return Seen.LEFT_SCOPE, None
        reason = self.listing.removed.get(item_id)
        if reason is Removal.DELETED:
            return Seen.DELETED, None
        if reason is not None:
            return Seen.LEFT_SCOPE, None
        return Seen.UNCHANGED, None

    def new_items(self, linked_ids: Iterable[str]) -> list[Item]:
        """Fetched in-scope items that no link knows, sorted by id."""
        known = set(linked_ids)
        items = [found for found in self.fetched.values() if isinstance(found, Item) and found.id not in known]
        return sorted(items, key=lambda item: item.id)


class Action(StrEnum):
    """The kind of an item plan, for reporting."""

    NOTHING = "nothing"
    SYNC = "sync"  # updates on one or both sides (or only a refreshed status row)
    CREATE = "create"
    DELETE = "delete"
    LINK = "link"  # adopt a pair or an orphan
    UNLINK = "unlink"  # left scope: the link is parked, nothing deleted
    FORGET = "forget"  # the status row goes (deleted on both sides, or nothing left to sync)
    SKIP = "skip"  # new item the direction does not let us copy


Write = Create | Update | Delete


@dataclass(frozen=True)
class ItemPlan:
    """What to do for one item.

    ``writes`` holds at most one write per side. When every write succeeds the link ``ident`` is
    recorded with ``refs`` (patched with the write results) and ``base``; when ``base`` is None the
    link is removed instead. When a write fails nothing is recorded for the item and ``retry_ids`` are
    fetched again on the next pass. ``holds`` is what each side that is not written holds now, and
    ``deviations`` the deviations carried over unchanged (see :attr:`Link.deviations`).
    """

    ident: str
    action: Action
    writes: Mapping[Side, Write] = field(default_factory=lambda: MappingProxyType({}))
    refs: Mapping[Side, SideRef] = field(default_factory=lambda: MappingProxyType({}))
    base: Fields | None = None
    parked: Side | None = None
    holds: Mapping[Side, Fields] = field(default_factory=lambda: MappingProxyType({}))
    deviations: Mapping[Side, Deviation] = field(default_factory=lambda: MappingProxyType({}))
    conflicts: tuple[FieldConflict, ...] = ()
    retry_ids: Mapping[Side, str] = field(default_factory=lambda: MappingProxyType({}))
    record: bool = True
    reason: str = ""


class GuardReason(StrEnum):
    """Why the mass-deletion guard stopped a pass."""

    SIDE_EMPTY = "side_empty"
    DELETE_SHARE = "delete_share"


@dataclass(frozen=True)
class GuardTrip:
    """The mass-deletion guard tripped: nothing was written."""

    side: Side
    reason: GuardReason
    linked: int
    deletes: int
    message: str


@dataclass(frozen=True)
class Plan:
    """The plan of one pass."""

    items: tuple[ItemPlan, ...]
    guard: GuardTrip | None
    warnings: tuple[str, ...] = ()


def _ref(item: Item) -> SideRef:
    return SideRef(item.id, item.etag, item.hash)


def _new_ident() -> str:
    return uuid.uuid4().hex


def _desired(merged: Fields, base: Fields, held: Fields, snapshot: Fields) -> Fields:
    """What a side should hold after the pass: the merged fields, except where nothing moved for a field
    and the side keeps its own form of it (see :attr:`Link.deviations`)."""
    desired: dict[str, FieldValue] = {}
    for name in sorted(set(merged) | set(held)):
        untouched = merged.get(name) == base.get(name) and held.get(name) == snapshot.get(name)
        value = held.get(name) if untouched else merged.get(name)
        if value is not None:
            desired[name] = value
    return MappingProxyType(desired)


@dataclass(frozen=True)
class Current:
    """One side of a pair as the planner sees it: what it holds now, what it held at the last sync
    (its snapshot), its reference, and the item when it was read in this pass."""

    fields: Fields
    snapshot: Fields
    ref: SideRef
    item: Item | None = None


def _sync(
    config: SyncConfig,
    ident: str,
    base: Fields,
    current: Mapping[Side, Current],
    *,
    action: Action,
    reason: str,
) -> ItemPlan:
    """Merge both sides against ``base`` and plan the updates that make them equal."""
    a, b = current[Side.MAILBOX], current[Side.SALESFORCE]
    source = config.direction.source
    conflicts: tuple[FieldConflict, ...] = ()
    if source is not None:
        src, dst = current[source], current[source.other]
        merged = one_way_merge(base, src.fields, src.snapshot, dst.fields, dst.snapshot)
    else:
        merged, conflicts = three_way_merge(
            base,
            a.fields,
            b.fields,
            multi_valued=config.multi_valued,
            policy=config.conflict_policy,
            mailbox_modified=a.item.modified_at if a.item else None,
            salesforce_modified=b.item.modified_at if b.item else None,
            mailbox_snapshot=a.snapshot,
            salesforce_snapshot=b.snapshot,
        )
    writes: dict[Side, Write] = {}
    refs: dict[Side, SideRef] = {}
    holds: dict[Side, Fields] = {}
    for side in Side:
        now = current[side]
        desired = _desired(merged, base, now.fields, now.snapshot)
        if dict(now.fields) != dict(desired) and config.direction.writable(side):
            writes[side] = Update(now.ref.id, now.ref.etag, merged)
        else:
            refs[side] = now.ref
            holds[side] = now.fields
    if action is Action.SYNC and not writes and not conflicts:
        action = Action.NOTHING
    return ItemPlan(
        ident,
        action,
        writes=MappingProxyType(writes),
        refs=MappingProxyType(refs),
        base=merged,
        holds=MappingProxyType(holds),
        conflicts=conflicts,
        retry_ids=MappingProxyType({side: current[side].ref.id for side in Side}),
        reason=reason,
    )


class _Planner:
    def __init__(self, views: Mapping[Side, SideView], links: Iterable[Link], config: SyncConfig) -> None:
        self.views = views
        self.links = sorted(links, key=lambda link: (link.mailbox.id, link.salesforce.id))
        self.config = config
        self.direction: Direction = config.direction
        self.plans: list[ItemPlan] = []
        self.warnings: list[str] = []
        linked = {side: {link.ref(side).id for link in self.links} for side in Side}
        self.new: dict[Side, dict[str, Item]] = {
            side: {item.id: item for item in views[side].new_items(linked[side])} for side in Side
        }
        # Items we created (they carry our marker) and that no link knows yet, by marker.
        self.orphans: dict[Side, dict[str, Item]] = {side: {} for side in Side}
        for side in Side:
            for item in self.new[side].values():
                source = marker_source(item.marker)
                if source is not None and source[0] is side.other and item.marker is not None:
                    self.orphans[side].setdefault(item.marker, item)

    # -- pairs -----------------------------------------------------------------------------------

    def _deleted_on(self, link: Link, deleted: Side, other_item: Item | None) -> ItemPlan:
        """One side deleted a linked item: propagate, re-create, or forget, by the rules."""
        keeper = deleted.other
        keeper_ref = _ref(other_item) if other_item is not None else link.ref(keeper)
        keeper_snapshot = link.snapshot(keeper)
        keeper_fields = other_item.fields if other_item is not None else keeper_snapshot
        changed_since_base = dict(keeper_fields) != dict(keeper_snapshot)
        retry = MappingProxyType({keeper: keeper_ref.id, deleted: link.ref(deleted).id})
        marker = marker_for(keeper, keeper_ref.id)
        if not changed_since_base and self.direction.writable(keeper) and keeper not in self.config.forbid_to_remove:
            return ItemPlan(
                link.ident,
                Action.DELETE,
                writes=MappingProxyType({keeper: Delete(keeper_ref.id, keeper_ref.etag)}),
                retry_ids=retry,
                reason=f"deleted on {deleted}, unchanged on {keeper}",
            )
        if self.direction.writable(deleted):
            why = "changed since the last sync" if changed_since_base else "removal is not allowed"
            # The keeper's changes over the base; what the keeper could never hold comes from the base.
            fields = one_way_merge(link.base, keeper_fields, keeper_snapshot, link.base, link.base)
            return ItemPlan(
                link.ident,
                Action.CREATE,
                writes=MappingProxyType({deleted: Create(fields, marker)}),
                refs=MappingProxyType({keeper: keeper_ref}),
                base=fields,
                holds=MappingProxyType({keeper: keeper_fields}),
                retry_ids=retry,
                reason=f"deleted on {deleted}, re-created: {keeper} {why}",
            )
        # Held (see UnitOfWork.held): copied back once the direction allows it.
        return ItemPlan(
            link.ident,
            Action.FORGET,
            refs=MappingProxyType({keeper: keeper_ref}),
            reason=f"deleted on {deleted}; {keeper} is kept and unlinked",
        )

    def _take_lost_copy(self, link: Link, states: dict[Side, tuple[Seen, Item | None]]) -> Link:
        """A deleted item whose re-created copy an earlier pass made but never recorded: use the copy."""
        for side in Side:
            if states[side][0] is not Seen.DELETED:
                continue
            orphan = self.orphans[side].pop(marker_for(side.other, link.ref(side.other).id), None)
            if orphan is None:
                continue
            self.new[side].pop(orphan.id, None)
            ref = _ref(orphan)
            states[side] = (Seen.PRESENT, orphan)
            return replace(
                link,
                mailbox=ref if side is Side.MAILBOX else link.mailbox,
                salesforce=ref if side is Side.SALESFORCE else link.salesforce,
                base=orphan.fields,
                deviations=MappingProxyType({}),
            )
        return link

    def plan_link(self, link: Link) -> None:  # noqa: PLR0911 (one return per rule reads best)
        """Plan one existing link."""
        states = {side: self.views[side].seen(link.ref(side).id) for side in Side}
        if link.parked is not None:
            parked_state = states[link.parked][0]
            other_state = states[link.parked.other][0]
            if parked_state is not Seen.PRESENT or other_state is Seen.LEFT_SCOPE:
                if other_state is Seen.DELETED:
                    self.plans.append(ItemPlan(link.ident, Action.FORGET, reason="deleted while out of scope"))
                return
            if other_state is Seen.UNCHANGED:
                # The engine fetches the other side on a return to scope; an absent answer means unknown.
                return
        original = link
        link = self._take_lost_copy(link, states)
        kinds = {side: states[side][0] for side in Side}
        if kinds[Side.MAILBOX] is Seen.DELETED and kinds[Side.SALESFORCE] is Seen.DELETED:
            self.plans.append(ItemPlan(link.ident, Action.FORGET, reason="deleted on both sides"))
            return
        left = [side for side in Side if kinds[side] is Seen.LEFT_SCOPE]
        if left:
            if any(kind is Seen.DELETED for kind in kinds.values()):
                self.plans.append(ItemPlan(link.ident, Action.FORGET, reason="left scope; the other copy is gone"))
                return
            self.plans.append(
                ItemPlan(
                    link.ident,
                    Action.UNLINK,
                    refs=MappingProxyType({side: link.ref(side) for side in Side}),
                    base=link.base,
                    parked=left[0],
                    deviations=link.deviations,
                    reason=f"left scope on {left[0]}",
                )
            )
            return
        for side in Side:
            if kinds[side] is Seen.DELETED:
                self.plans.append(self._deleted_on(link, side, states[side.other][1]))
                return
        current: dict[Side, Current] = {}
        for side in Side:
            item, snapshot = states[side][1], link.snapshot(side)
            current[side] = (
                Current(item.fields, snapshot, _ref(item), item)
                if item
                else Current(snapshot, snapshot, link.ref(side))
            )
        plan = _sync(self.config, link.ident, link.base, current, action=Action.SYNC, reason="")
        if link.parked is not None:
            plan = replace(plan, action=Action.LINK, reason="back in scope")
        elif plan.action is Action.NOTHING and all(plan.refs.get(side) == original.ref(side) for side in Side):
            return
        self.plans.append(plan)

    # -- new items -------------------------------------------------------------------------------

    def _pair(self, mailbox: Item, salesforce: Item, base: Fields, reason: str) -> None:
        self.new[Side.MAILBOX].pop(mailbox.id, None)
        self.new[Side.SALESFORCE].pop(salesforce.id, None)
        # Against the base (empty when adopting): whatever differs from it counts as a change.
        current = {
            Side.MAILBOX: Current(mailbox.fields, base, _ref(mailbox), mailbox),
            Side.SALESFORCE: Current(salesforce.fields, base, _ref(salesforce), salesforce),
        }
        self.plans.append(_sync(self.config, _new_ident(), base, current, action=Action.LINK, reason=reason))

    def pair_orphans(self) -> None:
        """Link each new item to the copy we already created from it (a lost create response)."""
        for side in Side:
            for item in list(self.new[side].values()):
                if item.id not in self.new[side]:
                    continue
                orphan = self.orphans[side.other].pop(marker_for(side, item.id), None)
                if orphan is not None and orphan.id in self.new[side.other]:
                    pair = (item, orphan) if side is Side.MAILBOX else (orphan, item)
                    self._pair(*pair, base=orphan.fields, reason="copy found by its marker")

    def unresolved_orphans(self) -> dict[Side, list[Item]]:
        """New items carrying our marker whose source was not seen in this pass."""
        return {side: [item for item in self.orphans[side].values() if item.id in self.new[side]] for side in Side}

    def settle_orphans(self, sources: Mapping[Side, Mapping[str, Lookup]], linked_ids: Mapping[Side, set[str]]) -> None:
        """Pair orphans with their fetched source, or leave them (a linked source means a stray copy)."""
        for side, orphans in self.unresolved_orphans().items():
            for orphan in orphans:
                origin = marker_source(orphan.marker)
                if origin is None:
                    continue
                source = sources.get(origin[0], {}).get(origin[1])
                if origin[1] in linked_ids[origin[0]]:
                    self.new[side].pop(orphan.id, None)
                    self.warnings.append(f"{side} item {orphan.id} is a stray copy of a linked item; left alone")
                elif isinstance(source, Item):
                    pair = (source, orphan) if origin[0] is Side.MAILBOX else (orphan, source)
                    self._pair(*pair, base=orphan.fields, reason="copy found by its marker")

    def adopt_matches(self) -> None:
        """Link unlinked items that share a match-key value on both sides, when the match is unique."""
        names = self.config.match_key
        if not names:
            return
        index: dict[Side, dict[str, set[str]]] = {side: {} for side in Side}
        for side in Side:
            for item in self.new[side].values():
                for key in _keys(item, names):
                    index[side].setdefault(key, set()).add(item.id)
        for item in sorted(self.new[Side.MAILBOX].values(), key=lambda found: found.id):
            candidates = {b_id for key in _keys(item, names) for b_id in index[Side.SALESFORCE].get(key, set())}
            if len(candidates) != 1:
                if len(candidates) > 1:
                    self.warnings.append(f"mailbox item {item.id} matches several Salesforce items; not adopted")
                continue
            match = self.new[Side.SALESFORCE].get(next(iter(candidates)))
            if match is None:
                continue
            back = {a_id for key in _keys(match, names) for a_id in index[Side.MAILBOX].get(key, set())}
            if back != {item.id}:
                self.warnings.append(f"Salesforce item {match.id} matches several mailbox items; not adopted")
                continue
            self._pair(item, match, base=_EMPTY, reason=f"adopted by {' and '.join(names)}")

    def create_rest(self) -> None:
        """Copy every remaining new item to the other side, if the direction allows it."""
        for side in Side:
            target = side.other
            for item in list(self.new[side].values()):
                if not self.direction.writable(target):
                    self.plans.append(
                        ItemPlan(
                            f"{side}:{item.id}",
                            Action.SKIP,
                            refs=MappingProxyType({side: _ref(item)}),
                            record=False,
                            reason=f"{target} is read-only",
                        )
                    )
                    continue
                self.plans.append(
                    ItemPlan(
                        _new_ident(),
                        Action.CREATE,
                        writes=MappingProxyType({target: Create(item.fields, marker_for(side, item.id))}),
                        refs=MappingProxyType({side: _ref(item)}),
                        base=item.fields,
                        holds=MappingProxyType({side: item.fields}),
                        retry_ids=MappingProxyType({side: item.id}),
                        reason=f"new on {side}",
                    )
                )
            self.new[side].clear()


def _keys(item: Item, names: tuple[str, ...]) -> set[str]:
    """The item's match keys: every combination of its values of ``names`` (none when one is empty)."""
    keys = {""}
    for name in names:
        value = item.fields.get(name)
        if value is None:
            return set()
        values = {value.casefold()} if isinstance(value, str) else {member.casefold() for member in value}
        keys = {f"{key}\x1f{member}" if key else member for key in keys for member in values}
    return keys


def check_guard(
    views: Mapping[Side, SideView], links: Iterable[Link], plans: Iterable[ItemPlan], config: SyncConfig
) -> GuardTrip | None:
    """The mass-deletion guard: a side whose linked items all vanished, or too many deletes on a side.

    Both rules only apply when at least ``config.mass_delete_floor`` items are at stake.
    """
    active = [link for link in links if link.parked is None]
    plans = list(plans)
    for side in Side:
        linked = len(active)
        if linked >= config.mass_delete_floor:
            still_there = [
                link for link in active if views[side].seen(link.ref(side).id)[0] in (Seen.UNCHANGED, Seen.PRESENT)
            ]
            if not still_there:
                return GuardTrip(
                    side,
                    GuardReason.SIDE_EMPTY,
                    linked,
                    0,
                    f"all {linked} linked items on the {side} side are gone or out of scope; "
                    "nothing was changed (a deleted folder, lost permission or an empty answer looks like this)",
                )
        deletes = sum(1 for plan in plans if isinstance(plan.writes.get(side), Delete))
        if deletes >= config.mass_delete_floor and deletes > config.max_delete_share * linked:
            return GuardTrip(
                side,
                GuardReason.DELETE_SHARE,
                linked,
                deletes,
                f"the pass would delete {deletes} of {linked} linked items on the {side} side "
                f"(more than {config.max_delete_share:.0%}); nothing was changed",
            )
    return None


def make_plan(
    views: Mapping[Side, SideView],
    links: Iterable[Link],
    config: SyncConfig,
    orphan_sources: Mapping[Side, Mapping[str, Lookup]] | None = None,
) -> Plan:
    """Plan one pass.

    ``views`` must hold, per side, the fetched state of every changed or new id, of every linked id the
    listing dropped without a known reason, of ids to retry, and of the other side of every parked link
    whose item returned to scope. ``orphan_sources`` are the fetched sources of orphans (see
    :func:`orphan_sources_needed`).
    """
    links = list(links)
    planner = _Planner(views, links, config)
    for link in planner.links:
        planner.plan_link(link)
    planner.pair_orphans()
    if orphan_sources is not None:
        linked = {side: {link.ref(side).id for link in links} for side in Side}
        planner.settle_orphans(orphan_sources, linked)
    planner.adopt_matches()
    planner.create_rest()
    guard = None if config.allow_mass_delete else check_guard(views, links, planner.plans, config)
    return Plan(tuple(planner.plans), guard, tuple(planner.warnings))


def orphan_sources_needed(
    views: Mapping[Side, SideView], links: Iterable[Link], config: SyncConfig
) -> dict[Side, set[str]]:
    """Ids to fetch, per side, that are the sources of orphans whose source was not seen in this pass."""
    planner = _Planner(views, links, config)
    needed: dict[Side, set[str]] = {side: set() for side in Side}
    if not any(planner.orphans.values()):
        return needed  # the common case: no copy of ours among the new items, nothing to plan twice
    for link in planner.links:
        planner.plan_link(link)
    planner.pair_orphans()
    for orphans in planner.unresolved_orphans().values():
        for orphan in orphans:
            origin = marker_source(orphan.marker)
            if origin is not None:
                needed[origin[0]].add(origin[1])
    return needed


def relink_found(plan: ItemPlan, marked: Marked, config: SyncConfig) -> ItemPlan:
    """Turn a planned create into a link with the copy a lost create already made.

    The copy is taken as the last-synced base, so what changed on the source since then still wins.
    A copy that is out of scope is linked parked: neither synced nor created a second time.
    """
    (target,) = plan.writes
    source = target.other
    source_ref = plan.refs[source]
    found = marked.item
    if not marked.in_scope:
        return ItemPlan(
            plan.ident,
            Action.UNLINK,
            refs=MappingProxyType({target: _ref(found), source: source_ref}),
            base=found.fields,
            parked=target,
            reason="copy found by its marker, out of scope",
        )
    source_fields = plan.base if plan.base is not None else _EMPTY
    current = {
        target: Current(found.fields, found.fields, _ref(found), found),
        source: Current(source_fields, found.fields, source_ref),
    }
    return _sync(config, plan.ident, found.fields, current, action=Action.LINK, reason="copy found by its marker")
