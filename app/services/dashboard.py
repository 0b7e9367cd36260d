"""The sync dashboard: how a user's passes went, what needs their attention, and the last 30 days at a glance.

Everything is read from the record of passes (``sync_runs``) and the conflict log (``sync_conflicts``); nothing
is written. The daily series are summed by the database, so the org-wide view stays cheap with many users.
Days are UTC days.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.models import ItemType, SyncConflict, SyncRun, SyncRunStatus, SyncTrigger, User
from app.services import sync_overview
from app.services.sync_reset import RUNNING_PASS_LIMIT
from app.sync.apply import SideSummary

#: How many days the activity series covers, today (UTC) included.
SERIES_DAYS = 30
#: How many passes and conflicts the dashboard lists.
RECENT_PASSES = 20
RECENT_CONFLICTS = 50
#: A pass still "running" after this long stopped without recording its end (its worker died); the same limit
#: after which such a pass no longer blocks a reset.
STALE_AFTER = RUNNING_PASS_LIMIT
#: How many kinds of item error the dashboard words before summing up the rest.
MAX_PROBLEMS = 5
SIDES = ("mailbox", "salesforce")
SIDE_NAMES = {"mailbox": "The mailbox", "salesforce": "Salesforce"}
KEPT_WORDS = {"mailbox": "The mailbox's value was kept", "salesforce": "Salesforce's value was kept"}
CHANGE_COUNTS = ("created", "updated", "deleted")
#: How passes run today; the dashboard says so rather than inventing a next pass.
HOW_PASSES_RUN = "Sync passes are not scheduled yet: they run when an administrator runs crmbridge sync on the server."
STATUS_WORDS = {
    SyncRunStatus.RUNNING: "Running",
    SyncRunStatus.SUCCEEDED: "Succeeded",
    SyncRunStatus.PARTIAL: "Finished with errors",
    SyncRunStatus.FAILED: "Failed",
    SyncRunStatus.ABORTED: "Stopped",
}
STALE_WORDS = "Did not finish"
NEVER_SYNCED = "Never synced"
TRIGGER_WORDS = {
    SyncTrigger.SCHEDULE: "on schedule",
    SyncTrigger.MANUAL: "by hand",
    SyncTrigger.CLI: "by crmbridge sync",
    SyncTrigger.RESET: "after a reset",
}
#: What the item-type names of a pass read as in sentences (singular, plural).
ITEM_WORDS = {item_type.value: (item_type.value, item_type.plural) for item_type in ItemType}
_STOPPED = (SyncRunStatus.FAILED, SyncRunStatus.ABORTED)


#: What one pass did on one side: the engine's own summary (a dataclass pydantic serialises as it is).
SideCounts = SideSummary


class PassSummary(BaseModel):
    """One sync pass: when, what started it, how it went and what it changed."""

    id: int
    item_types: list[str]
    items_text: str = Field(description="What the pass synced, in words: Contacts, Events, Tasks.")
    trigger: SyncTrigger
    trigger_text: str = Field(description="What started the pass, in words.")
    status: SyncRunStatus
    status_text: str = Field(description="How the pass went, in words (a pass running for hours did not finish).")
    started_at: datetime
    finished_at: datetime | None
    mailbox: SideCounts
    salesforce: SideCounts
    conflicts: int
    changes: int = Field(description="Items created, updated or deleted on either side.")
    errors: int = Field(description="Items that failed on either side.")
    message: str | None = Field(description="What went wrong, in words; null when all went well.")


class NextPass(BaseModel):
    """When the next pass runs. There is no scheduler yet, so ``scheduled`` is false and ``at`` null."""

    scheduled: bool
    at: datetime | None
    how: str = Field(description="How passes run, in words.")


class ConflictEntry(BaseModel):
    """A field changed on both sides, the two values, and which one was kept."""

    item_type: str
    field: str
    field_text: str
    mailbox_value: str
    salesforce_value: str
    kept: str = Field(description="mailbox or salesforce: whose value was kept.")
    kept_text: str
    occurred_at: datetime


class DayActivity(BaseModel):
    """One UTC day: passes started, changes made, items that failed and passes that failed or were stopped."""

    day: date
    passes: int = 0
    changes: int = 0
    errors: int = 0
    failed_passes: int = 0


class ResetNote(BaseModel):
    """An admin reset the user's sync and no pass has run since."""

    at: datetime
    message: str


