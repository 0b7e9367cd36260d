"""The sync dashboard, read from sync runs and conflicts inserted here: the last pass, errors in words, the
conflict log, the daily series (UTC days) and the admin's view of everyone."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db import unit_of_work
from app.models import ItemType, SyncConflict, SyncRun, SyncRunStatus, SyncTrigger
from app.services import dashboard
from tests.accounts_support import add_user

NOW = datetime(2025, 5, 13, 15, 30, tzinfo=UTC)


def counts(created: int = 0, updated: int = 0, deleted: int = 0, errors: int = 0, **more: int) -> dict[str, int]:
    return {"created": created, "updated": updated, "deleted": deleted, "errors": errors, **more}


def add_run(
    engine: Engine,
    user_id: int,
    started_at: datetime,
    *,
    status: SyncRunStatus = SyncRunStatus.SUCCEEDED,
    trigger: SyncTrigger = SyncTrigger.CLI,
    mailbox: dict[str, int] | None = None,
    salesforce: dict[str, int] | None = None,
    conflicts: int = 0,
    errors: list[dict[str, Any]] | None = None,
    message: str | None = None,
    item_type: ItemType = ItemType.CONTACT,
) -> int:
    recorded: dict[str, Any] = {}
    if mailbox is not None or salesforce is not None:
        recorded = {"mailbox": mailbox or counts(), "salesforce": salesforce or counts(), "conflicts": conflicts}
    with unit_of_work(engine) as db:
        run = SyncRun(
            user_id=user_id,
            item_types=[item_type.value],
            trigger=trigger,
            status=status,
            started_at=started_at,
            finished_at=None if status is SyncRunStatus.RUNNING else started_at + timedelta(minutes=2),
            counts=recorded,
            errors=errors or [],
            message=message,
        )
        db.add(run)
        db.flush()
        assert run.id is not None
        return run.id


def add_conflict(
    engine: Engine, user_id: int, at: datetime, field: str, *, mailbox: Any, salesforce: Any, winner: str
) -> None:
    with unit_of_work(engine) as db:
        db.add(
            SyncConflict(
                user_id=user_id,
                item_type=ItemType.CONTACT,
                link_id=uuid.uuid4(),
                field_name=field,
                mailbox_value=mailbox,
                salesforce_value=salesforce,
                base_value=None,
                winner=winner,
                occurred_at=at,
            )
        )


def failure(side: str, kind: str, message: str) -> dict[str, Any]:
    return {"side": side, "item_id": str(uuid.uuid4()), "kind": kind, "message": message}


def user_id(engine: Engine, email: str = "alex.morgan@example.com", *, admin: bool = False) -> int:
    user = add_user(engine, email, admin=admin)
    assert user.id is not None
    return user.id


def view(engine: Engine, uid: int, now: datetime = NOW) -> dashboard.UserDashboard:
    with Session(engine) as db:
        return dashboard.user_dashboard(db, uid, now=now)


def test_a_user_who_never_synced(engine: Engine) -> None:
    board = view(engine, user_id(engine))

    assert board.last_pass is None and board.recent_passes == [] and board.problems == []
    assert board.conflicts == [] and board.conflict_total == 0 and board.reset_since is None
    assert board.next_pass.scheduled is False and board.next_pass.at is None
    assert "crmbridge sync" in board.next_pass.how
    assert len(board.days) == 30 and all(d.passes == 0 for d in board.days)


def test_the_last_pass_with_counts_per_side_and_the_recent_ones(engine: Engine) -> None:
    uid = user_id(engine)
    older = add_run(engine, uid, NOW - timedelta(days=2), mailbox=counts(created=5), salesforce=counts(updated=1))
    last = add_run(
        engine,
        uid,
        NOW - timedelta(hours=1),
        status=SyncRunStatus.PARTIAL,
        trigger=SyncTrigger.MANUAL,
        mailbox=counts(created=2, updated=1, linked=4, skipped=1),
        salesforce=counts(updated=3, deleted=1, errors=3),
        conflicts=2,
        errors=[failure("salesforce", "invalid", "Last Name too long")] * 3,
        message="Salesforce rejected 3 contacts: Last Name too long",
    )
    add_run(engine, user_id(engine, "other@example.com"), NOW - timedelta(minutes=5))  # someone else's

    board = view(engine, uid)

    assert board.last_pass is not None
    assert (board.last_pass.id, board.last_pass.status_text, board.last_pass.trigger_text) == (
        last,
        "Finished with errors",
        "by hand",
    )
    assert board.last_pass.started_at == NOW - timedelta(hours=1)
    assert board.last_pass.mailbox == dashboard.SideCounts(created=2, updated=1, linked=4, skipped=1)
    assert board.last_pass.salesforce == dashboard.SideCounts(updated=3, deleted=1, errors=3)
    assert (board.last_pass.changes, board.last_pass.errors, board.last_pass.conflicts) == (7, 3, 2)
    assert board.last_pass.message == "Salesforce rejected 3 contacts: Last Name too long"
    assert [p.id for p in board.recent_passes] == [last, older]
    assert board.recent_passes[1].status_text == "Succeeded"


def test_item_errors_are_grouped_in_words_a_person_can_act_on(engine: Engine) -> None:
    uid = user_id(engine)
    errors = [
        failure("salesforce", "invalid", "Last Name too long"),
        failure("mailbox", "throttled", "429"),
        failure("salesforce", "invalid", "Last Name too long"),
        failure("salesforce", "invalid", "Email: invalid email address"),
        failure("salesforce", "invalid", "Last Name too long"),
        failure("mailbox", "transient", "503 Service Unavailable"),
        failure("mailbox", "transient", "503 Service Unavailable"),
    ]
    add_run(
        engine,
        uid,
        NOW - timedelta(hours=1),
        status=SyncRunStatus.PARTIAL,
        mailbox=counts(errors=3),
        salesforce=counts(errors=4),
        errors=errors,
        message="(the CLI's summary)",
    )

    assert view(engine, uid).problems == [
        "Salesforce rejected 3 contacts: Last Name too long",
        "The mailbox could not be reached for 2 contacts (503 Service Unavailable); they will be tried again on "
        "the next pass.",
        "The mailbox asked crmbridge to slow down; 1 contact will be tried again on the next pass.",
        "Salesforce rejected 1 contact: Email: invalid email address",
    ]


def test_errors_beyond_those_kept_are_counted(engine: Engine) -> None:
    uid = user_id(engine)
    add_run(
        engine,
        uid,
        NOW,
        status=SyncRunStatus.PARTIAL,
        salesforce=counts(errors=250),
        errors=[failure("salesforce", "invalid", "Required fields are missing: [LastName]")] * 200,
    )

    board = view(engine, uid)

    assert board.last_pass is not None and board.last_pass.errors == 250
    assert board.problems == [
        "Salesforce rejected 200 contacts: Required fields are missing: [LastName]",
        "50 contacts more failed; only the first 200 are kept.",
    ]


def test_a_failed_or_stopped_pass_says_why(engine: Engine) -> None:
    uid = user_id(engine)
    add_run(engine, uid, NOW - timedelta(days=1), status=SyncRunStatus.PARTIAL, errors=[failure("x", "invalid", "")])
    paused = "Sync paused: Salesforce needs to be connected again (access refused). Nothing was read or changed."
    add_run(engine, uid, NOW - timedelta(hours=2), status=SyncRunStatus.ABORTED, message=paused)

    board = view(engine, uid)

    assert board.last_pass is not None and board.last_pass.status_text == "Stopped"
    assert board.problems == [paused]  # the last pass's problems only, not an older pass's

    add_run(engine, uid, NOW - timedelta(hours=1), status=SyncRunStatus.FAILED, message="The pass stopped: boom")
    assert view(engine, uid).problems == ["The pass stopped: boom"]


def test_a_pass_that_never_finished(engine: Engine) -> None:
    uid = user_id(engine)
    add_run(engine, uid, NOW - timedelta(minutes=10), status=SyncRunStatus.RUNNING)
    running = view(engine, uid)
    assert running.last_pass is not None and running.last_pass.status_text == "Running"
    assert running.problems == []

    later = view(engine, uid, NOW + timedelta(hours=3))
    assert later.last_pass is not None and later.last_pass.status_text == "Did not finish"
    assert later.problems == [
        "The pass that started at 2025-05-13 15:20 UTC never finished; the next pass picks up where it stopped, "
        "without duplicates."
    ]


def test_each_item_types_newest_pass_speaks_for_itself(engine: Engine) -> None:
    uid = user_id(engine)
    rejected = [failure("salesforce", "invalid", "Last Name too long")]
    add_run(engine, uid, NOW - timedelta(hours=3), status=SyncRunStatus.PARTIAL, errors=rejected * 2)
    add_run(engine, uid, NOW - timedelta(hours=2), status=SyncRunStatus.PARTIAL, errors=rejected)
    too_long = [failure("salesforce", "invalid", "An event lasts at most 14 days")]
    add_run(engine, uid, NOW - timedelta(hours=1), item_type=ItemType.EVENT, errors=too_long)
    add_run(engine, uid, NOW - timedelta(minutes=30), item_type=ItemType.TASK)

    board = view(engine, uid)

    assert board.last_pass is not None and board.last_pass.items_text == "Tasks"
    assert [item.items_text for item in board.recent_passes] == ["Tasks", "Events", "Contacts", "Contacts"]
    assert board.problems == [
        "Salesforce rejected 1 event: An event lasts at most 14 days",
        "Salesforce rejected 1 contact: Last Name too long",
    ]


def test_the_conflict_log_latest_first_in_words(engine: Engine) -> None:
    uid = user_id(engine)
    add_conflict(engine, uid, NOW - timedelta(days=3), "title", mailbox="CTO", salesforce="CFO", winner="salesforce")
    add_conflict(
        engine,
        uid,
        NOW - timedelta(hours=1),
        "phones",
        mailbox=["+1 555 0100", "+1 555 0101"],
        salesforce=None,
        winner="mailbox",
    )
    add_conflict(
        engine, uid, NOW - timedelta(days=1), "postal_code", mailbox="10115", salesforce="10117", winner="mailbox"
    )
    add_conflict(
        engine, user_id(engine, "other@example.com"), NOW, "title", mailbox="X", salesforce="Y", winner="mailbox"
    )

    board = view(engine, uid)

    assert [c.field for c in board.conflicts] == ["phones", "postal_code", "title"]
    latest = board.conflicts[0]
    assert (latest.field_text, latest.mailbox_value, latest.salesforce_value) == (
        "Phones",
        "+1 555 0100, +1 555 0101",
        "(empty)",
    )
    assert (latest.kept, latest.kept_text, latest.occurred_at) == (
        "mailbox",
        "The mailbox's value was kept",
        NOW - timedelta(hours=1),
    )
    assert board.conflicts[1].field_text == "Postal code"
    assert board.conflicts[2].kept_text == "Salesforce's value was kept"
    assert board.conflict_total == 3


def test_the_conflict_log_is_cut_to_the_latest(engine: Engine, monkeypatch: Any) -> None:
    uid = user_id(engine)
    monkeypatch.setattr(dashboard, "RECENT_CONFLICTS", 2)
    for minutes in range(5):
        add_conflict(
            engine,
            uid,
            NOW - timedelta(minutes=minutes),
            f"field_{minutes}",
            mailbox="a",
            salesforce="b",
            winner="mailbox",
        )

    board = view(engine, uid)

    assert [c.field for c in board.conflicts] == ["field_0", "field_1"]
    assert board.conflict_total == 5


def test_the_daily_series_of_the_last_30_utc_days(engine: Engine) -> None:
    uid = user_id(engine)
    today = datetime(2025, 5, 13, tzinfo=UTC)
    first_day = today - timedelta(days=29)
    add_run(engine, uid, today + timedelta(hours=9), mailbox=counts(created=2), salesforce=counts(updated=3, deleted=1))
    add_run(engine, uid, today, salesforce=counts(created=1, errors=2))  # midnight: today
    add_run(engine, uid, today - timedelta(seconds=1), mailbox=counts(updated=4))  # 23:59:59: yesterday
    add_run(engine, uid, first_day, status=SyncRunStatus.FAILED, message="boom")  # no counts at all
    add_run(engine, uid, first_day - timedelta(seconds=1), mailbox=counts(created=100))  # 31 days ago: left out
    add_run(engine, uid, NOW + timedelta(days=1), mailbox=counts(created=100))  # tomorrow: left out
    add_run(engine, uid, today + timedelta(hours=10), status=SyncRunStatus.ABORTED, mailbox=counts(linked=5))
    add_run(engine, uid, today + timedelta(hours=11), trigger=SyncTrigger.RESET)  # a reset is not a pass
    add_run(engine, user_id(engine, "other@example.com"), today, mailbox=counts(created=50))

    # The same instant in another time zone gives the same UTC days.
    days = view(engine, uid, NOW.astimezone(timezone(timedelta(hours=-10)))).days

    assert [d.day for d in days] == [date(2025, 4, 14) + timedelta(days=i) for i in range(30)]
    by_day = {d.day: (d.passes, d.changes, d.errors, d.failed_passes) for d in days}
    assert by_day[date(2025, 5, 13)] == (3, 7, 2, 1)
    assert by_day[date(2025, 5, 12)] == (1, 4, 0, 0)
    assert by_day[date(2025, 4, 14)] == (1, 0, 0, 1)
    assert sum(d.passes for d in days) == 5

    with Session(engine) as db:
        everyone = dashboard.daily_activity(db, NOW)
    assert {d.day: (d.passes, d.changes) for d in everyone}[date(2025, 5, 13)] == (4, 57)


def test_a_reset_after_the_last_pass_is_mentioned(engine: Engine) -> None:
    uid = user_id(engine)
    add_run(engine, uid, NOW - timedelta(days=1), mailbox=counts(created=1))
    add_run(
        engine,
        uid,
        NOW - timedelta(hours=1),
        trigger=SyncTrigger.RESET,
        message="Sync reset by sam.taylor@example.com: 3 links forgotten; the next pass re-matches both sides",
    )

    board = view(engine, uid)

    assert board.last_pass is not None and board.last_pass.trigger is SyncTrigger.CLI  # the reset is not a pass
    assert board.reset_since is not None and board.reset_since.at == NOW - timedelta(hours=1)
    assert board.reset_since.message.startswith("Sync reset by sam.taylor@example.com")

    add_run(engine, uid, NOW - timedelta(minutes=5))
    assert view(engine, uid).reset_since is None


def test_the_admin_sees_every_user_and_the_org_series(engine: Engine) -> None:
    alex = user_id(engine, "alex.morgan@example.com")
    priya = user_id(engine, "priya.shah@example.com")
    sam = user_id(engine, "sam.taylor@example.com", admin=True)
    add_run(engine, alex, NOW - timedelta(days=1), mailbox=counts(created=1))
    add_run(
        engine,
        alex,
        NOW - timedelta(hours=1),
        status=SyncRunStatus.PARTIAL,
        salesforce=counts(updated=2, errors=2),
        message="Salesforce rejected 2 contacts: Last Name too long",
    )
    # Inserted out of order: the latest by start time wins, not the latest inserted.
    add_run(engine, priya, NOW - timedelta(minutes=30), status=SyncRunStatus.FAILED, message="boom")
    add_run(engine, priya, NOW - timedelta(hours=5), mailbox=counts(created=9))
    add_run(engine, sam, NOW - timedelta(minutes=1), trigger=SyncTrigger.RESET, message="Sync reset by x")

    with Session(engine) as db:
        board = dashboard.admin_dashboard(db, now=NOW)

    rows = {row.email: row for row in board.users}
    assert [row.email for row in board.users] == sorted(rows)
    assert rows["alex.morgan@example.com"].status_text == "Finished with errors"
    assert rows["alex.morgan@example.com"].errors == 2
    last = rows["alex.morgan@example.com"].last_pass
    assert last is not None and last.message == "Salesforce rejected 2 contacts: Last Name too long"
    assert (rows["priya.shah@example.com"].status_text, rows["priya.shah@example.com"].errors) == ("Failed", 0)
    assert rows["sam.taylor@example.com"].last_pass is None
    assert rows["sam.taylor@example.com"].status_text == "Never synced"
    assert rows["sam.taylor@example.com"].reset_since is not None
    assert board.next_pass.scheduled is False
    today = {d.day: d for d in board.days}[date(2025, 5, 13)]
    assert (today.passes, today.changes, today.errors, today.failed_passes) == (3, 11, 2, 1)
