"""Per-user settings, stored as validated JSON values under well-known keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import updated_at_column, utcnow


class UserSetting(SQLModel, table=True):
    """One setting of one user. The services validate keys and values; the table only stores them."""

    __tablename__ = "user_settings"

    user_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, nullable=False)
    )
    key: str = Field(primary_key=True, max_length=64)
    value: Any = Field(sa_type=sa.JSON)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=updated_at_column())