class UserDashboard(BaseModel):
    """A user's dashboard."""

    generated_at: datetime
    last_pass: PassSummary | None
    reset_since: ResetNote | None = Field(description="A reset of the user's sync after the last pass.")
    next_pass: NextPass
    problems: list[str] = Field(
        description="What went wrong in the last pass of each item type, in words a person can act on."
    )
    recent_passes: list[PassSummary] = Field(description="The latest passes, latest first.")
    conflicts: list[ConflictEntry] = Field(description="The conflict log, latest first.")
    conflict_total: int = Field(description="Every conflict logged (the list holds the latest only).")
    days: list[DayActivity] = Field(description=f"The last {SERIES_DAYS} days, oldest first.")


class UserSyncRow(BaseModel):
    """One user's line of the admin dashboard."""

    user_id: int
    email: str
    name: str
    last_pass: PassSummary | None
    reset_since: ResetNote | None
    status_text: str = Field(description="How the last pass went, in words (or that none ran).")
    errors: int = Field(description="Items that failed in the last pass.")


class AdminDashboard(BaseModel):
    """Every user's last pass and the org-wide activity."""

    generated_at: datetime
    next_pass: NextPass
    users: list[UserSyncRow]
    days: list[DayActivity] = Field(description=f"The last {SERIES_DAYS} days for everyone, oldest first.")


# --- one pass ---------------------------------------------------------------------------------------------------


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def side_counts(counts: Mapping[str, Any], side: str) -> SideCounts:
    """One side's counts as a pass recorded them (missing or malformed numbers read as 0)."""
    recorded = counts.get(side)
    if not isinstance(recorded, Mapping):
        return SideCounts()
    return SideCounts(**{field.name: _int(recorded.get(field.name)) for field in fields(SideCounts)})


def status_text(run: SyncRun, now: datetime) -> str:
    """How a pass went, in words; a pass still running long after it started did not finish."""
    if run.status is SyncRunStatus.RUNNING and now - run.started_at > STALE_AFTER:
        return STALE_WORDS
    return STATUS_WORDS[run.status]


def error_count(run: SyncRun) -> int:
    """Items that failed in a pass: the exact counts, else the errors kept (which may be cut short)."""
    counted = sum(side_counts(run.counts, side).errors for side in SIDES)
    return counted or len(run.errors)


def items_text(item_types: Sequence[str]) -> str:
    """What a pass synced, for people: ``Contacts``, ``Events and tasks``."""
    words = [ITEM_WORDS.get(kind, (kind, kind))[1] for kind in item_types] or ["items"]
    text = " and ".join(words)
    return text[:1].upper() + text[1:]


def pass_summary(run: SyncRun, now: datetime) -> PassSummary:
    """A recorded pass, for people."""
    assert run.id is not None
    mailbox, salesforce = side_counts(run.counts, "mailbox"), side_counts(run.counts, "salesforce")
    return PassSummary(
        id=run.id,
        item_types=list(run.item_types),
        items_text=items_text(run.item_types),
        trigger=run.trigger,
        trigger_text=TRIGGER_WORDS[run.trigger],
        status=run.status,
        status_text=status_text(run, now),
        started_at=run.started_at,
        finished_at=run.finished_at,
        mailbox=mailbox,
        salesforce=salesforce,
        conflicts=_int(run.counts.get("conflicts")),
        changes=sum(getattr(side, name) for side in (mailbox, salesforce) for name in CHANGE_COUNTS),
        errors=error_count(run),
        message=run.message,
    )


def _items(item_types: Sequence[str], count: int) -> str:
    kinds = [ITEM_WORDS.get(kind, (kind, kind)) for kind in item_types] or [("item", "items")]
    if len(kinds) > 1:
        kinds = [("item", "items")]
    singular, plural = kinds[0]
    return f"{count} {singular if count == 1 else plural}"


def _item_problem(item_types: Sequence[str], side: str, kind: str, message: str, count: int) -> str:
    """One group of item errors in words, by what a person can do about it."""
    name = SIDE_NAMES.get(side, side)
    items = _items(item_types, count)
    detail = f" ({message})" if message else ""
    if kind == "throttled":
        return f"{name} asked crmbridge to slow down; {items} will be tried again on the next pass."
    if kind == "transient":
        return f"{name} could not be reached for {items}{detail}; they will be tried again on the next pass."
    if kind == "precondition":
        return f"{items.capitalize()} changed in {name} while the pass wrote them; the next pass syncs them."
    if kind == "unknown_outcome":
        return f"It is not known whether {name} saved {items} (its answer was lost); the next pass checks them."
    if kind == "not_found":
        return f"{items.capitalize()} could not be found in {name} any more{detail}."
    return f"{name} rejected {items}: {message or 'no reason given'}"


