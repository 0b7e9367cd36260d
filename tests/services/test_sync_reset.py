"""Resetting a user's sync (``sync_reset``) and the per-user sync state of the admin's Users table
(``sync_overview``), on the test database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.db import unit_of_work
from app.errors import Conflict, InvalidInput
from app.models import ItemType, SyncConflict, SyncCursor, SyncLink, SyncRun, SyncRunStatus, SyncTrigger, User
from app.services.sync_overview import NOT_SCHEDULED, item_errors, sync_overview
from app.services.sync_reset import (
    RUNNING_PASS_LIMIT,
    require_confirmation,
    reset_preview,
    reset_sync,
)
from tests.accounts_support import add_user

NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)


def link(user_id: int, item_type: ItemType, number: int) -> SyncLink:
    return SyncLink(
        user_id=user_id,
        item_type=item_type,
        mailbox_id=f"mb-{item_type.value}-{number}",
        salesforce_id=f"003{number:015d}",
    )


def seed_sync_state(engine: Engine, user: User, *, contacts: int = 3) -> None:
    """Links of every item type, cursors of every item type, a conflict and a finished pass."""
    assert user.id is not None
    with unit_of_work(engine) as db:
        db.add_all(link(user.id, ItemType.CONTACT, n) for n in range(contacts))
        db.add(link(user.id, ItemType.EVENT, 0))
        db.add(link(user.id, ItemType.TASK, 0))
        for key in ("contact:cursor:mailbox", "contact:cursor:salesforce", "contact:pass", "event:cursor:mailbox"):
            db.add(SyncCursor(user_id=user.id, collection=key, value="x"))
        db.add(
            SyncConflict(
                user_id=user.id,
                item_type=ItemType.CONTACT,
                link_id=uuid.uuid4(),
                field_name="title",
                winner="salesforce",
                occurred_at=NOW - timedelta(days=1),
            )
        )
        db.add(run(user.id, SyncTrigger.CLI, SyncRunStatus.SUCCEEDED, NOW - timedelta(hours=1)))


def run(user_id: int, trigger: SyncTrigger, status: SyncRunStatus, started: datetime, **extra: Any) -> SyncRun:
    finished = None if status is SyncRunStatus.RUNNING else started + timedelta(minutes=1)
    return SyncRun(
        user_id=user_id,
        item_types=["contact"],
        trigger=trigger,
        status=status,
        started_at=started,
        finished_at=finished,
        **extra,
    )


def rows(engine: Engine, model: Any, user_id: int | None) -> list[Any]:
    with Session(engine) as db:
        return list(db.exec(select(model).where(model.user_id == user_id)).all())


# -- reset_sync -------------------------------------------------------------------------------------------------


def test_a_reset_forgets_every_link_and_cursor_of_the_user_and_records_a_run(engine: Engine) -> None:
    rep = add_user(engine, "rep@example.com")
    other = add_user(engine, "other@example.com")
    admin = add_user(engine, "admin@example.com", admin=True)
    seed_sync_state(engine, rep, contacts=3)
    seed_sync_state(engine, other, contacts=2)

    with unit_of_work(engine) as db:
        user = db.get(User, rep.id)
        assert user is not None
        outcome = reset_sync(db, user, actor=admin, now=NOW)

    assert (outcome.links_forgotten, outcome.cursors_forgotten) == (5, 4)
    assert outcome.message == (
        "Sync reset by admin@example.com: 5 links forgotten; the next pass re-matches both sides"
    )
    assert rows(engine, SyncLink, rep.id) == [] and rows(engine, SyncCursor, rep.id) == []
    assert len(rows(engine, SyncConflict, rep.id)) == 1, "the conflict log is kept"
    recorded = {r.trigger: r for r in rows(engine, SyncRun, rep.id)}
    assert set(recorded) == {SyncTrigger.CLI, SyncTrigger.RESET}, "earlier passes are kept"
    reset = recorded[SyncTrigger.RESET]
    assert reset.id == outcome.run_id
    assert (reset.status, reset.message, reset.started_at, reset.finished_at) == (
        SyncRunStatus.SUCCEEDED,
        outcome.message,
        NOW,
        NOW,
    )
    assert reset.counts == {"links_forgotten": 5, "cursors_forgotten": 4}
    assert set(reset.item_types) == {t.value for t in ItemType}
    # The other user keeps everything.
    assert len(rows(engine, SyncLink, other.id)) == 4 and len(rows(engine, SyncCursor, other.id)) == 4
    assert [r.trigger for r in rows(engine, SyncRun, other.id)] == [SyncTrigger.CLI]


def test_one_link_is_said_in_the_singular_and_nothing_to_forget_is_fine(engine: Engine) -> None:
    rep = add_user(engine, "rep@example.com")
    admin = add_user(engine, "admin@example.com", admin=True)
    assert rep.id is not None
    with unit_of_work(engine) as db:
        db.add(link(rep.id, ItemType.CONTACT, 1))
    with unit_of_work(engine) as db:
        one = reset_sync(db, rep, actor=admin, now=NOW)
    with unit_of_work(engine) as db:
        none = reset_sync(db, rep, actor=admin, now=NOW + timedelta(minutes=1))
    assert one.message == "Sync reset by admin@example.com: 1 link forgotten; the next pass re-matches both sides"
    assert none.links_forgotten == 0 and "0 links forgotten" in none.message


def test_the_reset_is_the_callers_to_commit(engine: Engine) -> None:
    rep = add_user(engine, "rep@example.com")
    admin = add_user(engine, "admin@example.com", admin=True)
    seed_sync_state(engine, rep)
    with Session(engine) as db:
        reset_sync(db, rep, actor=admin, now=NOW)
        db.rollback()
    assert len(rows(engine, SyncLink, rep.id)) == 5
    assert len(rows(engine, SyncCursor, rep.id)) == 4
    assert [r.trigger for r in rows(engine, SyncRun, rep.id)] == [SyncTrigger.CLI]


def test_a_running_pass_blocks_a_reset_until_it_ends_or_is_long_dead(engine: Engine) -> None:
    rep = add_user(engine, "rep@example.com")
    admin = add_user(engine, "admin@example.com", admin=True)
    seed_sync_state(engine, rep)
    assert rep.id is not None
    with unit_of_work(engine) as db:
        db.add(run(rep.id, SyncTrigger.CLI, SyncRunStatus.RUNNING, NOW - timedelta(minutes=5)))

    with Session(engine) as db, pytest.raises(Conflict, match="still running; reset once it has finished"):
        reset_sync(db, rep, actor=admin, now=NOW)
    assert len(rows(engine, SyncLink, rep.id)) == 5

    later = NOW - timedelta(minutes=5) + RUNNING_PASS_LIMIT + timedelta(seconds=1)
    with unit_of_work(engine) as db:
        assert reset_sync(db, rep, actor=admin, now=later).links_forgotten == 5


def test_a_reset_needs_a_confirmation_and_an_aware_time(engine: Engine) -> None:
    require_confirmation(True, how="tick the box")
    with pytest.raises(InvalidInput, match="not confirmed, so nothing was changed: tick the box"):
        require_confirmation(False, how="tick the box")
    rep = add_user(engine, "rep@example.com")
    with Session(engine) as db, pytest.raises(ValueError, match="timezone-aware"):
        reset_sync(db, rep, actor=rep, now=datetime(2025, 1, 1))  # noqa: DTZ001  (the point of the test)


def test_the_preview_counts_what_a_reset_forgets(engine: Engine) -> None:
    rep = add_user(engine, "rep@example.com")
    other = add_user(engine, "other@example.com")
    seed_sync_state(engine, rep, contacts=7)
    seed_sync_state(engine, other, contacts=1)
    with Session(engine) as db:
        preview = reset_preview(db, rep)
    assert (preview.links, preview.cursors) == (9, 4)


# -- sync_overview ----------------------------------------------------------------------------------------------


@contextmanager
def counted_statements(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(str(args[2]))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def test_the_overview_shows_each_users_newest_pass_in_words(engine: Engine) -> None:
    ok, partial, failed, never = (
        add_user(engine, f"{name}@example.com") for name in ("ok", "partial", "failed", "never")
    )
    assert ok.id and partial.id and failed.id and never.id
    with unit_of_work(engine) as db:
        db.add(run(ok.id, SyncTrigger.CLI, SyncRunStatus.FAILED, NOW - timedelta(days=1), message="old failure"))
        db.add(run(ok.id, SyncTrigger.CLI, SyncRunStatus.SUCCEEDED, NOW))
        counts = {"mailbox": {"errors": 2, "created": 1}, "salesforce": {"errors": 1}, "conflicts": 0}
        errors = [{"side": "mailbox", "message": "x"}]  # capped in the record; the counts are exact
        db.add(
            run(partial.id, SyncTrigger.CLI, SyncRunStatus.PARTIAL, NOW, counts=counts, errors=errors, message="3 bad")
        )
        db.add(run(failed.id, SyncTrigger.CLI, SyncRunStatus.SUCCEEDED, NOW - timedelta(hours=2)))
        db.add(run(failed.id, SyncTrigger.CLI, SyncRunStatus.ABORTED, NOW - timedelta(hours=1), message="guard"))

    with Session(engine) as db:
        states = sync_overview(db)

    assert never.id not in states
    first = states[ok.id].last_pass
    assert first is not None and (first.started_at, first.status_words, first.item_errors, first.failed) == (
        NOW,
        "succeeded",
        0,
        False,
    )
    second = states[partial.id].last_pass
    assert second is not None
    assert (second.status_words, second.item_errors, second.failed, second.message) == (
        "finished with errors",
        3,
        False,
        "3 bad",
    )
    third = states[failed.id].last_pass
    assert third is not None and (third.status_words, third.failed, third.message) == ("stopped", True, "guard")
    assert all(state.next_pass == NOT_SCHEDULED == "not scheduled" for state in states.values())
    assert all(state.reset_since is None for state in states.values())


def test_a_reset_after_the_last_pass_is_shown_and_is_not_a_pass(engine: Engine) -> None:
    reset_only, reset_then_pass, pass_then_reset = (add_user(engine, f"u{n}@example.com") for n in range(3))
    admin = add_user(engine, "admin@example.com", admin=True)
    assert reset_only.id and reset_then_pass.id and pass_then_reset.id
    with unit_of_work(engine) as db:
        db.add(run(reset_then_pass.id, SyncTrigger.CLI, SyncRunStatus.SUCCEEDED, NOW + timedelta(minutes=5)))
        db.add(run(pass_then_reset.id, SyncTrigger.CLI, SyncRunStatus.FAILED, NOW - timedelta(minutes=5)))
    for user in (reset_only, reset_then_pass, pass_then_reset):
        with unit_of_work(engine) as db:
            reset_sync(db, user, actor=admin, now=NOW)

    with Session(engine) as db:
        states = sync_overview(db)

    assert states[reset_only.id].last_pass is None
    assert states[reset_only.id].reset_since is not None
    after = states[reset_then_pass.id]
    assert after.reset_since is None and after.last_pass is not None and after.last_pass.status_words == "succeeded"
    before = states[pass_then_reset.id]
    assert before.reset_since is not None and before.reset_since.at == NOW
    assert before.last_pass is not None and before.last_pass.failed, "the failed pass is still the last pass"


def test_the_overview_is_one_query_whatever_the_number_of_users(engine: Engine) -> None:
    people = [add_user(engine, f"user{n}@example.com") for n in range(12)]
    with unit_of_work(engine) as db:
        for n, person in enumerate(people):
            assert person.id is not None
            for hours in range(3):
                db.add(run(person.id, SyncTrigger.CLI, SyncRunStatus.SUCCEEDED, NOW - timedelta(hours=hours + n)))

    with Session(engine) as db, counted_statements(engine) as statements:
        states = sync_overview(db)
        subset = sync_overview(db, [p.id for p in people[:2] if p.id is not None])

    assert len(states) == 12 and len(subset) == 2
    assert len(statements) == 2, statements
    for n, person in enumerate(people):
        assert person.id is not None
        newest = states[person.id].last_pass
        assert newest is not None and newest.started_at == NOW - timedelta(hours=n)


def test_item_errors_fall_back_to_the_recorded_errors() -> None:
    bare = SyncRun(user_id=1, trigger=SyncTrigger.CLI, errors=[{"message": "a"}, {"message": "b"}])
    assert item_errors(bare) == 2
    counted = SyncRun(user_id=1, trigger=SyncTrigger.CLI, counts={"mailbox": {"errors": 250}, "conflicts": 3})
    assert item_errors(counted) == 250
