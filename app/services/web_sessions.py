"""Web sign-in sessions: started at sign-in, looked up on every page, ended at sign-out or when they expire."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, col, select

from app.models import User, WebSession


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: Session, user: User, *, now: datetime, lifetime: timedelta) -> str:
    """A new session for ``user``; returns its token (for the cookie only: the database keeps its digest).

    The user's expired sessions are cleared on the way.
    """
    assert user.id is not None
    db.exec(sa.delete(WebSession).where(col(WebSession.user_id) == user.id, col(WebSession.expires_at) <= now))
    token = secrets.token_urlsafe(32)
    db.add(WebSession(id=_digest(token), user_id=user.id, expires_at=now + lifetime))
    user.last_signed_in_at = now
    db.add(user)
    db.flush()
    return token


def session_user(db: Session, token: str, *, now: datetime) -> User | None:
    """The user of a live session, or None when the token is unknown or expired."""
    row = db.exec(
        select(User)
        .join(WebSession, col(WebSession.user_id) == col(User.id))
        .where(col(WebSession.id) == _digest(token), col(WebSession.expires_at) > now)
    ).one_or_none()
    return row


def end_session(db: Session, token: str) -> None:
    """End one session (sign-out)."""
    db.exec(sa.delete(WebSession).where(col(WebSession.id) == _digest(token)))
    db.flush()


def end_all_sessions(db: Session, user_id: int) -> int:
    """End every session of a user; returns how many there were."""
    result = db.exec(sa.delete(WebSession).where(col(WebSession.user_id) == user_id))
    db.flush()
    return int(result.rowcount or 0) if isinstance(result, CursorResult) else 0
