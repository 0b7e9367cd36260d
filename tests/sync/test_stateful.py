"""A Hypothesis state machine over (memory mailbox, memory Salesforce, memory status).

Users create, edit, delete and move items in and out of scope on both sides; the settings change;
faults and crashes are injected; passes run. After every pass that ran clean (no fault pending, no
failure), the engine invariants of DESIGN.md are checked.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from app.sync.apply import PassResult
from app.sync.config import Direction, Side
from app.sync.items import normalise_fields
from app.sync.memory import MemoryItemStore, SimulatedCrash
from app.sync.plan import GuardReason
from app.sync.stores import FailureKind, Link
from tests.sync.world import World

SIDES = st.sampled_from(list(Side))
NAMES = st.sampled_from(["Ada", "Bob", "Cy", "Di"])
TITLES = st.sampled_from(["", "CEO", "CTO"])
PHONES = st.lists(st.sampled_from(["111", "222", "333"]), max_size=3, unique=True)


def _state(store: MemoryItemStore) -> dict[str, Any]:
    return {i: (s.etag, s.in_scope, repr(sorted(s.fields.items()))) for i, s in store.items.items()}


class SyncMachine(RuleBasedStateMachine):
    """Random histories of user edits, settings, faults and passes."""

    def __init__(self) -> None:
        super().__init__()
        self.world = World(server_rewrite=True)
        self.people = 0
        self.faulty = False

    @initialize(use_delta=st.booleans(), cut=st.booleans())
    def choose_listing(self, use_delta: bool, cut: bool) -> None:
        self.world.mb.use_delta = use_delta
        self.world.sf.use_delta = not use_delta
        # Salesforce cuts long values (like a described field length): held apart, never written back.
        self.world.sf.max_length = 6 if cut else None

    # -- users ------------------------------------------------------------------------------------

    def _email(self) -> str:
        self.people += 1
        return f"p{self.people}@example.org"

    @rule(side=SIDES, name=NAMES, phones=PHONES)
    def create(self, side: Side, name: str, phones: list[str]) -> None:
        self.world.store(side).put({"name": name, "emails": [self._email()], "phones": phones})

    @rule(name=NAMES, title=TITLES)
    def create_same_person_on_both_sides(self, name: str, title: str) -> None:
        email = self._email()
        self.world.mb.put({"name": name, "emails": [email]})
        self.world.sf.put({"name": name, "title": title, "emails": [email]})

    @rule(data=st.data(), side=SIDES, which=st.sets(st.integers(0, 2), min_size=1))
    def update(self, data: st.DataObject, side: Side, which: set[int]) -> None:
        store = self.world.store(side)
        if not store.items:
            return
        item_id = data.draw(st.sampled_from(sorted(store.items)))
        changes: dict[str, object] = {}
        if 0 in which:
            changes["name"] = data.draw(NAMES)
        if 1 in which:
            changes["title"] = data.draw(TITLES) or None
        if 2 in which:
            changes["phones"] = data.draw(PHONES)
        store.edit(item_id, changes)

    @rule(data=st.data(), side=SIDES)
    def delete(self, data: st.DataObject, side: Side) -> None:
        store = self.world.store(side)
        if store.items:
            item_id = data.draw(st.sampled_from(sorted(store.items)))
            store.remove(item_id)

    @rule(data=st.data(), side=SIDES)
    def change_scope(self, data: st.DataObject, side: Side) -> None:
        store = self.world.store(side)
        if store.items:
            item_id = data.draw(st.sampled_from(sorted(store.items)))
            store.set_scope(item_id, not store.items[item_id].in_scope)

    # -- settings and faults ----------------------------------------------------------------------

    @rule(forbid=st.sampled_from([frozenset(), frozenset({Side.SALESFORCE}), frozenset({Side.MAILBOX})]))
    def set_forbid_to_remove(self, forbid: frozenset[Side]) -> None:
        self.world.config = replace(self.world.config, forbid_to_remove=forbid)

    @rule(direction=st.sampled_from(list(Direction)))
    def toggle_direction(self, direction: Direction) -> None:
        self.world.config = replace(self.world.config, direction=direction)

    @rule(
        side=SIDES,
        kind=st.sampled_from(
            [FailureKind.INVALID, FailureKind.TRANSIENT, FailureKind.UNKNOWN_OUTCOME, FailureKind.PRECONDITION]
        ),
        operation=st.sampled_from([None, "create", "update", "delete"]),
    )
    def inject_failure(self, side: Side, kind: FailureKind, operation: str | None) -> None:
        self.world.store(side).fail_next(kind, operation=operation)
        self.faulty = True

    @rule(side=st.sampled_from([*Side, None]), step=st.integers(1, 6))
    def crash_at_step(self, side: Side | None, step: int) -> None:
        if side is None:
            self.world.status.crash_on_next_commit()
        else:
            self.world.store(side).crash_after(step)
        self.faulty = True

    @rule(side=SIDES)
    def expire_cursor(self, side: Side) -> None:
        self.world.store(side).expire_cursor()

    # -- passes -----------------------------------------------------------------------------------

    def _run(self, **overrides: Any) -> PassResult | None:
        direction = self.world.config.direction
        read_only = [side for side in Side if not direction.writable(side)]
        before = {side: _state(self.world.store(side)) for side in read_only}
        links_before = list(self.world.status.links())
        protected = self._changed_since_base(links_before)
        try:
            result: PassResult | None = self.world.sync(**overrides)
        except SimulatedCrash:
            result = None
        for side in read_only:
            assert _state(self.world.store(side)) == before[side], f"read-only {side} was written"
        for side, item_id in protected:
            assert item_id in self.world.store(side).items, f"{side} {item_id} changed since base, deleted by us"
        if result is not None and result.guard is not None:
            self._check_guard(result, links_before)
        return result

    def _changed_since_base(self, links: list[Link]) -> set[tuple[Side, str]]:
        """Items unlinked, or whose fields differ from their link base: never to be deleted.

        An unlinked item carrying our marker is a copy a crashed pass made: it stands for its source.
        """
        active = {link.ref(side).id: link for link in links for side in Side}
        changed = set()
        for side in Side:
            for item_id, stored in self.world.store(side).items.items():
                link = active.get(item_id)
                if link is None and stored.marker is not None:
                    continue
                if (
                    link is None
                    or link.ref(side).id != item_id
                    or dict(normalise_fields(stored.fields)) != dict(link.snapshot(side))
                ):
                    changed.add((side, item_id))
        return changed

    def _expected_empty(self, links: list[Link]) -> set[Side]:
        active = [link for link in links if link.parked is None]
        empty = set()
        for side in Side:
            items = self.world.store(side).items
            there = [link for link in active if link.ref(side).id in items and items[link.ref(side).id].in_scope]
            if len(active) >= self.world.config.mass_delete_floor and not there:
                empty.add(side)
        return empty

    def _check_guard(self, result: PassResult, links_before: list[Link]) -> None:
        assert result.guard is not None
        assert result.writes == 0 and not result.committed
        if result.guard.reason is GuardReason.SIDE_EMPTY:
            assert result.guard.side in self._expected_empty(links_before)
        else:
            share = self.world.config.max_delete_share * result.guard.linked
            assert result.guard.deletes >= self.world.config.mass_delete_floor and result.guard.deletes > share

    @rule()
    def sync(self) -> None:
        faulty = self.faulty or any(s.pending_faults for s in (self.world.mb, self.world.sf, self.world.status))
        links_before = list(self.world.status.links())
        expected_empty = self._expected_empty(links_before)
        result = self._run()
        for faulty_store in (self.world.mb, self.world.sf, self.world.status):
            faulty_store.clear_faults()
        self.faulty = False
        if faulty or result is None:
            return
        if expected_empty:
            assert result.guard is not None, f"guard should trip: {expected_empty} emptied"
        if result.guard is not None:
            result = self._run(allow_mass_delete=True)
            assert result is not None
        else:
            for side in Side:
                deletes = result.summary[side].deleted
                active = sum(1 for link in links_before if link.parked is None)
                limit = self.world.config.max_delete_share * active
                assert deletes < self.world.config.mass_delete_floor or deletes <= limit
        assert result.ok, result.failures
        self._check_converged()
        again = self._run()
        assert again is not None and again.ok and again.writes == 0, again
        self._check_converged()

    # -- invariants -------------------------------------------------------------------------------

    def _check_converged(self) -> None:
        world = self.world
        links = list(world.status.links())
        direction = world.config.direction
        in_links = {side: {link.ref(side).id for link in links} for side in Side}
        for side in Side:
            for item_id, item in world.store(side).snapshot().items():
                if item_id in in_links[side]:
                    continue
                # Only an item the direction forbids copying may stay unlinked.
                assert not direction.writable(side.other), f"{side} {item_id} {dict(item.fields)} never synced"
        for link in links:
            if link.parked is not None:
                continue
            mb = world.mb.snapshot().get(link.mailbox.id)
            sf = world.sf.snapshot().get(link.salesforce.id)
            assert mb is not None and sf is not None, link
            assert dict(mb.fields) == dict(link.base), (mb, link)
            assert dict(sf.fields) == dict(world.sf.fit(mb.fields)), (mb, sf)

    @invariant()
    def no_duplicates(self) -> None:
        for side in Side:
            markers = [s.marker for s in self.world.store(side).items.values() if s.marker is not None]
            assert len(markers) == len(set(markers)), f"duplicate copies on {side}: {markers}"
            ids = [link.ref(side).id for link in self.world.status.links()]
            assert len(ids) == len(set(ids)), f"an item of {side} is in two links"


TestSyncMachine = SyncMachine.TestCase
TestSyncMachine.settings = settings(
    max_examples=150,
    stateful_step_count=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
