"""The audit trail: who changed which setting or configuration, from where, when, and from what to what."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.errors import InvalidInput
from app.models import ChangeSource, SettingChange, User, utcnow

#: How many changes a history shows at most.
HISTORY_LIMIT = 200


class AuditAction(enum.StrEnum):
    """What an audited change did (the column is plain text, so other admin actions can join later)."""

    USER_SETTING = "user_setting"
    CONFIGURATION_CREATED = "configuration_created"
    CONFIGURATION_UPDATED = "configuration_updated"
    CONFIGURATION_DELETED = "configuration_deleted"


def change_source(source: str | ChangeSource) -> ChangeSource:
    """``source`` as a ChangeSource; InvalidInput naming the known ones otherwise."""
    try:
        return ChangeSource(source)
    except ValueError:
        known = ", ".join(member.value for member in ChangeSource)
        raise InvalidInput(f"{source!r} is not where a change can come from ({known}).") from None


def record_change(
    session: Session,
    *,
    action: AuditAction,
    actor: User | None,
    source: ChangeSource,
    key: str,
    old_value: object,
    new_value: object,
    user_id: int | None = None,
    configuration_id: int | None = None,
    at: datetime | None = None,
) -> SettingChange:
    """Add one audit row to the session (the caller's unit of work commits it with the change itself)."""
    row = SettingChange(
        action=action.value,
        actor_user_id=actor.id if actor is not None else None,
        user_id=user_id,
        configuration_id=configuration_id,
        key=key,
        old_value=old_value,
        new_value=new_value,
        source=source,
        changed_at=at or utcnow(),
    )
    session.add(row)
    return row


@dataclass(frozen=True)
class HistoryEntry:
    """One change as a history shows it: ``actor_email`` is None from the command line or once they are removed."""

    id: int
    action: str
    key: str
    old_value: object
    new_value: object
    source: ChangeSource
    changed_at: datetime
    actor_email: str | None
    user_id: int | None
    configuration_id: int | None


def user_history(session: Session, user_id: int, *, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """The changes of one user's settings, newest first."""
    return _entries(session, col(SettingChange.user_id) == user_id, limit)


def configuration_history(session: Session, configuration_id: int, *, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """The changes of one configuration, newest first."""
    return _entries(session, col(SettingChange.configuration_id) == configuration_id, limit)


def _entries(session: Session, condition: ColumnElement[bool], limit: int) -> list[HistoryEntry]:
    statement = (
        select(SettingChange, User.email)
        .join(User, col(User.id) == col(SettingChange.actor_user_id), isouter=True)
        .where(condition)
        .order_by(col(SettingChange.changed_at).desc(), col(SettingChange.id).desc())
        .limit(limit)
    )
    entries = []
    for row, actor_email in session.exec(statement):
        assert row.id is not None
        entries.append(
            HistoryEntry(
                id=row.id,
                action=row.action,
                key=row.key,
                old_value=row.old_value,
                new_value=row.new_value,
                source=row.source,
                changed_at=row.changed_at,
                actor_email=actor_email,
                user_id=row.user_id,
                configuration_id=row.configuration_id,
            )
        )
    return entries