def problems(run: SyncRun, now: datetime) -> list[str]:
    """What went wrong in a pass, in words: why it failed, stopped or never finished, then its item errors grouped
    by side and reason (``Salesforce rejected 3 contacts: Last Name too long``), most frequent first."""
    words: list[str] = []
    if run.status in _STOPPED and run.message:
        words.append(run.message)
    if status_text(run, now) == STALE_WORDS:
        words.append(
            f"The pass that started at {run.started_at:%Y-%m-%d %H:%M} UTC never finished; the next pass picks up "
            "where it stopped, without duplicates."
        )
    words.extend(item_error_sentences(run.item_types, run.errors))
    if len(words) > MAX_PROBLEMS:
        rest = len(words) - MAX_PROBLEMS + 1
        words = [*words[: MAX_PROBLEMS - 1], f"And {rest} other kinds of error."]
    unlisted = error_count(run) - len(run.errors)
    if unlisted > 0 and run.errors:
        words.append(
            f"{_items(run.item_types, unlisted).capitalize()} more failed; only the first {len(run.errors)} are kept."
        )
    return words


def item_error_sentences(item_types: Sequence[str], errors: Sequence[Mapping[str, Any]]) -> list[str]:
    """A pass's item errors (``side``, ``kind``, ``message`` each) grouped by side and reason, one sentence per
    group, most frequent first: ``Salesforce rejected 3 contacts: Last Name too long``."""
    groups: dict[tuple[str, str, str], int] = {}
    for error in errors:
        key = (str(error.get("side") or ""), str(error.get("kind") or ""), str(error.get("message") or "").strip())
        groups[key] = groups.get(key, 0) + 1
    ranked = sorted(groups.items(), key=lambda entry: (-entry[1], entry[0]))
    return [_item_problem(item_types, side, kind, message, count) for (side, kind, message), count in ranked]


# --- conflicts --------------------------------------------------------------------------------------------------


def field_text(name: str) -> str:
    """A field's name for people: ``postal_code`` reads ``Postal code``."""
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else name


