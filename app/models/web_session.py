"""Signed-in sessions of the web pages. The cookie carries a random token; only its SHA-256 is stored here."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, created_at_column, utcnow


class WebSession(SQLModel, table=True):
    """One browser's sign-in. Deleting the row (sign-out, user removed) ends it at once."""

    __tablename__ = "web_sessions"

    id: str = Field(primary_key=True, max_length=64, description="SHA-256 (hex) of the session token.")
    user_id: int = Field(sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True))
    expires_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_column=created_at_column())
