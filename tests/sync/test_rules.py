"""One test per engine rule, named after the scenario of reference §4 where there is one."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.sync.config import ConflictPolicy, Direction, Side, SyncConfig
from app.sync.memory import SimulatedCrash
from app.sync.plan import GuardReason, marker_for
from app.sync.stores import FailureKind, Written
from tests.sync.world import CONTACTS, World

MB, SF = Side.MAILBOX, Side.SALESFORCE


def contact(name: str, email: str, **extra: object) -> dict[str, object]:
    return {"name": name, "emails": [email], **extra}


def linked_world(count: int = 5, **kwargs: object) -> tuple[World, list[str], list[str]]:
    """A world with ``count`` contacts created in Salesforce and synced; returns (world, mb ids, sf ids)."""
    world = World(**kwargs)  # type: ignore[arg-type]
    sf_ids = [world.sf.put(contact(f"P{i}", f"p{i}@x.org", title="t")) for i in range(count)]
    result = world.sync()
    assert result.ok and result.summary[MB].created == count
    mb_ids = [world.partner(SF, sf_id) for sf_id in sf_ids]
    assert None not in mb_ids
    return world, [str(i) for i in mb_ids], sf_ids


def assert_quiet(world: World) -> None:
    """Idempotence: the next pass writes nothing."""
    again = world.sync()
    assert again.ok
    assert again.writes == 0, again.summary


def test_creates_flow_both_ways_and_the_second_pass_is_quiet() -> None:
    world = World()
    world.mb.put(contact("Ada", "ada@x.org"))
    world.sf.put(contact("Bob", "bob@x.org"))
    result = world.sync()
    assert result.summary[MB].created == 1 and result.summary[SF].created == 1
    assert world.projections(MB) == world.projections(SF)
    assert len(world.links()) == 2
    assert_quiet(world)


@pytest.mark.parametrize("server_rewrite", [False, True])
@pytest.mark.parametrize("use_delta", [False, True])
def test_echo_of_our_own_writes_costs_nothing(use_delta: bool, server_rewrite: bool) -> None:
    world = World(use_delta=use_delta, server_rewrite=server_rewrite)
    mb_id = world.mb.put(contact("Ada", "ada@x.org", phones=["1", "2"]))
    world.sync()
    world.mb.edit(mb_id, {"title": "CEO"})
    world.sync()
    # Our writes come back with new etags (and, with server_rewrite, reformatted): zero writes.
    before = (world.mb.writes, world.sf.writes)
    assert world.sync().writes == 0
    assert (world.mb.writes, world.sf.writes) == before


def test_a1_first_sync_adopts_by_email_field_by_field() -> None:
    world = World()
    mb_id = world.mb.put({"name": "Ada L.", "emails": ["ada@x.org"], "phones": ["1"], "title": "Countess"})
    sf_id = world.sf.put({"name": "Ada Lovelace", "emails": ["ada@x.org"], "phones": ["2"]})
    result = world.sync()
    assert result.summary[MB].linked == 1
    assert result.summary[MB].created == 0 and result.summary[SF].created == 0
    assert world.partner(MB, mb_id) == sf_id
    # Salesforce wins the differing single field; sets are unioned; a one-sided field is kept.
    assert world.fields(MB, mb_id) == world.fields(SF, sf_id)
    assert world.fields(SF, sf_id)["name"] == "Ada Lovelace"
    assert world.fields(SF, sf_id)["phones"] == ("1", "2")
    assert world.fields(SF, sf_id)["title"] == "Countess"
    assert [c.field for c in result.conflicts] == ["name"]
    assert_quiet(world)


def test_a1_match_key_ignores_case() -> None:
    world = World()
    world.mb.put(contact("Ada", "ADA@x.org"))
    world.sf.put(contact("Ada", "ada@x.org"))
    assert world.sync().summary[MB].linked == 1


def test_a_match_key_of_several_fields_adopts_only_when_every_field_matches() -> None:
    world = World(config=SyncConfig(match_key=("subject", "start")))
    same_mb = world.mb.put({"subject": "Review", "start": "2026-11-23T09:00:00Z", "location": "Room 1"})
    same_sf = world.sf.put({"subject": "review", "start": "2026-11-23T09:00:00Z"})
    world.mb.put({"subject": "Review", "start": "2026-11-30T09:00:00Z"})
    world.sf.put({"subject": "Standup", "start": "2026-11-30T09:00:00Z"})
    world.sf.put({"start": "2026-12-07T09:00:00Z"})  # no subject: no key, never adopted

    result = world.sync()

    assert result.summary[MB].linked == 1
    assert world.partner(MB, same_mb) == same_sf
    assert result.summary[MB].created == 2 and result.summary[SF].created == 1


def test_a3_ambiguous_match_is_not_adopted() -> None:
    world = World()
    world.mb.put(contact("Ada", "ada@x.org"))
    world.sf.put(contact("Ada 1", "ada@x.org"))
    world.sf.put(contact("Ada 2", "ada@x.org"))
    result = world.sync()
    assert result.summary[MB].linked == 0
    assert any("several" in warning for warning in result.warnings)
    # Never two Salesforce records on one mailbox contact: each gets its own copy.
    assert len(world.sf.snapshot()) == 3
    assert all(len({link.ref(side).id for link in world.links()}) == len(world.links()) for side in Side)


def test_b9_different_fields_merge_without_conflict() -> None:
    world, mb_ids, sf_ids = linked_world()
    world.mb.edit(mb_ids[0], {"title": "mailbox title"})
    world.sf.edit(sf_ids[0], {"name": "SF name"})
    result = world.sync()
    assert result.conflicts == ()
    assert world.fields(MB, mb_ids[0]) == world.fields(SF, sf_ids[0])
    assert world.fields(MB, mb_ids[0])["title"] == "mailbox title"
    assert world.fields(MB, mb_ids[0])["name"] == "SF name"
    assert_quiet(world)


@pytest.mark.parametrize(
    ("policy", "kept"),
    [(ConflictPolicy.SALESFORCE_WINS, "sf"), (ConflictPolicy.MAILBOX_WINS, "mb"), (ConflictPolicy.NEWEST_WINS, "sf")],
)
def test_b10_same_field_follows_policy_and_is_logged(policy: ConflictPolicy, kept: str) -> None:
    world, mb_ids, sf_ids = linked_world(config=replace(CONTACTS, conflict_policy=policy))
    world.mb.edit(mb_ids[0], {"title": "mb"})
    world.sf.edit(sf_ids[0], {"title": "sf"})  # later, so newest wins picks Salesforce
    result = world.sync(conflict_policy=policy)
    assert world.fields(MB, mb_ids[0])["title"] == kept == world.fields(SF, sf_ids[0])["title"]
    logged = world.status.conflict_log
    assert [(c.field, c.mailbox_value, c.salesforce_value, c.base_value) for c in logged] == [
        ("title", "mb", "sf", "t")
    ]
    assert logged[0].at.tzinfo is not None
    loser = MB if kept == "sf" else SF
    assert result.summary[loser].conflicts == 1
    assert world.sync(conflict_policy=policy).writes == 0


def test_b11_same_change_on_both_sides_is_no_conflict() -> None:
    world, mb_ids, sf_ids = linked_world()
    world.mb.edit(mb_ids[0], {"title": "same"})
    world.sf.edit(sf_ids[0], {"title": "same"})
    result = world.sync()
    assert result.writes == 0 and result.conflicts == ()
    assert_quiet(world)


def test_b12_precondition_failure_keeps_the_users_edit() -> None:
    world, mb_ids, sf_ids = linked_world()
    world.sf.edit(sf_ids[0], {"name": "from SF"})
    world.mb.fail_next(FailureKind.PRECONDITION, operation="update")
    first = world.sync()
    assert [f.kind for f in first.failures] == [FailureKind.PRECONDITION]
    world.mb.edit(mb_ids[0], {"title": "user edit"})
    world.sync()
    assert world.fields(MB, mb_ids[0])["title"] == "user edit" == world.fields(SF, sf_ids[0])["title"]
    assert world.fields(MB, mb_ids[0])["name"] == "from SF"
    assert_quiet(world)


def test_b15_phones_added_on_both_sides_are_unioned() -> None:
    world, mb_ids, sf_ids = linked_world()
    world.mb.edit(mb_ids[0], {"phones": ["111"]})
    world.sf.edit(sf_ids[0], {"phones": ["222"]})
    world.sync()
    assert world.fields(MB, mb_ids[0])["phones"] == ("111", "222") == world.fields(SF, sf_ids[0])["phones"]


def test_c17_mailbox_delete_propagates_when_removal_is_allowed() -> None:
    world, mb_ids, sf_ids = linked_world(5)
    world.mb.remove(mb_ids[0])
    result = world.sync(forbid_to_remove=frozenset())
    assert result.summary[SF].deleted == 1
    assert sf_ids[0] not in world.sf.items
    assert len(world.links()) == 4


def test_c18_forbid_to_remove_recreates_in_the_mailbox() -> None:
    world, mb_ids, sf_ids = linked_world(5)
    world.mb.remove(mb_ids[0])
    result = world.sync()
    assert result.summary[SF].writes == 0
    assert result.summary[MB].created == 1
    new_id = world.partner(SF, sf_ids[0])
    assert new_id is not None and new_id != mb_ids[0]
    assert world.fields(MB, new_id) == world.fields(SF, sf_ids[0])
    assert world.mb.items[new_id].marker == marker_for(SF, sf_ids[0])
    assert_quiet(world)


def test_salesforce_delete_removes_the_mailbox_copy() -> None:
    world, mb_ids, sf_ids = linked_world(5)
    world.sf.remove(sf_ids[0])
    result = world.sync()
    assert result.summary[MB].deleted == 1
    assert mb_ids[0] not in world.mb.items


def test_c19_update_beats_delete() -> None:
    world, mb_ids, sf_ids = linked_world(5)
    world.sf.remove(sf_ids[0])
    world.mb.edit(mb_ids[0], {"title": "edited"})
    result = world.sync()
    assert result.summary[MB].deleted == 0
    assert mb_ids[0] in world.mb.items
    new_sf = world.partner(MB, mb_ids[0])
    assert new_sf is not None and new_sf != sf_ids[0]
    assert world.fields(SF, new_sf)["title"] == "edited"
    # And the other way round, even when removal is allowed.
    world.mb.remove(mb_ids[1])
    world.sf.edit(sf_ids[1], {"title": "sf edit"})
    world.sync(forbid_to_remove=frozenset())
    assert sf_ids[1] in world.sf.items
    assert world.fields(MB, str(world.partner(SF, sf_ids[1])))["title"] == "sf edit"
    assert_quiet(world)


def test_c20_deleted_on_both_sides_drops_the_row_without_calls() -> None:
    world, mb_ids, sf_ids = linked_world(5)
    world.mb.remove(mb_ids[0])
    world.sf.remove(sf_ids[0])
    result = world.sync()
    assert result.writes == 0
    assert len(world.links()) == 4
    assert result.summary[MB].unlinked == 1


@pytest.mark.parametrize("use_delta", [False, True])
def test_c23_emptied_mailbox_trips_the_guard(use_delta: bool) -> None:
    world, mb_ids, _sf_ids = linked_world(5, use_delta=use_delta)
    for mb_id in mb_ids:
        world.mb.remove(mb_id)
    commits = world.status.commits
    result = world.sync(forbid_to_remove=frozenset())
    assert result.guard is not None and result.guard.reason is GuardReason.SIDE_EMPTY and result.guard.side is MB
    assert not result.committed and world.status.commits == commits
    assert len(world.sf.snapshot()) == 5 and result.writes == 0
    # Still stopped on the next pass; confirmed, it proceeds.
    assert world.sync(forbid_to_remove=frozenset()).guard is not None
    confirmed = world.sync(forbid_to_remove=frozenset(), allow_mass_delete=True)
    assert confirmed.guard is None and confirmed.summary[SF].deleted == 5


def test_c24_delete_share_guard() -> None:
    world, _mb_ids, sf_ids = linked_world(10)
    for sf_id in sf_ids[:2]:
        world.sf.remove(sf_id)
    below = world.sync()
    assert below.guard is None and below.summary[MB].deleted == 2
    for sf_id in sf_ids[2:6]:
        world.sf.remove(sf_id)
    above = world.sync()
    assert above.guard is not None and above.guard.reason is GuardReason.DELETE_SHARE
    assert above.guard.deletes == 4 and above.guard.linked == 8
    assert len(world.mb.snapshot()) == 8


def test_c25_deleting_what_is_already_gone_is_success() -> None:
    world, _mb_ids, sf_ids = linked_world(5)
    world.sf.remove(sf_ids[0])
    world.mb.fail_next(FailureKind.NOT_FOUND, operation="delete")
    result = world.sync()
    assert result.ok and result.summary[MB].errors == 0
    assert len(world.links()) == 4


@pytest.mark.parametrize("vague", [False, True])
def test_d27_leaving_scope_unlinks_and_returning_relinks(vague: bool) -> None:
    world, mb_ids, sf_ids = linked_world(5)
    world.mb.vague_removals = vague
    world.mb.set_scope(mb_ids[0], False)
    result = world.sync(forbid_to_remove=frozenset())
    assert result.writes == 0 and result.summary[MB].unlinked == 1
    assert sf_ids[0] in world.sf.items and mb_ids[0] in world.mb.items
    assert world.partner(SF, sf_ids[0]) is None
    assert_quiet(world)  # the Salesforce copy is not re-created in the mailbox
    # Edits on both sides while out of scope merge when it comes back (D29: category re-added).
    world.mb.edit(mb_ids[0], {"title": "mb"})
    world.sf.edit(sf_ids[0], {"name": "sf"})
    world.mb.set_scope(mb_ids[0], True)
    back = world.sync()
    assert back.summary[MB].linked == 1
    assert world.partner(MB, mb_ids[0]) == sf_ids[0]
    assert world.fields(MB, mb_ids[0]) == world.fields(SF, sf_ids[0])
    assert world.fields(SF, sf_ids[0])["title"] == "mb"
    assert len(world.links()) == 5
    assert_quiet(world)


def test_d32_salesforce_item_leaving_scope_stays_in_the_mailbox() -> None:
    world, mb_ids, sf_ids = linked_world(5)
    world.sf.set_scope(sf_ids[0], False)
    result = world.sync()
    assert result.writes == 0 and mb_ids[0] in world.mb.items
    assert_quiet(world)


def test_sf_to_mailbox_never_writes_salesforce() -> None:
    world, mb_ids, sf_ids = linked_world(5)
    one_way = {"direction": Direction.SF_TO_MAILBOX}
    world.mb.put(contact("Mailbox only", "only@x.org"))
    world.mb.edit(mb_ids[0], {"title": "mailbox edit"})
    world.mb.remove(mb_ids[1])
    sf_before = {i: dict(item.fields) for i, item in world.sf.snapshot().items()}
    result = world.sync(**one_way)
    assert result.summary[SF].writes == 0 and result.summary[MB].skipped == 1
    assert {i: dict(item.fields) for i, item in world.sf.snapshot().items()} == sf_before
    # The mailbox mirrors Salesforce: the edit is reverted, the deleted copy is re-created.
    assert world.fields(MB, mb_ids[0])["title"] == "t"
    assert world.partner(SF, sf_ids[1]) is not None
    assert world.sync(**one_way).writes == 0


def test_mailbox_to_sf_never_writes_the_mailbox() -> None:
    world, mb_ids, sf_ids = linked_world(5)
    one_way = {"direction": Direction.MAILBOX_TO_SF}
    world.sf.put(contact("SF only", "sfonly@x.org"))
    world.sf.edit(sf_ids[0], {"title": "sf edit"})
    world.mb.edit(mb_ids[1], {"title": "mb edit"})
    result = world.sync(**one_way)
    assert result.summary[MB].writes == 0 and result.summary[SF].skipped == 1
    assert world.fields(SF, sf_ids[0])["title"] == "t"
    assert world.fields(SF, sf_ids[1])["title"] == "mb edit"
    assert world.sync(**one_way).writes == 0


def test_one_failure_never_blocks_the_others() -> None:
    world = World()
    ids = [world.mb.put(contact(f"P{i}", f"p{i}@x.org")) for i in range(3)]
    world.sf.fail_next(FailureKind.INVALID, operation="create")
    result = world.sync()
    assert result.summary[SF].created == 2 and result.summary[SF].errors == 1
    assert [f.kind for f in result.failures] == [FailureKind.INVALID]
    retry = world.sync()
    assert retry.ok and retry.summary[SF].created == 1
    assert all(world.partner(MB, i) for i in ids)
    assert_quiet(world)


def test_lost_create_response_is_linked_not_duplicated() -> None:
    world = World()
    world.mb.put(contact("Ada", "ada@x.org"))
    world.sf.fail_next(FailureKind.UNKNOWN_OUTCOME, operation="create")
    first = world.sync()
    assert first.summary[SF].errors == 1 and len(world.sf.items) == 1
    world.sync()
    assert len(world.sf.items) == 1 and len(world.links()) == 1
    assert_quiet(world)


def test_lost_create_found_by_marker_lookup_when_not_listed() -> None:
    world = World()
    world.mb.put(contact("Ada", "ada@x.org"))
    world.sf.fail_next(FailureKind.UNKNOWN_OUTCOME, operation="create")
    world.sync()
    (orphan_id,) = world.sf.items
    world.sf.set_scope(orphan_id, False)  # e.g. not in the list view
    world.sync()
    assert len(world.sf.items) == 1 and world.sf.calls.get("find", 0) >= 1
    # Found, out of scope: linked parked, so it is neither synced nor created again.
    (link,) = world.links()
    assert link.salesforce.id == orphan_id and link.parked is Side.SALESFORCE
    assert_quiet(world)
    world.sf.set_scope(orphan_id, True)
    world.sync()
    assert world.partner(MB, next(iter(world.mb.items))) == orphan_id


@pytest.mark.parametrize("side", [MB, SF])
@pytest.mark.parametrize("crash_at", [1, 2, 3, 4, 5])
def test_crash_mid_pass_converges_without_duplicates(side: Side, crash_at: int) -> None:
    world = World()
    for i in range(3):
        world.mb.put(contact(f"M{i}", f"m{i}@x.org"))
        world.sf.put(contact(f"S{i}", f"s{i}@x.org"))
    world.store(side).crash_after(crash_at)  # list, get, then each of the three creates
    with pytest.raises(SimulatedCrash):
        world.sync()
    assert world.sync().ok
    assert world.projections(MB) == world.projections(SF)
    assert len(world.mb.items) == 6 and len(world.sf.items) == 6
    assert_quiet(world)


def test_crash_before_commit_converges_without_duplicates() -> None:
    world, mb_ids, sf_ids = linked_world(5)
    world.mb.put(contact("New", "new@x.org"))
    world.mb.remove(mb_ids[0])
    world.sf.edit(sf_ids[1], {"title": "x"})
    world.status.crash_on_next_commit()
    with pytest.raises(SimulatedCrash):
        world.sync()
    assert world.sync().ok
    assert world.projections(MB) == world.projections(SF)
    assert len(world.mb.items) == 6 and len(world.sf.items) == 6
    assert_quiet(world)


def test_expired_cursor_relists_without_duplicates_or_deletes() -> None:
    world, _mb_ids, _sf_ids = linked_world(5)
    world.mb.expire_cursor()
    world.sf.expire_cursor()
    result = world.sync()
    assert result.writes == 0 and len(world.links()) == 5


def test_status_records_cursors_with_the_work() -> None:
    world, _mb_ids, _sf_ids = linked_world(3)
    assert world.status.cursor(MB) is not None and world.status.cursor(SF) is not None
    assert not world.status.in_progress


@pytest.mark.parametrize("use_delta", [False, True])
def test_a_no_change_pass_costs_one_call_per_side(use_delta: bool) -> None:
    world, _mb_ids, _sf_ids = linked_world(5, use_delta=use_delta)
    world.sync()  # reads the echoes of the first pass's writes
    before = {side: dict(world.store(side).calls) for side in Side}
    assert world.sync().writes == 0
    for side in Side:
        spent = {k: v - before[side].get(k, 0) for k, v in world.store(side).calls.items()}
        assert sum(spent.values()) == 1, (side, spent)


def test_parked_items_cost_no_calls() -> None:
    world, mb_ids, _sf_ids = linked_world(5, use_delta=False)
    world.mb.set_scope(mb_ids[0], False)
    world.sync()
    world.sync()
    before = dict(world.mb.calls)
    world.sync()
    assert world.mb.calls["get"] == before.get("get", 0)


def test_direction_change_picks_up_items_held_back() -> None:
    world, _mb_ids, _sf_ids = linked_world(3)
    held = world.sf.put(contact("Held", "held@x.org"))
    world.sync(direction=Direction.MAILBOX_TO_SF)
    assert world.partner(SF, held) is None
    world.sync(direction=Direction.MAILBOX_TO_SF)
    world.sync()
    assert world.partner(SF, held) is not None


def test_lost_recreate_response_is_linked_not_duplicated() -> None:
    world, mb_ids, sf_ids = linked_world(5)
    world.mb.remove(mb_ids[0])
    world.mb.fail_next(FailureKind.UNKNOWN_OUTCOME, operation="create")
    assert world.sync().summary[MB].errors == 1
    assert len(world.mb.items) == 5
    world.sync()
    assert len(world.mb.items) == 5 and len(world.links()) == 5
    assert world.partner(SF, sf_ids[0]) is not None
    assert_quiet(world)


def test_lost_create_of_a_held_item_is_found_when_the_direction_opens() -> None:
    world, _mb_ids, _sf_ids = linked_world(3)
    new_sf = world.sf.put(contact("New", "new@x.org"))
    world.mb.crash_after(2)  # the listing, then the create of the copy: applied, answer lost
    with pytest.raises(SimulatedCrash):
        world.sync()
    (copy_id,) = [i for i, s in world.mb.items.items() if s.marker == marker_for(SF, new_sf)]
    world.sync(direction=Direction.MAILBOX_TO_SF)  # committed; the Salesforce item is held
    world.sync()
    assert world.partner(SF, new_sf) == copy_id
    assert len(world.mb.items) == 4


def test_a_value_salesforce_cuts_is_neither_a_change_nor_written_back() -> None:
    world = World()
    world.sf.max_length = 10
    mb_id = world.mb.put(contact("Ada", "ada@x.org", title="Principal Engineer"))
    assert world.sync().summary[SF].created == 1
    sf_id = world.partner(MB, mb_id)
    assert sf_id is not None
    assert world.fields(SF, sf_id)["title"] == "Principal"
    assert_quiet(world)

    world.sf.edit(sf_id, {"name": "Ada L."})
    result = world.sync()

    assert result.summary[MB].updated == 1
    assert world.fields(MB, mb_id) == {"name": "Ada L.", "emails": ("ada@x.org",), "title": "Principal Engineer"}
    assert_quiet(world)


def cut_title_world() -> tuple[World, str, str]:
    """A contact whose title Salesforce (10 characters at most) holds cut; returns (world, mailbox id, SF id)."""
    world = World()
    world.sf.max_length = 10
    mb_id = world.mb.put(contact("Ada", "ada@x.org", title="Principal Engineer"))
    world.sync()
    sf_id = world.partner(MB, mb_id)
    assert sf_id is not None
    return world, mb_id, sf_id


def test_a_change_to_a_cut_value_flows_from_either_side() -> None:
    world, mb_id, sf_id = cut_title_world()

    world.sf.edit(sf_id, {"title": "CTO"})
    world.sync()
    assert world.fields(MB, mb_id)["title"] == "CTO"

    world.mb.edit(mb_id, {"title": "Chief Technology Officer"})
    world.sync()
    assert world.fields(SF, sf_id)["title"] == "Chief Tech"
    assert world.fields(MB, mb_id)["title"] == "Chief Technology Officer"
    assert_quiet(world)


def test_a_mailbox_delete_recreates_from_the_base_not_from_the_cut_copy() -> None:
    world, mb_id, sf_id = cut_title_world()

    world.mb.remove(mb_id)
    result = world.sync()

    assert result.summary[MB].created == 1 and result.summary[SF].deleted == 0
    new_id = world.partner(SF, sf_id)
    assert new_id is not None
    assert world.fields(MB, new_id)["title"] == "Principal Engineer"
    assert_quiet(world)


def test_a_create_answered_with_an_item_another_link_holds_fails_instead_of_linking_twice() -> None:
    world, _mb_ids, sf_ids = linked_world(count=3)
    taken = sf_ids[0]
    original_create = world.sf.create_many

    def stand_in_existing(creates):  # type: ignore[no-untyped-def]
        # Like a Salesforce duplicate rule: the store answers with an existing record instead of a new one.
        return [Written(taken, "", create.fields) for create in creates]

    world.sf.create_many = stand_in_existing  # type: ignore[method-assign]
    world.mb.put(contact("Newcomer", "new@x.org"))

    result = world.sync()

    assert result.summary[SF].errors == 1 and "already synced" in result.failures[0].message
    assert [link.salesforce.id for link in world.links()].count(taken) == 1
    world.sf.create_many = original_create  # type: ignore[method-assign]
    assert world.sync().summary[SF].created == 1