def value_text(value: Any) -> str:
    """A field's value for people: lists joined, nothing as ``(empty)``."""
    if value is None or value in ("", [], {}):
        return "(empty)"
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(value_text(item) for item in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{key}: {value_text(item)}" for key, item in value.items())
    return str(value)


def conflict_entry(conflict: SyncConflict) -> ConflictEntry:
    """A logged conflict, for people."""
    return ConflictEntry(
        item_type=conflict.item_type.value,
        field=conflict.field_name,
        field_text=field_text(conflict.field_name),
        mailbox_value=value_text(conflict.mailbox_value),
        salesforce_value=value_text(conflict.salesforce_value),
        kept=conflict.winner,
        kept_text=KEPT_WORDS.get(conflict.winner, f"{conflict.winner}'s value was kept"),
        occurred_at=conflict.occurred_at,
    )


# --- the daily series -------------------------------------------------------------------------------------------


def series_days(now: datetime, count: int = SERIES_DAYS) -> list[date]:
    """The last ``count`` UTC days, today included, oldest first."""
    today = now.astimezone(UTC).date()
    return [today - timedelta(days=offset) for offset in range(count - 1, -1, -1)]


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _count(side: str, name: str) -> ColumnElement[int]:
    extracted: ColumnElement[int] = col(SyncRun.counts)[(side, name)].as_integer()
    return sa.func.coalesce(extracted, 0)


def daily_activity(session: Session, now: datetime, user_id: int | None = None) -> list[DayActivity]:
    """Passes, changes and errors per UTC day over the last ``SERIES_DAYS`` days: one user's, or everyone's."""
    days = series_days(now)
    started = col(SyncRun.started_at)
    # The day's index, by comparing with the days' starts, latest first: portable across databases and time zones.
    bucket = sa.case(
        *((started >= _start_of(day), index) for index, day in reversed(list(enumerate(days)))), else_=-1
    ).label("bucket")
    changes = sum((_count(side, name) for side in SIDES for name in CHANGE_COUNTS), sa.literal(0))
    errors = _count("mailbox", "errors") + _count("salesforce", "errors")
    stopped = sa.case((col(SyncRun.status).in_(_STOPPED), 1), else_=0)
    query = (
        sa.select(bucket, sa.func.count(), sa.func.sum(changes), sa.func.sum(errors), sa.func.sum(stopped))
        .where(
            started >= _start_of(days[0]),
            started < _start_of(days[-1] + timedelta(days=1)),
            col(SyncRun.trigger) != SyncTrigger.RESET,
        )
        .group_by(bucket)
    )
    if user_id is not None:
        query = query.where(col(SyncRun.user_id) == user_id)
    series = [DayActivity(day=day) for day in days]
    for index, passes, changed, failed, stopped_passes in session.execute(query):
        if 0 <= index < len(series):
            series[index] = DayActivity(
                day=days[index],
                passes=int(passes or 0),
                changes=int(changed or 0),
                errors=int(failed or 0),
                failed_passes=int(stopped_passes or 0),
            )
    return series


# --- the dashboards ---------------------------------------------------------------------------------------------


def next_pass() -> NextPass:
    """When the next pass runs: not scheduled, and how passes run instead."""
    return NextPass(scheduled=False, at=None, how=HOW_PASSES_RUN)


def _newest_first() -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    return col(SyncRun.started_at).desc(), col(SyncRun.id).desc()


def recent_passes(session: Session, user_id: int, limit: int = RECENT_PASSES) -> list[SyncRun]:
    """A user's latest passes (resets are not passes), latest first."""
    query = (
        select(SyncRun)
        .where(col(SyncRun.user_id) == user_id, col(SyncRun.trigger) != SyncTrigger.RESET)
        .order_by(*_newest_first())
        .limit(limit)
    )
    return list(session.exec(query))


def newest_per_item_type(runs: Sequence[SyncRun]) -> list[SyncRun]:
    """The newest pass of each item type among ``runs`` (latest first), latest first."""
    seen: set[tuple[str, ...]] = set()
    newest = []
    for run in runs:
        kinds = tuple(sorted(run.item_types))
        if kinds not in seen:
            seen.add(kinds)
            newest.append(run)
    return newest


def reset_note(reset: SyncRun | None, last_pass: SyncRun | None) -> ResetNote | None:
    """The reset to mention: the newest one, when no pass has run since."""
    if reset is None or (last_pass is not None and last_pass.started_at > reset.started_at):
        return None
    return ResetNote(at=reset.started_at, message=reset.message or "The sync was reset.")


def user_dashboard(session: Session, user_id: int, *, now: datetime) -> UserDashboard:
    """``user_id``'s dashboard as of ``now``."""
    runs = recent_passes(session, user_id)
    reset = session.exec(
        select(SyncRun)
        .where(col(SyncRun.user_id) == user_id, col(SyncRun.trigger) == SyncTrigger.RESET)
        .order_by(*_newest_first())
    ).first()
    conflicts = session.exec(
        select(SyncConflict)
        .where(col(SyncConflict.user_id) == user_id)
        .order_by(col(SyncConflict.occurred_at).desc(), col(SyncConflict.id).desc())
        .limit(RECENT_CONFLICTS)
    )
    total = session.exec(
        select(sa.func.count()).select_from(SyncConflict).where(col(SyncConflict.user_id) == user_id)
    ).one()
    passes = [pass_summary(run, now) for run in runs]
    return UserDashboard(
        generated_at=now,
        last_pass=passes[0] if passes else None,
        reset_since=reset_note(reset, runs[0] if runs else None),
        next_pass=next_pass(),
        problems=[sentence for run in newest_per_item_type(runs) for sentence in problems(run, now)],
        recent_passes=passes,
        conflicts=[conflict_entry(conflict) for conflict in conflicts],
        conflict_total=int(total),
        days=daily_activity(session, now, user_id),
    )


def newest_runs(session: Session) -> dict[int, tuple[SyncRun | None, SyncRun | None]]:
    """Every user's newest pass and newest reset, by user id, in one query (users who never ran are left out)."""
    newest: dict[int, tuple[SyncRun | None, SyncRun | None]] = {}
    for run in sync_overview.newest_runs(session):
        last_pass, reset = newest.get(run.user_id, (None, None))
        if run.trigger is SyncTrigger.RESET:
            newest[run.user_id] = (last_pass, run)
        else:
            newest[run.user_id] = (run, reset)
    return newest


def user_row(user: User, last_pass: SyncRun | None, reset: SyncRun | None, now: datetime) -> UserSyncRow:
    """One user's line of the admin dashboard."""
    assert user.id is not None
    summary = pass_summary(last_pass, now) if last_pass is not None else None
    return UserSyncRow(
        user_id=user.id,
        email=user.email,
        name=user.name,
        last_pass=summary,
        reset_since=reset_note(reset, last_pass),
        status_text=summary.status_text if summary else NEVER_SYNCED,
        errors=summary.errors if summary else 0,
    )


def admin_dashboard(session: Session, *, now: datetime) -> AdminDashboard:
    """Every user's last pass and the org-wide series, as of ``now``."""
    newest = newest_runs(session)
    rows = []
    for user in session.exec(select(User).order_by(col(User.email))):
        last_pass, reset = newest.get(user.id or 0, (None, None))
        rows.append(user_row(user, last_pass, reset, now))
    return AdminDashboard(generated_at=now, next_pass=next_pass(), users=rows, days=daily_activity(session, now))
