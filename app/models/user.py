"""People who use crmbridge."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, created_at_column, enum_column, updated_at_column, utcnow
from app.models.enums import MailProvider, Role


class User(SQLModel, table=True):
    """A rep or an admin, identified by their (lower-cased) mail address."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    name: str = Field(max_length=255)
    mail_provider: MailProvider = Field(sa_type=enum_column(MailProvider, "mail_provider"))
    role: Role = Field(default=Role.REP, sa_type=enum_column(Role, "role"))
    last_signed_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_column=created_at_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=updated_at_column())

    __table_args__ = (sa.CheckConstraint("email = lower(email)", name="email_lowercase"),)
