"""Resetting a user's sync: forget every link and change cursor, so that the next pass re-matches both sides.

Nothing in the mailbox or in Salesforce is touched. The next pass reads both sides in full and pairs them again:
a copy crmbridge made carries its marker (found by it even without an email address), and the rest pair by email
address, so nothing is duplicated and nothing is deleted. The conflict log is kept. The reset is recorded as a
sync run (trigger ``reset``) saying who did it and how many links were forgotten.

Like every service it works in the caller's session and never commits: the request commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.errors import Conflict, InvalidInput
from app.models import ItemType, SyncCursor, SyncLink, SyncRun, SyncRunStatus, SyncTrigger, User

#: A pass still marked running after this long is taken to have crashed, and no longer blocks a reset.
RUNNING_PASS_LIMIT = timedelta(hours=1)


@dataclass(frozen=True)
class ResetPreview:
    """What a reset of a user's sync would forget now."""

    links: int
    cursors: int


@dataclass(frozen=True)
class ResetOutcome:
    """What a reset forgot, and the sync run that records it."""

    run_id: int
    links_forgotten: int
    cursors_forgotten: int
    message: str
    reset_at: datetime


def require_confirmation(confirmed: bool, *, how: str) -> None:
    """InvalidInput unless the admin confirmed the reset; ``how`` tells them how to confirm where they are."""
    if not confirmed:
        raise InvalidInput(f"The reset was not confirmed, so nothing was changed: {how}.")


def reset_preview(session: Session, user: User) -> ResetPreview:
    """How many links and change cursors of ``user`` a reset would forget."""
    assert user.id is not None
    links = session.exec(select(func.count()).select_from(SyncLink).where(col(SyncLink.user_id) == user.id)).one()
    cursors = session.exec(select(func.count()).select_from(SyncCursor).where(col(SyncCursor.user_id) == user.id)).one()
    return ResetPreview(links=int(links), cursors=int(cursors))


def _ensure_no_pass_running(session: Session, user: User, now: datetime) -> None:
    """Conflict while a pass of ``user`` runs: it would record links and cursors over the reset."""
    running = session.exec(
        select(SyncRun)
        .where(
            col(SyncRun.user_id) == user.id,
            col(SyncRun.status) == SyncRunStatus.RUNNING,
            col(SyncRun.trigger) != SyncTrigger.RESET,
            col(SyncRun.started_at) > now - RUNNING_PASS_LIMIT,
        )
        .order_by(col(SyncRun.started_at).desc())
    ).first()
    if running is not None:
        raise Conflict(
            f"A sync pass for {user.email} started at {running.started_at:%Y-%m-%d %H:%M} UTC and is still "
            "running; reset once it has finished. Nothing was changed."
        )


def reset_message(actor: User, links_forgotten: int) -> str:
    """The sentence the reset's sync run records."""
    links = f"{links_forgotten} link{'' if links_forgotten == 1 else 's'}"
    return f"Sync reset by {actor.email}: {links} forgotten; the next pass re-matches both sides"


def reset_sync(session: Session, user: User, *, actor: User, now: datetime) -> ResetOutcome:
    """Forget every sync link and change cursor of ``user`` (all item types) and record the reset as a sync run.

    ``actor`` is the admin who asked for it; ``now`` is a timezone-aware UTC time. The conflict log and the
    record of earlier passes are kept. Conflict while one of the user's passes is running.
    """
    assert user.id is not None
    if now.tzinfo is None:
        raise ValueError("reset_sync needs a timezone-aware UTC time")
    _ensure_no_pass_running(session, user, now)
    links = session.execute(delete(SyncLink).where(col(SyncLink.user_id) == user.id))
    cursors = session.execute(delete(SyncCursor).where(col(SyncCursor.user_id) == user.id))
    links_forgotten = int(getattr(links, "rowcount", 0) or 0)
    cursors_forgotten = int(getattr(cursors, "rowcount", 0) or 0)
    message = reset_message(actor, links_forgotten)
    run = SyncRun(
        user_id=user.id,
        item_types=[item_type.value for item_type in ItemType],
        trigger=SyncTrigger.RESET,
        status=SyncRunStatus.SUCCEEDED,
        started_at=now,
        finished_at=now,
        counts={"links_forgotten": links_forgotten, "cursors_forgotten": cursors_forgotten},
        message=message,
    )
    session.add(run)
    session.flush()
    assert run.id is not None
    return ResetOutcome(
        run_id=run.id,
        links_forgotten=links_forgotten,
        cursors_forgotten=cursors_forgotten,
        message=message,
        reset_at=now,
    )
