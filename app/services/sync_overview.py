"""Each user's sync state at a glance, for the admin's Users table: the last pass, the next one, the errors.

Everything comes from the ``sync_runs`` table in one query, whatever the number of users: per user, the newest
pass and the newest reset (a reset is recorded as a run with trigger ``reset``, but it is not a pass).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.models import SyncRun, SyncRunStatus, SyncTrigger

#: What the table says about the next pass until a scheduler exists (passes run with ``crmbridge sync``).
NOT_SCHEDULED = "not scheduled"

#: How each status of a pass reads in the table.
STATUS_WORDS: Mapping[SyncRunStatus, str] = {
    SyncRunStatus.RUNNING: "running",
    SyncRunStatus.SUCCEEDED: "succeeded",
    SyncRunStatus.PARTIAL: "finished with errors",
    SyncRunStatus.FAILED: "failed",
    SyncRunStatus.ABORTED: "stopped",
}


@dataclass(frozen=True)
class LastPass:
    """The newest sync pass of a user."""

    started_at: datetime
    finished_at: datetime | None
    status: SyncRunStatus
    trigger: SyncTrigger
    item_errors: int
    message: str | None

    @property
    def status_words(self) -> str:
        """The status as the table says it ("succeeded", "finished with errors", "failed", ...)."""
        return STATUS_WORDS[self.status]

    @property
    def failed(self) -> bool:
        """True when the pass as a whole did not run through (it failed, or was stopped or paused)."""
        return self.status in (SyncRunStatus.FAILED, SyncRunStatus.ABORTED)


@dataclass(frozen=True)
class LastReset:
    """The newest sync reset of a user, when it came after their last pass."""

    at: datetime
    message: str | None


@dataclass(frozen=True)
class UserSyncState:
    """One user's sync state: their last pass (None: never synced), a reset since, and the next pass."""

    last_pass: LastPass | None = None
    reset_since: LastReset | None = None
    next_pass: str = NOT_SCHEDULED


def item_errors(run: SyncRun) -> int:
    """The items that failed in a pass: the exact per-side counts, else the recorded errors (which are capped)."""
    counted = [
        side.get("errors") for side in (run.counts or {}).values() if isinstance(side, dict) and "errors" in side
    ]
    if counted:
        return sum(int(value or 0) for value in counted)
    return len(run.errors or [])


def _last_pass(run: SyncRun) -> LastPass:
    return LastPass(
        started_at=run.started_at,
        finished_at=run.finished_at,
        status=run.status,
        trigger=run.trigger,
        item_errors=item_errors(run),
        message=run.message,
    )


def newest_runs(session: Session, user_ids: Sequence[int] | None = None) -> Sequence[SyncRun]:
    """Per user, the newest pass and the newest reset: one query (a window over the user's runs)."""
    is_reset = sa.case((col(SyncRun.trigger) == SyncTrigger.RESET, 1), else_=0)
    newest_first = (col(SyncRun.started_at).desc(), col(SyncRun.id).desc())
    rank = sa.func.row_number().over(partition_by=(col(SyncRun.user_id), is_reset), order_by=newest_first)
    ranked = sa.select(col(SyncRun.id).label("run_id"), rank.label("rank"))
    if user_ids is not None:
        ranked = ranked.where(col(SyncRun.user_id).in_(user_ids))
    newest = ranked.subquery()
    query = select(SyncRun).join(newest, col(SyncRun.id) == newest.c.run_id).where(newest.c.rank == 1)
    return session.exec(query).all()


def sync_overview(session: Session, user_ids: Sequence[int] | None = None) -> dict[int, UserSyncState]:
    """The sync state of every user (or of ``user_ids``), by user id; users who never synced are left out."""
    if user_ids is not None and not user_ids:
        return {}
    passes: dict[int, SyncRun] = {}
    resets: dict[int, SyncRun] = {}
    for run in newest_runs(session, user_ids):
        (resets if run.trigger is SyncTrigger.RESET else passes)[run.user_id] = run
    states: dict[int, UserSyncState] = {}
    for user_id in passes.keys() | resets.keys():
        last = passes.get(user_id)
        reset = resets.get(user_id)
        since = None
        if reset is not None and (last is None or reset.started_at >= last.started_at):
            since = LastReset(at=reset.started_at, message=reset.message)
        states[user_id] = UserSyncState(last_pass=_last_pass(last) if last is not None else None, reset_since=since)
    return states
